#!/usr/bin/env bash
# Run `ws`'s own test suite against this repository's Node package: the measure of issue 12 and
# of the README's `ws` compatibility row. Not part of `npm test` (it needs a copy of `ws`'s
# repository, which this repository does not carry).
#
#   WS_REPO=/path/to/ws bash scripts/ws-suite.sh          # native backend
#   WSPRISM_BACKEND=wasm WS_REPO=/path/to/ws bash scripts/ws-suite.sh
#
# WS_REPO: a clone of https://github.com/websockets/ws (a work tree or a bare git directory);
# WS_REF: the tag to test (default 8.21.0, the `ws` release whose API this package follows).
# The three files `test/websocket-server.test.js`, `test/websocket.test.js` and
# `test/create-websocket-stream.test.js` run with mocha 8 in an extracted copy of WS_REF under
# ${WSPRISM_CACHE:-~/.cache/wsprism}/ws-suite/, whose `index.js` is replaced by one line that
# gives packages/wsprism's exports the shape of ws's index.js; `ws`'s `lib/` stays there for the tests' own helpers (its Sender, its
# createWebSocketStream, its constants). Prints one line per test, the failing ones with the
# first line of their error, and `ws suite: N of M passing`.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
ref="${WS_REF:-8.21.0}"
cache="${WSPRISM_CACHE:-${HOME:-/root}/.cache/wsprism}/ws-suite"

[ -n "${WS_REPO:-}" ] || { echo "ws-suite: set WS_REPO to a clone of https://github.com/websockets/ws" >&2; exit 2; }
if git -C "$WS_REPO" rev-parse --git-dir >/dev/null 2>&1; then
  gitdir="$(git -C "$WS_REPO" rev-parse --absolute-git-dir)"
else
  gitdir="$WS_REPO"
fi
git --git-dir="$gitdir" rev-parse --verify -q "$ref^{commit}" >/dev/null \
  || { echo "ws-suite: $WS_REPO has no $ref" >&2; exit 2; }

bash scripts/build-node.sh >&2
if [ "${WSPRISM_BACKEND:-}" = wasm ]; then bash scripts/build-wasm.sh >&2; fi

mkdir -p "$cache"
if [ ! -x "$cache/node_modules/.bin/mocha" ]; then
  echo "ws-suite: npm install mocha@8.4.0 ($cache)" >&2
  (cd "$cache" && [ -f package.json ] || echo '{"private":true}' > package.json
   cd "$cache" && timeout 600 npm install --no-audit --no-fund --loglevel=error mocha@8.4.0)
fi

copy="$cache/ws-$ref"
rm -rf "$copy"
mkdir -p "$copy"
git --git-dir="$gitdir" archive "$ref" | tar -x -C "$copy"
pkg="$(node -p 'JSON.stringify(process.argv[1])' "$root/packages/wsprism")"
# ws's index.js, with wsprism's named exports in place of ws's lib/ modules.
cat > "$copy/index.js" <<JS
'use strict';
// Written by wsprism's scripts/ws-suite.sh: ws's index.js shape over wsprism's exports.
const wsprism = require($pkg);
const WebSocket = wsprism.WebSocket;
WebSocket.createWebSocketStream = wsprism.createWebSocketStream;
WebSocket.Server = wsprism.WebSocketServer;
WebSocket.WebSocket = WebSocket;
WebSocket.WebSocketServer = wsprism.WebSocketServer;
module.exports = WebSocket;
JS

cd "$copy"
echo "ws-suite: ws $ref tests, wsprism backend ${WSPRISM_BACKEND:-auto}" >&2
status=0
NODE_PATH="$cache/node_modules" timeout 900 "$cache/node_modules/.bin/mocha" \
  --reporter "$root/scripts/ws-suite-reporter.cjs" --exit \
  test/websocket-server.test.js test/websocket.test.js test/create-websocket-stream.test.js || status=$?
# mocha exits with the number of failures; a run that did not finish (timeout, crash) is an error.
[ "$status" -lt 124 ] || { echo "ws-suite: mocha did not finish (exit $status)" >&2; exit "$status"; }
