#!/usr/bin/env bash
# The frame visualizer (www/) and the demo server behind `npm start`: builds the Node addon (the
# demo server's WebSocketServer) and the wasm package (the page), installs tests/e2e's
# dependencies (playwright-core; cached in tests/e2e/node_modules), then runs the end-to-end tests
# in Debian's Chromium (scripts/setup/chromium.sh; never a downloaded browser) against
# www/server.js on a free port: visualizer.test.mjs (panels 1-8) and capture.test.mjs (panel 7,
# "Open a capture"; it makes its pcaps with `cargo run --release -p wsprism-capture --example
# synth` in a temporary folder) and i18n.test.mjs (English and Chinese, the guided path).
# Screenshots: tests/artifacts/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/build-node.sh
bash scripts/build-wasm.sh

dir=tests/e2e
if [ ! -d "$dir/node_modules/playwright-core" ] \
   || [ "$dir/package.json" -nt "$dir/node_modules/.package-lock.json" ] \
   || { [ -f "$dir/package-lock.json" ] && [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
  echo "50-visualizer: npm install ($dir)" >&2
  (cd "$dir" && timeout 600 npm install --no-audit --no-fund --loglevel=error)
fi
bash scripts/setup/chromium.sh >/dev/null
bash scripts/setup/fonts-cjk.sh

timeout 900 node --test --test-concurrency=1 "$dir/visualizer.test.mjs" "$dir/capture.test.mjs" "$dir/i18n.test.mjs"
