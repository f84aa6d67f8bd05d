#!/usr/bin/env bash
# The `wsprism` Node package's codec API (tests/node/codec.test.mjs), its JS fast paths against the
# engine (tests/node/fastpath.test.mjs) and installing the packed
# package in an app outside the repository (tests/node/install.test.mjs). Builds the addon
# first when it is missing or stale. (The ws-style classes are tested by 30-node-ws.sh.)
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/build-node.sh
timeout 1500 node --test tests/node/codec.test.mjs tests/node/fastpath.test.mjs tests/node/install.test.mjs
