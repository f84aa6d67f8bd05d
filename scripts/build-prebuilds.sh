#!/usr/bin/env bash
# The prebuilt Node addons shipped in the npm tarball (packages/wsprism/prebuilds/, gitignored):
#
#   wsprism.linux-x64-gnu.node     rustup's toolchain (the same build as scripts/build-node.sh)
#   wsprism.linux-arm64-gnu.node   Debian's rustc + -Zbuild-std, linked by aarch64-linux-gnu-gcc
#   wsprism.linux-x64-musl.node    Debian's rustc + -Zbuild-std, linked by musl-gcc
#
# All release builds, stripped (strip = symbols of the release profile plus `strip`/
# `aarch64-linux-gnu-strip`). Toolchains: scripts/setup/cross-toolchain.sh (apt). Each target
# is rebuilt only when an input (Rust sources, manifests, lock file, this script) is newer than
# its output: a no-op when fresh. Cross builds share target/cross (one CARGO_TARGET_DIR).
#   bash scripts/build-prebuilds.sh [x64-gnu] [arm64-gnu] [x64-musl]   (default: all three)
#   WSPRISM_FORCE=1 ...   rebuild anyway
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
OUT="$ROOT/packages/wsprism/prebuilds"
mkdir -p "$OUT"
log() { printf 'build-prebuilds: %s\n' "$*" >&2; }

targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(x64-gnu arm64-gnu x64-musl)

stale() {
  local out="$1"
  [ -f "$out" ] || return 0
  [ "${WSPRISM_FORCE:-}" = 1 ] && return 0
  [ -n "$(find crates/wsprism crates/wsprism-capture crates/wsprism-node Cargo.toml Cargo.lock scripts/build-prebuilds.sh \
      \( -path '*/target' -prune \) -o \( -type f \( -name '*.rs' -o -name 'Cargo.toml' -o -name 'Cargo.lock' -o -name '*.sh' \) -newer "$out" -print \) \
      2>/dev/null | head -n 1)" ]
}

install_out() { # src dst strip-tool
  cp "$1" "$2.tmp.$$"
  "$3" --strip-unneeded "$2.tmp.$$"
  mv -f "$2.tmp.$$" "$2"
  log "wrote ${2#"$ROOT"/} ($(stat -c %s "$2") bytes): $(file -b "$2" | cut -d, -f1-2)"
}

for t in "${targets[@]}"; do
  out="$OUT/wsprism.linux-$t.node"
  if ! stale "$out"; then log "${out#"$ROOT"/} is up to date"; continue; fi
  case "$t" in
    x64-gnu)
      bash scripts/build-node.sh
      install_out packages/wsprism/build/wsprism.node "$out" strip
      ;;
    arm64-gnu | x64-musl)
      triple=aarch64-unknown-linux-gnu strip=aarch64-linux-gnu-strip
      [ "$t" = x64-musl ] && triple=x86_64-unknown-linux-musl strip=strip
      ENV_FILE="$(bash scripts/setup/cross-toolchain.sh | tail -n 1)"
      # shellcheck disable=SC1090
      . "$ENV_FILE"
      log "cross_cargo build --release --target $triple $CROSS_BUILD_STD_FLAGS -p wsprism-node"
      start=$(date +%s)
      # shellcheck disable=SC2086
      CARGO_TARGET_DIR="$ROOT/target/cross" cross_cargo build --release --target "$triple" $CROSS_BUILD_STD_FLAGS -p wsprism-node >&2
      log "$triple built in $(( $(date +%s) - start )) s"
      install_out "$ROOT/target/cross/$triple/release/libwsprism_node.so" "$out" "$strip"
      ;;
    *) log "unknown target $t (x64-gnu, arm64-gnu, x64-musl)"; exit 2 ;;
  esac
done
