#!/usr/bin/env bash
# `npm test`: builds what is needed and runs every test suite, in order:
#   1. Rust: cargo test --workspace (engine, CLI), clippy and rustfmt checks
#   2. each scripts/test.d/NN-*.sh (Node package, wasm package, browser, Autobahn, ...)
# Set WSPRISM_SKIP="name1 name2" to skip test.d scripts by name (e.g. "autobahn").
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*" >&2; }

command -v cargo >/dev/null || { echo "cargo not found: install Rust from https://rustup.rs" >&2; exit 1; }

step "cargo test --workspace"
cargo test --workspace --all-targets
cargo test --workspace --doc

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo fmt --check"
cargo fmt --all -- --check
# bench/loadgen is its own cargo workspace (npm run bench builds it); formatting needs no build.
cargo fmt --manifest-path bench/loadgen/Cargo.toml -- --check

shopt -s nullglob
for t in scripts/test.d/*.sh; do
  name=$(basename "$t" .sh); name=${name#[0-9][0-9]-}
  if [[ " ${WSPRISM_SKIP:-} " == *" $name "* ]]; then step "skipping $name (WSPRISM_SKIP)"; continue; fi
  step "$t"
  bash "$t"
done
step "all test suites passed"
