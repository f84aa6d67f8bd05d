#!/usr/bin/env bash
# Profiles one echo server under one load scenario, the way bench/e2e.mjs runs it (server on
# CPU 0, load generator on CPU 1), and prints where the server's time goes.
#
#   bash bench/tools/profile-server.sh wsprism|ws|ws-noaddons [--perf] -- LOADGEN ARGS...
#   bash bench/tools/profile-server.sh wsprism -- --conns 100 --size 20 --window 16
#   bash bench/tools/profile-server.sh ws --perf -- --conns 100 --size 1024 --window 16 --deflate
#
# Default: `node --cpu-prof`, summarized by tools/cpuprofile-top.mjs (self time per JS
# function; native code called from JS is charged to the JS function that called it).
# --perf: `perf record -e cpu-clock -g` on the server for 2 s of the measured window (node runs
# with --perf-basic-prof so JIT frames have names), reported per DSO and per symbol.
# Needs bench/loadgen built (npm run bench builds it) and bench/node_modules (npm install there).
set -euo pipefail
cd "$(dirname "$0")/.."
server=${1:?server: wsprism, ws or ws-noaddons}; shift
use_perf=0
if [ "${1:-}" = "--perf" ]; then use_perf=1; shift; fi
[ "${1:-}" = "--" ] && shift
case "$server" in
  wsprism) script=servers/wsprism-echo.mjs ;;
  ws) script=servers/ws-echo.mjs ;;
  ws-noaddons) script=servers/ws-echo.mjs; export WS_NO_BUFFER_UTIL=1 WS_NO_UTF_8_VALIDATE=1 ;;
  *) echo "unknown server $server" >&2; exit 2 ;;
esac
deflate=()
for a in "$@"; do [ "$a" = "--deflate" ] && deflate=(--deflate); done
out=$(mktemp -d)
pin0=(); pin1=()
if command -v taskset >/dev/null; then pin0=(taskset -c 0); pin1=(taskset -c 1); fi
script=$PWD/$script
: >"$out/ready"
# node runs in $out: V8 may write isolate-*.log files into its working directory.
if [ $use_perf = 1 ]; then
  (cd "$out" && exec "${pin0[@]}" node --perf-basic-prof "$script" "${deflate[@]}" >"$out/ready") &
else
  (cd "$out" && exec "${pin0[@]}" node --cpu-prof --cpu-prof-dir="$out" "$script" "${deflate[@]}" >"$out/ready") &
fi
pid=$!
for _ in $(seq 100); do grep -q READY "$out/ready" && break; sleep 0.05; done
port=$(awk '/READY/{print $2}' "$out/ready")
"${pin1[@]}" loadgen/target/release/loadgen --port "$port" --server-pid "$pid" --duration-ms 3000 "$@" >"$out/result.json" &
lg=$!
if [ $use_perf = 1 ]; then
  sleep 1.5
  perf record -e cpu-clock -F 2000 -g -p "$pid" -o "$out/perf.data" -- sleep 2 2>/dev/null
fi
wait $lg
kill "$pid"; wait "$pid" 2>/dev/null || true
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${Math.round(r.msgs_per_s)} msg/s, server CPU ${r.server_cpu_pct}% (${(1e6 * r.server_cpu_s / r.messages).toFixed(2)} µs/msg), load generator ${r.loadgen_cpu_pct}%`);
' "$out/result.json"
if [ $use_perf = 1 ]; then
  perf report -i "$out/perf.data" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -8
  perf report -i "$out/perf.data" --no-children --sort sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9.]+%' | head -25
  rm -f /tmp/perf-"$pid".map
else
  node tools/cpuprofile-top.mjs "$out"/*.cpuprofile 25
fi
echo "(files in $out)"
