#!/usr/bin/env bash
# Cloudflare's workerd from its npm package (@cloudflare/workerd-linux-64), installed into the
# cache ($WSPRISM_CACHE/workerd). Prints the workerd path on stdout. A no-op when it is there.
set -euo pipefail
SETUP_NAME=workerd
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="$WSPRISM_CACHE/workerd"
BIN="$DIR/node_modules/@cloudflare/workerd-linux-64/bin/workerd"
if [ -x "$BIN" ]; then
  echo "workerd: cached ($DIR)" >&2
  printf '%s\n' "$BIN"
  exit 0
fi
lock_cache workerd
mkdir -p "$DIR"
[ -f "$DIR/package.json" ] || echo '{ "private": true }' >"$DIR/package.json"
log "npm install @cloudflare/workerd-linux-64"
(cd "$DIR" && timeout 600 npm install --no-audit --no-fund --loglevel=error @cloudflare/workerd-linux-64) >&2 \
  || die "npm install of workerd failed"
chmod +x "$BIN" 2>/dev/null || true
[ -x "$BIN" ] || die "workerd missing after npm install"
log "workerd $("$BIN" --version)"
printf '%s\n' "$BIN"
