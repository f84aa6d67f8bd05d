#!/usr/bin/env bash
# Bun and Deno from their npm packages (@oven/bun-linux-x64, @deno/linux-x64-glibc), installed
# into the cache ($WSPRISM_CACHE/runtimes). Prints two lines on stdout: the bun path, then the
# deno path. A no-op when both are there.
set -euo pipefail
SETUP_NAME=bun-deno
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="$WSPRISM_CACHE/runtimes"
BUN="$DIR/node_modules/@oven/bun-linux-x64/bin/bun"
DENO="$DIR/node_modules/@deno/linux-x64-glibc/deno"
if [ -x "$BUN" ] && [ -x "$DENO" ]; then
  echo "bun-deno: cached ($DIR)" >&2
  printf '%s\n%s\n' "$BUN" "$DENO"
  exit 0
fi
lock_cache runtimes
mkdir -p "$DIR"
[ -f "$DIR/package.json" ] || echo '{ "private": true }' >"$DIR/package.json"
log "npm install @oven/bun-linux-x64 @deno/linux-x64-glibc"
(cd "$DIR" && timeout 600 npm install --no-audit --no-fund --loglevel=error @oven/bun-linux-x64 @deno/linux-x64-glibc) >&2 \
  || die "npm install of bun/deno failed"
chmod +x "$BUN" "$DENO" 2>/dev/null || true
[ -x "$BUN" ] && [ -x "$DENO" ] || die "bun or deno missing after npm install"
log "bun $("$BUN" --version), $("$DENO" --version | head -n 1)"
printf '%s\n%s\n' "$BUN" "$DENO"
