#!/usr/bin/env bash
# Install Autobahn|Testsuite (wstest, Python 2.7 only) without touching the
# system, and print the path of an executable `wstest` wrapper on stdout (last line):
#
#   WSTEST=$(scripts/setup/autobahn.sh)
#   "$WSTEST" -m fuzzingclient -s spec.json
#
# Layout, under ${WSPRISM_CACHE:-$HOME/.cache/wsprism}/autobahn:
#   prefix/  Debian bullseye's python2.7 (+ libssl1.1, libffi7), unpacked with dpkg -x
#            from .debs fetched with a PRIVATE apt configuration (own sources list,
#            lists, archives and cache dirs, Dir::State::status=/dev/null): bullseye
#            is never added to the system's sources and nothing is installed system-wide
#   site/    pip 20.3.4, setuptools 44.1.1, wheel 0.37.1 and autobahntestsuite
#   bin/wstest  wrapper: LD_LIBRARY_PATH/PYTHONHOME + site.addsitedir, all args passed on
# A `wstest` already on PATH that works is used as is. Needs no root.
# WSPRISM_DEBIAN_MIRROR overrides the Debian mirror (default: the system's).
set -euo pipefail
SETUP_NAME=autobahn
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AB="$WSPRISM_CACHE/autobahn"
WRAPPER="$AB/bin/wstest"
STAMP="$AB/.installed"
SUITE=bullseye
DEBS=(python2.7 python2.7-minimal libpython2.7-stdlib libpython2.7-minimal
      libpython2.7-dev python2.7-dev libssl1.1 libffi7)
WHEELS=(pip==20.3.4 setuptools==44.1.1 wheel==0.37.1)
# The version verified here; override with WSPRISM_AUTOBAHN_VERSION (empty: latest).
AUTOBAHN_VERSION="${WSPRISM_AUTOBAHN_VERSION-25.10.1}"

if [ -x "$WRAPPER" ] && [ -f "$STAMP" ]; then
  echo "autobahn: cached ($WRAPPER)" >&2
  echo "$WRAPPER"
  exit 0
fi
if sys="$(command -v wstest 2>/dev/null)" && timeout 60 "$sys" --autobahnversion >/dev/null 2>&1; then
  echo "autobahn: already installed ($sys)" >&2
  echo "$sys"
  exit 0
fi

lock_cache autobahn
if [ -x "$WRAPPER" ] && [ -f "$STAMP" ]; then   # another run finished while we waited
  echo "autobahn: cached ($WRAPPER)" >&2
  echo "$WRAPPER"
  exit 0
fi

{ command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1; } \
  || die "needs apt-get and dpkg (Debian/Ubuntu) to fetch Python 2.7; elsewhere use Docker's crossbario/autobahn-testsuite"
command -v python3 >/dev/null 2>&1 || die "needs python3 with pip (to download the pip/setuptools/wheel wheels)"
if ! command -v gcc >/dev/null 2>&1; then
  log "gcc is missing (some autobahntestsuite dependencies build C extensions)"
  apt_install gcc libc6-dev
fi

start="$(now_s)"
STAGE="$AB.partial"          # kept across failed runs so downloads are reused
APTDIR="$STAGE/apt"
P="$STAGE/prefix"
SITE="$STAGE/site"
mkdir -p "$APTDIR"/{lists/partial,archives/partial,cache,sources.list.d,preferences.d} \
         "$STAGE/debs" "$STAGE/wheels" "$STAGE/bin"

# --- 1. Python 2.7 from bullseye, via a private apt configuration -----------
debian_mirror() {
  if [ -n "${WSPRISM_DEBIAN_MIRROR:-}" ]; then echo "$WSPRISM_DEBIAN_MIRROR"; return; fi
  local m=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    m="$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
          /etc/apt/sources.list.d/debian.sources)"
  fi
  if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
    m="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($i !~ /security/) print $i; break } }' \
          /etc/apt/sources.list | head -n 1)"
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

MIRROR="$(debian_mirror)"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
opts=""
[ -f "$KEYRING" ] && opts="[signed-by=$KEYRING] "
echo "deb ${opts}${MIRROR%/} $SUITE main" >"$APTDIR/sources.list"

PRIV_APT=(
  -o "Dir::Etc::SourceList=$APTDIR/sources.list"
  -o "Dir::Etc::SourceParts=$APTDIR/sources.list.d"
  -o "Dir::Etc::Preferences=$APTDIR/preferences"
  -o "Dir::Etc::PreferencesParts=$APTDIR/preferences.d"
  -o "Dir::State::Lists=$APTDIR/lists"
  -o "Dir::State::status=/dev/null"
  -o "Dir::State::extended_states=$APTDIR/extended_states"
  -o "Dir::Cache=$APTDIR/cache"
  -o "Dir::Cache::archives=$APTDIR/archives"
  -o "Acquire::Languages=none"
  -o "Acquire::Check-Valid-Until=false"
  -o "Acquire::Retries=3"
  -o "APT::Sandbox::User=$(id -un)"
)

have_all_debs() {
  local d
  for d in "${DEBS[@]}"; do
    compgen -G "$STAGE/debs/${d}_*.deb" >/dev/null || return 1
  done
}

if ! have_all_debs; then
  log "apt-get update (private config: $SUITE from $MIRROR)"
  apt-get "${PRIV_APT[@]}" update -q >&2 \
    || die "private apt-get update for $SUITE failed (does $MIRROR still serve $SUITE?)"
  log "apt-get download ${DEBS[*]}"
  (cd "$STAGE/debs" && apt-get "${PRIV_APT[@]}" download "${DEBS[@]}") >&2 \
    || die "apt-get download from $SUITE failed"
fi

rm -rf "$P"
mkdir -p "$P"
for deb in "$STAGE"/debs/*.deb; do
  dpkg -x "$deb" "$P"
done
[ -x "$P/usr/bin/python2.7" ] || die "python2.7 missing from the unpacked .debs"
LIBDIR="$(cd "$P/usr/lib" && for d in *-linux-gnu*; do [ -d "$d" ] && echo "$d" && break; done)"
[ -n "$LIBDIR" ] || die "no multiarch library dir in $P/usr/lib"

py2() {
  env -u PYTHONPATH -u PYTHONSTARTUP -u PYTHONUSERBASE \
    LD_LIBRARY_PATH="$P/usr/lib/$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    PYTHONHOME="$P/usr" "$P/usr/bin/python2.7" -s "$@"
}
py2 -c 'import ssl, zlib, ctypes, sys; sys.stderr.write("autobahn: %s, %s\n" % (sys.version.split()[0], ssl.OPENSSL_VERSION))' \
  || die "the unpacked python2.7 does not run"

# --- 2. pip/setuptools/wheel for Python 2.7 ---------------------------------
for w in "${WHEELS[@]}"; do
  n="${w%%==*}" v="${w#*==}"
  compgen -G "$STAGE/wheels/${n}-${v}-*.whl" >/dev/null && continue
  log "python3 -m pip download $w"
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 2.7 \
      --dest "$STAGE/wheels" "$w" >&2 || die "pip download $w failed"
done
PIP_WHL="$(compgen -G "$STAGE/wheels/pip-*.whl" | head -n 1)"
rm -rf "$SITE"
mkdir -p "$SITE"
log "installing ${WHEELS[*]} into site/"
py2 "$PIP_WHL/pip" install -q --no-cache-dir --no-index --find-links "$STAGE/wheels" \
    --target "$SITE" "${WHEELS[@]}" >&2 || die "installing pip for python2.7 failed"

# --- 3. autobahntestsuite -----------------------------------------------------
AUTOBAHN_REQ="autobahntestsuite${AUTOBAHN_VERSION:+==$AUTOBAHN_VERSION}"
log "pip install $AUTOBAHN_REQ (python2.7; builds some C extensions)"
env PYTHONPATH="$SITE" CFLAGS="-I$P/usr/include/python2.7 -I$P/usr/include" \
    LD_LIBRARY_PATH="$P/usr/lib/$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" PYTHONHOME="$P/usr" \
    "$P/usr/bin/python2.7" -s -m pip install --no-cache-dir --progress-bar off --target "$SITE" "$AUTOBAHN_REQ" >&2 \
  || die "pip install $AUTOBAHN_REQ failed"

# --- 4. wrapper -----------------------------------------------------------------
cat >"$STAGE/bin/wstest" <<EOF
#!/bin/sh
# Autobahn|Testsuite's wstest on a private Python 2.7; generated by scripts/setup/autobahn.sh.
# All arguments are passed to wstest. Relocatable: paths are found from this file.
here="\$(dirname "\$(dirname "\$(readlink -f "\$0")")")"
P="\$here/prefix"
LD_LIBRARY_PATH="\$P/usr/lib/$LIBDIR\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
PYTHONHOME="\$P/usr"
export LD_LIBRARY_PATH PYTHONHOME
unset PYTHONPATH PYTHONSTARTUP PYTHONUSERBASE
# site.addsitedir (not PYTHONPATH) so the zope namespace package loads.
exec "\$P/usr/bin/python2.7" -s -c '
import site, sys
site.addsitedir(sys.argv[1])
sys.argv = ["wstest"] + sys.argv[2:]
from autobahntestsuite.wstest import run
run()
' "\$here/site" "\$@"
EOF
chmod +x "$STAGE/bin/wstest"

ver="$("$STAGE/bin/wstest" --autobahnversion 2>&1 | tr '\n' ' ')" \
  || die "the wstest wrapper does not run: $ver"
log "wstest --autobahnversion: $ver"

# --- 5. publish ---------------------------------------------------------------
rm -rf "$APTDIR" "$STAGE/debs" "$STAGE/wheels"   # downloads are not needed any more
date -u +%Y-%m-%dT%H:%M:%SZ >"$STAGE/.installed"
rm -rf "$AB"
mv "$STAGE" "$AB"
log "installed in $(elapsed "$start") s"
echo "autobahn: installed ($WRAPPER)" >&2
echo "$WRAPPER"
