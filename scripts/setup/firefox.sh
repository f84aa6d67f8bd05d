#!/usr/bin/env bash
# Debian's firefox-esr (apt; never a downloaded browser), driven over WebDriver BiDi by puppeteer-core
# (tests/conformance/wasm-firefox.test.mjs). Prints its path on stdout; WSPRISM_FIREFOX overrides.
set -euo pipefail
SETUP_NAME=firefox
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FIREFOX=/usr/bin/firefox-esr

if [ -n "${WSPRISM_FIREFOX:-}" ]; then
  [ -x "$WSPRISM_FIREFOX" ] || die "WSPRISM_FIREFOX=$WSPRISM_FIREFOX is not an executable"
  echo "firefox: using WSPRISM_FIREFOX ($WSPRISM_FIREFOX)" >&2
  echo "$WSPRISM_FIREFOX"
  exit 0
fi

if [ -x "$FIREFOX" ]; then
  echo "firefox: cached ($FIREFOX)" >&2
  echo "$FIREFOX"
  exit 0
fi

have_apt || die "$FIREFOX is missing and apt-get is not available: install Firefox by hand and set WSPRISM_FIREFOX"
start="$(now_s)"
apt_install firefox-esr
[ -x "$FIREFOX" ] || die "package firefox-esr installed but $FIREFOX is missing"
log "installed $("$FIREFOX" --version 2>/dev/null || echo firefox-esr) in $(elapsed "$start") s"
echo "$FIREFOX"
