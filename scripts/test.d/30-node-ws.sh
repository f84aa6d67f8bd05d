#!/usr/bin/env bash
# ws-compatible WebSocketServer / WebSocket: interop with the `ws` package, a real browser
# (headless Chromium via playwright-core), misbehaving peers, and native state released the moment
# connections end (memory.test.mjs: live-state counters, no GC, no timing), app callbacks that fail
# (app-callbacks.test.mjs), topics/publish, heartbeats and the shared compressor (pubsub.test.mjs), the rest of ws's API side by side with ws (ws-compat.test.mjs: TLS,
# redirects, unix sockets, Duplex, Blob, version 8, error messages and codes), and the soak
# benchmark's smoke mode (soak.test.mjs: churn + steady traffic + slowloris, correctness only),
# wsprism/redis against a real Redis (redis.test.mjs: Debian's redis-server started by the test
# on a free port; three server processes, one killed, Redis restarted);
# then all but the soak smoke again on the WebAssembly backend (WSPRISM_BACKEND=wasm, no rebuild).
# Test-only npm dependencies live
# in tests/package.json (not a workspace) and are installed there when missing or stale.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -d tests/node_modules/ws ] || [ ! -d tests/node_modules/playwright-core ] || [ ! -d tests/node_modules/redis ] \
   || [ tests/package.json -nt tests/node_modules/.package-lock.json ] \
   || { [ -f tests/package-lock.json ] && [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; }; then
  echo "30-node-ws: npm install (tests/)" >&2
  (cd tests && timeout 600 npm install --no-audit --no-fund)
fi

if [ ! -d bench/node_modules/ws ] || [ bench/package.json -nt bench/node_modules/.package-lock.json ]; then
  echo "30-node-ws: npm install (bench/, for the soak smoke run)" >&2
  (cd bench && timeout 600 npm install --no-audit --no-fund)
fi

bash scripts/build-node.sh
bash scripts/build-wasm.sh
bash scripts/setup/chromium.sh >/dev/null
bash scripts/setup/openssl.sh >/dev/null # ws-compat.test.mjs makes a throwaway certificate with it
REDIS_SERVER="$(bash scripts/setup/redis.sh)" # redis.test.mjs starts its own on a free port
export REDIS_SERVER

WSPRISM_BACKEND=native timeout 900 node --test --test-concurrency=1 --test-force-exit \
  tests/node/interop.test.mjs tests/node/browser.test.mjs tests/node/badpeer.test.mjs tests/node/memory.test.mjs \
  tests/node/app-callbacks.test.mjs tests/node/ws-compat.test.mjs tests/node/pubsub.test.mjs tests/node/redis.test.mjs tests/node/soak.test.mjs
echo "30-node-ws: the same suites on the WebAssembly backend (WSPRISM_BACKEND=wasm), without the soak smoke" >&2
WSPRISM_BACKEND=wasm timeout 900 node --test --test-concurrency=1 --test-force-exit \
  tests/node/interop.test.mjs tests/node/browser.test.mjs tests/node/badpeer.test.mjs tests/node/memory.test.mjs \
  tests/node/app-callbacks.test.mjs tests/node/ws-compat.test.mjs tests/node/pubsub.test.mjs tests/node/redis.test.mjs
