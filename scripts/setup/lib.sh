# shellcheck shell=bash
# Shared helpers for scripts/setup/*.sh. Sourced, never executed.
#
# Cache for everything installed outside apt: ${WSPRISM_CACHE:-$HOME/.cache/wsprism}

WSPRISM_CACHE="${WSPRISM_CACHE:-${HOME:-/root}/.cache/wsprism}"
SETUP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC2034 # used by the scripts that source this file
REPO_ROOT="$(cd "$SETUP_DIR/../.." && pwd)"

# All progress goes to stderr; stdout is reserved for a script's result.
log() { printf '%s: %s\n' "${SETUP_NAME:-setup}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${SETUP_NAME:-setup}" "$*" >&2; exit 1; }

ensure_cache() { mkdir -p "$WSPRISM_CACHE"; }

# Take an exclusive lock for this script so two concurrent runs do not
# install the same thing twice. The lock is released when the script exits.
lock_cache() {
  ensure_cache
  local name="$1"
  exec 9>"$WSPRISM_CACHE/.$name.lock"
  if ! flock -n 9; then
    log "another run holds $WSPRISM_CACHE/.$name.lock; waiting"
    flock 9
  fi
}

# Run a command as root (sudo only when not already root).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run: $* (no sudo available)"
  fi
}

have_apt() { command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; }

# True if every named Debian package is installed.
deb_installed() {
  local p st
  for p in "$@"; do
    st="$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)"
    [ "$st" = installed ] || return 1
  done
}

# apt-get waiting for the dpkg lock (other engineers may be installing too).
APT_OPTS=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
apt_get() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" "$@"
}

# True if the package lists are missing a candidate for any package, or are
# older than a day: then an `apt-get update` is needed before installing.
apt_lists_need_update() {
  local p cand newest now
  for p in "$@"; do
    cand="$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')"
    if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
      return 0
    fi
  done
  newest="$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -printf '%T@\n' 2>/dev/null | sort -n | tail -1)"
  [ -n "$newest" ] || return 0
  now="$(date +%s)"
  [ $(( now - ${newest%.*} )) -gt 86400 ]
}

# Install Debian packages that are not installed yet. `apt-get update` runs
# only if needed: no candidate / stale lists up front, or a failed install
# (e.g. a .deb that has since left the mirror) once.
apt_install() {
  local missing=() p
  for p in "$@"; do
    deb_installed "$p" || missing+=("$p")
  done
  [ "${#missing[@]}" -gt 0 ] || return 0
  have_apt || die "apt-get is not available: install ${missing[*]} by hand"
  local updated=0
  if apt_lists_need_update "${missing[@]}"; then
    log "apt-get update"
    apt_get update -q >&2 || die "apt-get update failed"
    updated=1
  fi
  log "apt-get install -y ${missing[*]}"
  if ! apt_get install -y -q "${missing[@]}" >&2; then
    [ "$updated" -eq 0 ] || die "apt-get install ${missing[*]} failed"
    log "install failed with the current package lists; apt-get update and retry"
    apt_get update -q >&2 || die "apt-get update failed"
    apt_get install -y -q "${missing[@]}" >&2 \
      || die "apt-get install ${missing[*]} failed"
  fi
}

# Seconds since the epoch with fractions, for timing messages.
now_s() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }
