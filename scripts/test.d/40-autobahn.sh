#!/usr/bin/env bash
# Autobahn|Testsuite subset (cases 1.*-10.*, 12.1.*, 13.1.*) in both roles: our server under
# wstest's fuzzingclient and our client against wstest's fuzzingserver, compared with
# tests/autobahn/expected-results.json. The full run: npm run test:autobahn:full.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build-node.sh
bash tests/autobahn/run.sh --subset
