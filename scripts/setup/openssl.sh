#!/usr/bin/env bash
# Ensure the `openssl` command is installed and print its path on stdout (last line):
#
#   OPENSSL=$(scripts/setup/openssl.sh)
#
# The Node tests make a throwaway certificate with it (an `https` server for the TLS client
# tests: tests/node/ws-compat.test.mjs). Installs Debian's `openssl` package with apt
# (`apt-get update` first only when needed) when the command is missing. WSPRISM_OPENSSL=/path
# uses that executable instead.
set -euo pipefail
SETUP_NAME=openssl
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ -n "${WSPRISM_OPENSSL:-}" ]; then
  [ -x "$WSPRISM_OPENSSL" ] || die "WSPRISM_OPENSSL=$WSPRISM_OPENSSL is not an executable"
  echo "$WSPRISM_OPENSSL"
  exit 0
fi

if path="$(command -v openssl 2>/dev/null)"; then
  echo "openssl: present ($path)" >&2
  echo "$path"
  exit 0
fi

have_apt || die "openssl is missing and apt-get is not available: install OpenSSL by hand and set WSPRISM_OPENSSL"
start="$(now_s)"
apt_install openssl
path="$(command -v openssl)" || die "package openssl installed but no openssl command"
log "installed $("$path" version) in $(elapsed "$start") s"
echo "$path"
