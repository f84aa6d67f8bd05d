#!/usr/bin/env bash
# Ensure Debian's redis-server is installed and print the path of its executable on stdout
# (last line):
#
#   REDIS_SERVER=$(scripts/setup/redis.sh)
#
# Installs the `redis-server` package with apt (`apt-get update` first only when needed) if
# /usr/bin/redis-server is missing; WSPRISM_REDIS_SERVER=/path/to/redis-server uses that
# executable instead. Nothing runs as a service for the tests: each test starts its own
#   redis-server --port P --bind 127.0.0.1 --save '' --appendonly no
# on a free port and kills it after (no root needed then). Debian's package may start its own
# service on 6379 where an init system runs; the tests never use it.
set -euo pipefail
SETUP_NAME=redis
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REDIS_SERVER=/usr/bin/redis-server

if [ -n "${WSPRISM_REDIS_SERVER:-}" ]; then
  [ -x "$WSPRISM_REDIS_SERVER" ] || die "WSPRISM_REDIS_SERVER=$WSPRISM_REDIS_SERVER is not an executable"
  echo "redis: using WSPRISM_REDIS_SERVER ($WSPRISM_REDIS_SERVER)" >&2
  echo "$WSPRISM_REDIS_SERVER"
  exit 0
fi

if [ -x "$REDIS_SERVER" ]; then
  echo "redis: cached ($REDIS_SERVER)" >&2
  echo "$REDIS_SERVER"
  exit 0
fi

have_apt || die "$REDIS_SERVER is missing and apt-get is not available: install redis-server by hand and set WSPRISM_REDIS_SERVER"
lock_cache redis
start="$(now_s)"
apt_install redis-server
[ -x "$REDIS_SERVER" ] || die "package redis-server installed but $REDIS_SERVER is missing"
log "installed $("$REDIS_SERVER" --version 2>/dev/null || echo redis-server) in $(elapsed "$start") s"
echo "$REDIS_SERVER"
