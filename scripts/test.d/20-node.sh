#!/usr/bin/env bash
# The `wsprism` Node package's codec API (tests/node/codec.test.mjs) on both of its backends: the
# native addon, then the WebAssembly engine (WSPRISM_BACKEND=wasm; one more process, no rebuild),
# and its JS fast paths against the engine (tests/node/fastpath.test.mjs, native).
# Builds the addon and the wasm backend first when missing or stale. (The ws-style classes are
# tested by 30-node-ws.sh, installing the packed package by 22-install.sh.)
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build-node.sh
bash scripts/build-wasm.sh
WSPRISM_BACKEND=native timeout 900 node --test tests/node/codec.test.mjs tests/node/fastpath.test.mjs
echo "20-node: codec.test.mjs on the WebAssembly backend (WSPRISM_BACKEND=wasm)" >&2
WSPRISM_BACKEND=wasm timeout 900 node --test tests/node/codec.test.mjs
