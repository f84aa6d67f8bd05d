#!/usr/bin/env bash
# Builds every fuzz target and runs them one after the other (one job, niced), each for
# SECONDS (default 600), starting from seeds/<target>/ copied into corpus/<target>/.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]     Logs: $FUZZ_LOG_DIR (default /tmp)/fuzz-<target>.log
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and rustup's stable toolchain; RUSTC_BOOTSTRAP=1
# lets stable accept the -Z flags cargo-fuzz passes (-Zsanitizer=address).
set -u
cd "$(dirname "$0")"
secs=${1:-600}
shift $(( $# > 0 ? 1 : 0 ))
targets=${*:-decoder roundtrip handshake inflate inspect capture}
logs=${FUZZ_LOG_DIR:-/tmp}
export RUSTC_BOOTSTRAP=1
nice -n 10 cargo +stable fuzz build || exit 1
status=0
for t in $targets; do
  mkdir -p "corpus/$t"
  cp -n "seeds/$t/"* "corpus/$t/"
  echo "== $t: $(date -u +%FT%TZ), ${secs}s" | tee "$logs/fuzz-$t.log"
  nice -n 10 cargo +stable fuzz run "$t" "corpus/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    >> "$logs/fuzz-$t.log" 2>&1 || status=1
  grep -aE '^#[0-9]+[[:space:]]+DONE|panicked at|^SUMMARY|Test unit written' "$logs/fuzz-$t.log"
done
exit $status
