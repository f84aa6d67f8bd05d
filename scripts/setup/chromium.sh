#!/usr/bin/env bash
# Ensure Debian's Chromium is installed and print its path on stdout (last line):
#
#   CHROMIUM=$(scripts/setup/chromium.sh)
#
# Installs the `chromium` package with apt (`apt-get update` first only when
# needed) if /usr/bin/chromium is missing. Never downloads a browser from
# anywhere else (no `npx playwright install`). WSPRISM_CHROMIUM=/path/to/chrome
# uses that executable instead. Drive it with playwright-core:
#   executablePath: '/usr/bin/chromium', args: --headless --no-sandbox --disable-gpu
#   --disable-quic --no-first-run --disable-background-networking
#   --disable-component-update --disable-sync
set -euo pipefail
SETUP_NAME=chromium
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHROMIUM=/usr/bin/chromium

if [ -n "${WSPRISM_CHROMIUM:-}" ]; then
  [ -x "$WSPRISM_CHROMIUM" ] || die "WSPRISM_CHROMIUM=$WSPRISM_CHROMIUM is not an executable"
  echo "chromium: using WSPRISM_CHROMIUM ($WSPRISM_CHROMIUM)" >&2
  echo "$WSPRISM_CHROMIUM"
  exit 0
fi

if [ -x "$CHROMIUM" ]; then
  echo "chromium: cached ($CHROMIUM)" >&2
  echo "$CHROMIUM"
  exit 0
fi

have_apt || die "$CHROMIUM is missing and apt-get is not available: install Chromium by hand and set WSPRISM_CHROMIUM"
start="$(now_s)"
apt_install chromium
[ -x "$CHROMIUM" ] || die "package chromium installed but $CHROMIUM is missing"
log "installed $("$CHROMIUM" --version 2>/dev/null || echo chromium) in $(elapsed "$start") s"
echo "$CHROMIUM"
