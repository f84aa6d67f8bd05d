#!/usr/bin/env bash
# Installing the `wsprism` Node package as a user without Rust would, and its prebuilt addons:
#   1. scripts/build-wasm.sh (the WebAssembly backend, wasm/) and scripts/build-prebuilds.sh
#      (prebuilds/: linux-x64-gnu, linux-arm64-gnu, linux-x64-musl; each a no-op when fresh)
#   2. tests/node/prebuilds.test.mjs: each file's architecture, C library, stripping and
#      napi_register_module_v1; the arm64 one loaded by an arm64 Node under qemu-user-static
#   3. tests/node/install.test.mjs: `npm pack`, then `npm install <tarball>` in a temporary app
#      with a PATH without cargo/rustc; echo on the native backend, on WSPRISM_BACKEND=wasm,
#      on WebAssembly by itself when no prebuilt addon matches, and under Bun and Deno
# WSPRISM_PREBUILDS lists the prebuilt targets built (and required) here. Default: x64-gnu only
# (a strip of scripts/build-node.sh's output). The cross builds (-Zbuild-std) cost about 6 min
# each in a fresh clone on this 2-core machine, so they are built by `npm pack` (prepack) and
# here only on request: WSPRISM_PREBUILDS="x64-gnu arm64-gnu x64-musl" npm test. Prebuilt files
# already present (from an earlier npm pack) are rebuilt when stale and checked too (the arm64
# one also run under qemu), since the tarball test packs them.
set -euo pipefail
cd "$(dirname "$0")/../.."

targets="${WSPRISM_PREBUILDS:-x64-gnu}"
build=" $targets "
for f in packages/wsprism/prebuilds/wsprism.linux-*.node; do
  [ -e "$f" ] || continue
  t="${f##*/wsprism.linux-}"; t="${t%.node}"
  [[ "$build" == *" $t "* ]] || build="$build$t "
done
bash scripts/build-wasm.sh
# shellcheck disable=SC2086
bash scripts/build-prebuilds.sh $build
bash scripts/setup/bun-deno.sh >/dev/null
WSPRISM_PREBUILDS="$targets" timeout 1500 node --test --test-concurrency=1 \
  tests/node/prebuilds.test.mjs tests/node/install.test.mjs
