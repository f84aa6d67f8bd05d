#!/usr/bin/env bash
# Autobahn|Testsuite subset (cases 1.*-10.*, 12.1.*, 13.1.*) in both roles: our server under
# wstest's fuzzingclient and our client against wstest's fuzzingserver, compared with
# tests/autobahn/expected-results.json, on each backend of the Node package: the native addon,
# then the WebAssembly engine (WSPRISM_BACKEND=wasm; reports in reports/autobahn-wasm/).
# WSPRISM_AB_BACKENDS="native" runs one. The full run: npm run test:autobahn:full.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build-node.sh
for backend in ${WSPRISM_AB_BACKENDS:-native wasm}; do
  case "$backend" in
    native) WSPRISM_BACKEND=native bash tests/autobahn/run.sh --subset ;;
    wasm)
      bash scripts/build-wasm.sh
      echo "40-autobahn: the subset on the WebAssembly backend (WSPRISM_BACKEND=wasm)" >&2
      WSPRISM_BACKEND=wasm WSPRISM_AB_REPORTS="$PWD/reports/autobahn-wasm" bash tests/autobahn/run.sh --subset
      ;;
    *) echo "40-autobahn: WSPRISM_AB_BACKENDS: native or wasm, got $backend" >&2; exit 2 ;;
  esac
done
