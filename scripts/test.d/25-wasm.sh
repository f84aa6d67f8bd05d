#!/usr/bin/env bash
# wsprism-web (the wasm build): builds it (scripts/build-wasm.sh: toolchain, pinned wasm-bindgen
# CLI, cargo; a no-op when fresh), installs the test dependencies of tests/conformance
# (playwright-core, esbuild; cached in tests/conformance/node_modules), then runs the one JS
# conformance suite (tests/conformance/suite.mjs) against:
#   - the Node package (packages/wsprism; skipped when scripts/build-node.sh is absent), on its
#     native backend and on its WebAssembly backend (WSPRISM_BACKEND=wasm, one more process)
#   - the wasm package in Node, Bun, Deno and workerd (init() without arguments)
#   - the wasm package in headless Chromium (+ the classic-script page and a packed app bundled
#     by esbuild, Vite and webpack) and in headless Firefox (firefox-esr, puppeteer-core)
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/build-wasm.sh

dir=tests/conformance
if [ ! -d "$dir/node_modules/playwright-core" ] || [ ! -d "$dir/node_modules/esbuild" ] || [ ! -d "$dir/node_modules/puppeteer-core" ] \
   || [ "$dir/package.json" -nt "$dir/node_modules/.package-lock.json" ] \
   || { [ -f "$dir/package-lock.json" ] && [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
  echo "25-wasm: npm install ($dir)" >&2
  (cd "$dir" && timeout 600 npm install --no-audit --no-fund --loglevel=error)
fi
bash scripts/setup/chromium.sh >/dev/null
# Bun and Deno (tests/conformance/runtimes.test.mjs: init() without arguments, then the suite).
{ read -r WSPRISM_BUN; read -r WSPRISM_DENO; } < <(bash scripts/setup/bun-deno.sh | tail -n 2)
export WSPRISM_BUN WSPRISM_DENO
# Cloudflare's workerd (tests/conformance/workerd.test.mjs: a Worker importing the .wasm modules).
WSPRISM_WORKERD="$(bash scripts/setup/workerd.sh | tail -n 1)"
export WSPRISM_WORKERD
# Debian's firefox-esr (tests/conformance/wasm-firefox.test.mjs, over WebDriver BiDi).
WSPRISM_FIREFOX="$(bash scripts/setup/firefox.sh | tail -n 1)"
export WSPRISM_FIREFOX

suites=("$dir/wasm-node.test.mjs" "$dir/runtimes.test.mjs" "$dir/workerd.test.mjs" "$dir/wasm-chromium.test.mjs" "$dir/wasm-firefox.test.mjs")
if [ -f scripts/build-node.sh ]; then
  bash scripts/build-node.sh
  suites=("$dir/node.test.mjs" "${suites[@]}")
else
  echo "25-wasm: scripts/build-node.sh not found: the Node package is not tested here" >&2
fi
WSPRISM_BACKEND=native timeout 900 node --test --test-concurrency=1 "${suites[@]}"
if [ -f scripts/build-node.sh ]; then
  echo "25-wasm: the Node package's conformance on its WebAssembly backend (WSPRISM_BACKEND=wasm)" >&2
  WSPRISM_BACKEND=wasm timeout 900 node --test "$dir/node.test.mjs"
fi
