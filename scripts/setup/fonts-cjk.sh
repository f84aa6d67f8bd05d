#!/usr/bin/env bash
# Ensure a font with Chinese glyphs is installed, so that the visualizer's Chinese page renders
# (and its screenshots show) characters rather than empty boxes in Debian's Chromium:
#
#   bash scripts/setup/fonts-cjk.sh
#
# Installs Debian's `fonts-wqy-microhei` (5 MB) with apt (`apt-get update` first only when
# needed) unless fontconfig already knows a font covering zh (`fc-list :lang=zh`).
set -euo pipefail
SETUP_NAME=fonts-cjk
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n 1)" ]; then
  echo "fonts-cjk: cached ($(fc-list :lang=zh family | head -n 1))" >&2
  exit 0
fi

have_apt || die "no font covers Chinese and apt-get is not available: install a CJK font (e.g. WenQuanYi Micro Hei) by hand"
lock_cache fonts-cjk
start="$(now_s)"
apt_install fonts-wqy-microhei fontconfig
command -v fc-cache >/dev/null 2>&1 && fc-cache -f >/dev/null 2>&1 || true
log "installed fonts-wqy-microhei in $(elapsed "$start") s"
