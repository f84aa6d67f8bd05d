#!/usr/bin/env bash
# Builds the Node addon (crates/wsprism-node, release) and copies it to
# packages/wsprism/build/wsprism.node — only when it is missing or older than any Rust source,
# Cargo.toml or Cargo.lock it depends on (a fast no-op when fresh). WSPRISM_FORCE=1 rebuilds.
set -euo pipefail
cd "$(dirname "$0")/.."
out=packages/wsprism/build/wsprism.node

stale() {
  [[ -f "$out" ]] || return 0
  [[ "${WSPRISM_FORCE:-}" == 1 ]] && return 0
  local newer
  newer=$(find crates/wsprism crates/wsprism-capture crates/wsprism-node Cargo.toml Cargo.lock \
    \( -path '*/target' -prune \) -o \( -type f \( -name '*.rs' -o -name 'Cargo.toml' -o -name 'Cargo.lock' \) -newer "$out" -print \) \
    2>/dev/null | head -n 1)
  [[ -n "$newer" ]]
}

if ! stale; then
  echo "build-node: $out is up to date" >&2
  exit 0
fi

if ! command -v cargo >/dev/null 2>&1; then
  [[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 || {
  echo "build-node: cargo not found. Install Rust (https://rustup.rs), then run: bash scripts/build-node.sh" >&2
  exit 1
}

echo "build-node: cargo build --release -p wsprism-node" >&2
cargo build --release -p wsprism-node >&2
target_dir=$(cargo metadata --format-version 1 --no-deps 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).target_directory)}catch{console.log("target")}})')
case "$(uname -s)" in
  Darwin) lib="$target_dir/release/libwsprism_node.dylib" ;;
  MINGW* | MSYS* | CYGWIN*) lib="$target_dir/release/wsprism_node.dll" ;;
  *) lib="$target_dir/release/libwsprism_node.so" ;;
esac
mkdir -p "$(dirname "$out")"
# Copy to a temp name and rename: a running process that has the old file mapped keeps it.
cp "$lib" "$out.tmp.$$"
mv -f "$out.tmp.$$" "$out"
echo "build-node: wrote $out" >&2
