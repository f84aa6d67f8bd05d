#!/usr/bin/env bash
# Autobahn|Testsuite against wsprism, both roles:
#   server: wstest -m fuzzingclient  -> tests/autobahn/echo-server.js (our WebSocketServer)
#   client: wstest -m fuzzingserver  <- tests/autobahn/client-runner.js (our WebSocket client)
# Results are compared with tests/autobahn/expected-results.json by compare.js.
#
#   bash tests/autobahn/run.sh [--subset|--full] [--role server|client|both] [--write-expected]
#     --subset (default): cases 1.* - 10.*, 12.1.*, 13.1.*      --full: every case
#     --cases '12.2.*,13.3.*': just those (reports under reports/autobahn/custom/)
#     --write-expected: record this run's results as the expectation (only OK/INFORMATIONAL)
# Reports: reports/autobahn/<subset|full>/<server|client>/ (gitignored; WSPRISM_AB_REPORTS=<dir>
# replaces reports/autobahn). wstest comes from
# scripts/setup/autobahn.sh (installed into a cache on first use). Every step is time-bounded.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/autobahn"
cd "$ROOT"

mode=subset
roles="server client"
write=""
while [ $# -gt 0 ]; do
  case "$1" in
    --subset) mode=subset ;;
    --full) mode=full ;;
    --cases) shift; mode=custom; CASE_LIST="${1:?--cases needs a list like 12.2.*,13.3.*}" ;;
    --role) shift; case "${1:-}" in server|client) roles="$1" ;; both) roles="server client" ;; *) echo "run.sh: --role server|client|both" >&2; exit 2 ;; esac ;;
    --write-expected) write=--write ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$mode" = custom ]; then
  CASES="[$(printf '%s' "$CASE_LIST" | sed 's/[^,][^,]*/"&"/g')]"; LIMIT=${WSPRISM_AB_TIMEOUT:-7200}
elif [ "$mode" = full ]; then
  CASES='["*"]'; CASE_LIST='*'; LIMIT=${WSPRISM_AB_TIMEOUT:-7200}
else
  CASES='["1.*","2.*","3.*","4.*","5.*","6.*","7.*","8.*","9.*","10.*","12.1.*","13.1.*"]'
  CASE_LIST='1.*,2.*,3.*,4.*,5.*,6.*,7.*,8.*,9.*,10.*,12.1.*,13.1.*'
  LIMIT=${WSPRISM_AB_TIMEOUT:-900}
fi

WSTEST="$(bash scripts/setup/autobahn.sh | tail -n 1)"
[ -x "$WSTEST" ] || { echo "run.sh: no wstest (scripts/setup/autobahn.sh failed)" >&2; exit 1; }

# Run wstest with its listening sockets on 127.0.0.1 when it is our private install
# (wstest's fuzzingserver binds all interfaces otherwise).
AB_HOME="$(dirname "$(dirname "$(readlink -f "$WSTEST")")")"
wstest() {
  local py="$AB_HOME/prefix/usr/bin/python2.7" libdir
  if [ -x "$py" ] && [ -d "$AB_HOME/site" ]; then
    libdir="$(ls -d "$AB_HOME"/prefix/usr/lib/*-linux-gnu* 2>/dev/null | head -n 1)"
    exec env -u PYTHONPATH -u PYTHONSTARTUP -u PYTHONUSERBASE \
      LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" PYTHONHOME="$AB_HOME/prefix/usr" \
      "$py" -s "$HERE/wstest_loopback.py" "$AB_HOME/site" "$@"
  else
    exec "$WSTEST" "$@"
  fi
}
export AB_HOME HERE WSTEST
export -f wstest

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

spec() { # template outdir port
  sed -e "s|@OUTDIR@|$2|" -e "s|@PORT@|$3|" -e "s|@CASES@|$CASES|" "$1"
}

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

status=0
for role in $roles; do
  OUT="${WSPRISM_AB_REPORTS:-$ROOT/reports/autobahn}/$mode/$role"
  rm -rf "$OUT"
  mkdir -p "$OUT"
  start=$(date +%s)
  if [ "$role" = server ]; then
    # our echo server on a free port; it prints "listening <port>"
    node "$HERE/echo-server.js" 0 >"$OUT/echo-server.log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    port=""
    for _ in $(seq 1 100); do
      port="$(sed -n 's/^listening \([0-9]*\)$/\1/p' "$OUT/echo-server.log" | head -n 1)"
      [ -n "$port" ] && break
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    [ -n "$port" ] || { cat "$OUT/echo-server.log" >&2; echo "run.sh: echo server did not start" >&2; exit 1; }
    spec "$HERE/fuzzingclient.json" "$OUT" "$port" >"$OUT/spec.json"
    echo "autobahn server: wstest -m fuzzingclient against ws://127.0.0.1:$port ($mode)" >&2
    (cd "$OUT" && timeout "$LIMIT" bash -c 'wstest -m fuzzingclient -s spec.json' >"$OUT/wstest.log" 2>&1) \
      || { echo "run.sh: wstest fuzzingclient failed or timed out (see $OUT/wstest.log)" >&2; tail -n 20 "$OUT/wstest.log" >&2; status=1; }
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  else
    port="$(free_port)"
    spec "$HERE/fuzzingserver.json" "$OUT" "$port" >"$OUT/spec.json"
    echo "autobahn client: wstest -m fuzzingserver on ws://127.0.0.1:$port ($mode)" >&2
    (cd "$OUT" && exec timeout "$LIMIT" bash -c 'wstest -m fuzzingserver --webport 0 -s spec.json' >"$OUT/wstest.log" 2>&1) &
    WSTEST_PID=$!
    PIDS+=("$WSTEST_PID")
    ready=""
    for _ in $(seq 1 300); do
      if node -e "const s=require('net').connect($port,'127.0.0.1');s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1))" 2>/dev/null; then ready=1; break; fi
      kill -0 "$WSTEST_PID" 2>/dev/null || break
      sleep 0.2
    done
    [ -n "$ready" ] || { tail -n 20 "$OUT/wstest.log" >&2; echo "run.sh: wstest fuzzingserver did not start" >&2; exit 1; }
    timeout "$LIMIT" node "$HERE/client-runner.js" "ws://127.0.0.1:$port" wsprism \
      || { echo "run.sh: client-runner failed or timed out" >&2; status=1; }
    kill "$WSTEST_PID" 2>/dev/null || true
    wait "$WSTEST_PID" 2>/dev/null || true
  fi
  echo "autobahn $role: wstest finished in $(( $(date +%s) - start )) s; report: ${OUT#$ROOT/}/index.html" >&2
  if [ -f "$OUT/index.json" ]; then
    node "$HERE/compare.js" --role "$role" --report "$OUT/index.json" --cases "$CASE_LIST" $write || status=1
  else
    echo "run.sh: no $OUT/index.json" >&2
    status=1
  fi
done
exit $status
