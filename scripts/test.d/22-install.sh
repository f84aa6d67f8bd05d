#!/usr/bin/env bash
# Installing the `wsprism` Node package as a user without Rust would, and its prebuilt addons:
#   1. scripts/build-wasm.sh (the WebAssembly backend, wasm/) and scripts/build-prebuilds.sh
#      (prebuilds/: linux-x64-gnu, linux-arm64-gnu, linux-x64-musl; each a no-op when fresh)
#   2. tests/node/prebuilds.test.mjs: each file's architecture, C library, stripping and
#      napi_register_module_v1; the arm64 one loaded by an arm64 Node under qemu-user-static
#   3. tests/node/install.test.mjs: `npm pack`, then `npm install <tarball>` in a temporary app
#      with a PATH without cargo/rustc; echo on the native backend, on WSPRISM_BACKEND=wasm,
#      on WebAssembly by itself when no prebuilt addon matches, and under Bun and Deno
# WSPRISM_PREBUILDS="x64-gnu" limits the prebuilt targets built and checked here (default: all
# three; the cross builds cost about N s in a fresh clone, see README.md "Install").
set -euo pipefail
cd "$(dirname "$0")/../.."

targets="${WSPRISM_PREBUILDS:-x64-gnu arm64-gnu x64-musl}"
bash scripts/build-wasm.sh
# shellcheck disable=SC2086
bash scripts/build-prebuilds.sh $targets
bash scripts/setup/bun-deno.sh >/dev/null
WSPRISM_PREBUILDS="$targets" timeout 1500 node --test --test-concurrency=1 \
  tests/node/prebuilds.test.mjs tests/node/install.test.mjs
