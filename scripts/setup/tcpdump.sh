#!/usr/bin/env bash
# Ensure tcpdump is installed and print its path on stdout (last line):
#
#   TCPDUMP=$(scripts/setup/tcpdump.sh)
#
# Installs Debian's `tcpdump` package with apt (`apt-get update` first only when needed) if
# `command -v tcpdump` fails. WSPRISM_TCPDUMP=/path/to/tcpdump uses that executable instead.
# Capturing needs root or CAP_NET_RAW/CAP_NET_ADMIN; the capture test (tests/node/capture.test.mjs)
# fails with a clear message when tcpdump cannot open the interface.
set -euo pipefail
SETUP_NAME=tcpdump
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ -n "${WSPRISM_TCPDUMP:-}" ]; then
  [ -x "$WSPRISM_TCPDUMP" ] || die "WSPRISM_TCPDUMP=$WSPRISM_TCPDUMP is not an executable"
  echo "tcpdump: using WSPRISM_TCPDUMP ($WSPRISM_TCPDUMP)" >&2
  echo "$WSPRISM_TCPDUMP"
  exit 0
fi

# Debian installs it in /usr/bin, but root's PATH may lack /usr/sbin-style dirs elsewhere.
if path="$(command -v tcpdump 2>/dev/null)"; then
  echo "tcpdump: cached ($path)" >&2
  echo "$path"
  exit 0
fi

have_apt || die "tcpdump is missing and apt-get is not available: install tcpdump by hand and set WSPRISM_TCPDUMP"
lock_cache tcpdump
start="$(now_s)"
apt_install tcpdump
path="$(command -v tcpdump 2>/dev/null || true)"
[ -n "$path" ] || { [ -x /usr/bin/tcpdump ] && path=/usr/bin/tcpdump; } || true
[ -n "$path" ] || die "package tcpdump installed but no tcpdump executable was found"
log "installed $("$path" --version 2>&1 | head -n 1) in $(elapsed "$start") s"
echo "$path"
