#!/usr/bin/env bash
# `npm start`: builds what the visualizer needs (the Node addon for the demo server, the wasm
# package for the page; both are no-ops when fresh), then starts www/server.js on 127.0.0.1 and
# prints its URL. Port: `npm start -- --port 9000` or PORT=9000 (default 8080, a free one if busy).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null || { echo "node not found: install Node.js 18 or later" >&2; exit 1; }
bash scripts/build-node.sh >&2
bash scripts/build-wasm.sh >&2
exec node www/server.js "$@"
