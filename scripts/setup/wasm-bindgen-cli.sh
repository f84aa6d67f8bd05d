#!/usr/bin/env bash
# Install wasm-bindgen-cli at exactly one version and print the binary's path
# on stdout (last line); progress goes to stderr:
#
#   BIN=$(scripts/setup/wasm-bindgen-cli.sh)            # version from the repo
#   BIN=$(scripts/setup/wasm-bindgen-cli.sh 0.2.130)    # explicit version
#
# The CLI must equal the wasm-bindgen crate's version exactly. Default version:
#   1. the `=X` pin of wasm-bindgen in crates/wsprism-wasm/Cargo.toml
#      (`wasm-bindgen = "=X"` or `wasm-bindgen = { version = "=X", ... }`,
#      or the workspace's pin when the crate says `workspace = true`),
#   2. else the wasm-bindgen version resolved in Cargo.lock,
#   3. else 0.2.130.
# Installed into ${WSPRISM_CACHE:-$HOME/.cache/wsprism}/wasm-bindgen-X/bin with
# rustup's (native) cargo; a wasm-bindgen of that version already on PATH is used as is.
set -euo pipefail
SETUP_NAME=wasm-bindgen-cli
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEFAULT_VERSION=0.2.130

# Print the `=X` pin of wasm-bindgen in a Cargo.toml (first match), if any.
pin_in_manifest() {
  local f="$1"
  [ -f "$f" ] || return 0
  sed -nE \
    -e 's/^[[:space:]]*wasm-bindgen[[:space:]]*=[[:space:]]*"=[[:space:]]*([0-9][0-9A-Za-z.+-]*)".*/\1/p' \
    -e 's/^[[:space:]]*wasm-bindgen[[:space:]]*=[[:space:]]*\{.*version[[:space:]]*=[[:space:]]*"=[[:space:]]*([0-9][0-9A-Za-z.+-]*)".*/\1/p' \
    "$f" | head -n 1
}

uses_workspace_dep() {
  grep -Eq '^[[:space:]]*wasm-bindgen[[:space:]]*=[[:space:]]*\{.*workspace[[:space:]]*=[[:space:]]*true' "$1" 2>/dev/null \
    || grep -Eq '^[[:space:]]*wasm-bindgen\.workspace[[:space:]]*=[[:space:]]*true' "$1" 2>/dev/null
}

version_from_lock() {
  local lock="$REPO_ROOT/Cargo.lock"
  [ -f "$lock" ] || return 0
  awk '/^\[\[package\]\]/ { n = "" }
       /^name = "wasm-bindgen"$/ { n = 1; next }
       n && /^version = / { gsub(/"/, "", $3); print $3; exit }' "$lock"
}

# Sets VERSION and VERSION_FROM (logged only when something is installed, so
# a cached run prints a single line).
resolve_version() {
  local manifest="$REPO_ROOT/crates/wsprism-wasm/Cargo.toml" v=""
  if [ -f "$manifest" ]; then
    v="$(pin_in_manifest "$manifest")"
    if [ -z "$v" ] && uses_workspace_dep "$manifest"; then
      v="$(pin_in_manifest "$REPO_ROOT/Cargo.toml")"
    fi
    if [ -n "$v" ]; then VERSION="$v" VERSION_FROM="pinned in crates/wsprism-wasm/Cargo.toml"; return; fi
  fi
  v="$(version_from_lock)"
  if [ -n "$v" ]; then VERSION="$v" VERSION_FROM="resolved in Cargo.lock"; return; fi
  VERSION="$DEFAULT_VERSION" VERSION_FROM="default (no pin found)"
}

VERSION="${1:-}" VERSION_FROM="command line"
[ -n "$VERSION" ] || resolve_version
VERSION="${VERSION#=}"
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+([.+-][0-9A-Za-z.+-]*)?$ ]] || die "bad version: '$VERSION'"

ROOT="$WSPRISM_CACHE/wasm-bindgen-$VERSION"
BIN="$ROOT/bin/wasm-bindgen"

bin_has_version() { [ -x "$1" ] && [ "$("$1" --version 2>/dev/null | awk '{print $2}')" = "$VERSION" ]; }

if bin_has_version "$BIN"; then
  echo "wasm-bindgen-cli $VERSION: cached ($BIN)" >&2
  echo "$BIN"
  exit 0
fi
if sys="$(command -v wasm-bindgen 2>/dev/null)" && bin_has_version "$sys"; then
  echo "wasm-bindgen-cli $VERSION: already installed ($sys)" >&2
  echo "$sys"
  exit 0
fi

lock_cache "wasm-bindgen-$VERSION"
if bin_has_version "$BIN"; then   # another run finished while we waited
  echo "wasm-bindgen-cli $VERSION: cached ($BIN)" >&2
  echo "$BIN"
  exit 0
fi

# rustup's native cargo (not Debian's /usr/bin/cargo, which is only for wasm).
if command -v rustup >/dev/null 2>&1; then
  CARGO="$(dirname "$(command -v rustup)")/cargo"
else
  CARGO="$(command -v cargo 2>/dev/null || true)"
fi
{ [ -n "$CARGO" ] && [ -x "$CARGO" ]; } || die "no cargo found (install Rust with rustup)"

STAGE="$ROOT.partial"
rm -rf "$STAGE"
mkdir -p "$STAGE"
start="$(now_s)"
# Neutral directory and environment: no repo .cargo/config.toml, no wasm
# RUSTFLAGS/target/RUSTC leaking in from a caller that sourced wasm-env.sh.
cargo_install() {
  (
    cd "$STAGE"
    env -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS -u CARGO_BUILD_TARGET -u CARGO_TARGET_DIR \
        -u CARGO_BUILD_TARGET_DIR -u RUSTC -u RUSTC_WRAPPER -u RUSTC_BOOTSTRAP \
      "$CARGO" install wasm-bindgen-cli --version "$VERSION" --root "$STAGE" "$@"
  ) 2>&1 | tee "$STAGE/install.log" >&2
  return "${PIPESTATUS[0]}"
}
log "version $VERSION: $VERSION_FROM"
log "cargo install wasm-bindgen-cli --version $VERSION --locked (several minutes on 2 cores)"
if ! cargo_install --locked; then
  # The registry may lack a version recorded in the CLI's Cargo.lock (a
  # mirror that trails crates.io): then resolve afresh, as cargo does by default.
  if grep -q 'failed to select a version' "$STAGE/install.log"; then
    log "the locked dependency versions are not all in the registry; retrying without --locked"
    cargo_install || { rm -rf "$STAGE"; die "cargo install wasm-bindgen-cli $VERSION failed"; }
  else
    rm -rf "$STAGE"; die "cargo install wasm-bindgen-cli $VERSION --locked failed"
  fi
fi
rm -f "$STAGE/install.log"

bin_has_version "$STAGE/bin/wasm-bindgen" || { rm -rf "$STAGE"; die "installed wasm-bindgen does not report version $VERSION"; }
rm -rf "$ROOT"
mv "$STAGE" "$ROOT"
log "installed in $(elapsed "$start") s"
echo "wasm-bindgen-cli $VERSION: installed ($BIN)" >&2
echo "$BIN"
