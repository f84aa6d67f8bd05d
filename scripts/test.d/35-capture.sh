#!/usr/bin/env bash
# Captures (docs/capture.md): tcpdump records real WebSocket conversations on 127.0.0.1
# (wsprism <-> ws, both roles, with and without permessage-deflate) on lo (Ethernet link type)
# and on `any` (Linux cooked v2); the pcap and a Chrome-shaped HAR written from it are decoded
# by the Node package's inspectCapture, by wsprism-web's inspectCapture in Node and by the CLI
# (`wsprism capture FILE --json`), and every message is checked byte for byte against what was
# sent (tests/node/capture.test.mjs).
#
# Builds what it needs (the addon, the wasm package, the CLI; no-ops when fresh), installs
# tcpdump with apt when missing (scripts/setup/tcpdump.sh) and the test's npm dependencies
# (tests/node_modules). Capturing needs root or CAP_NET_RAW: without it the test fails and says
# so (it does not skip). WSPRISM_CAPTURE_DIR=/dir keeps the capture files.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -d tests/node_modules/ws ] \
   || [ tests/package.json -nt tests/node_modules/.package-lock.json ] \
   || { [ -f tests/package-lock.json ] && [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; }; then
  echo "35-capture: npm install (tests/)" >&2
  (cd tests && timeout 600 npm install --no-audit --no-fund)
fi

WSPRISM_TCPDUMP="$(bash scripts/setup/tcpdump.sh | tail -n 1)"
export WSPRISM_TCPDUMP
bash scripts/build-node.sh
bash scripts/build-wasm.sh
echo "35-capture: cargo build -p wsprism-cli" >&2
cargo build -p wsprism-cli >&2
target_dir=$(cargo metadata --format-version 1 --no-deps 2>/dev/null \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).target_directory)}catch{console.log("target")}})')
WSPRISM_CLI="$target_dir/debug/wsprism"
export WSPRISM_CLI

timeout 900 node --test --test-concurrency=1 --test-force-exit tests/node/capture.test.mjs
