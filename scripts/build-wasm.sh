#!/usr/bin/env bash
# Build packages/wsprism-web from crates/wsprism-wasm:
#
#   bash scripts/build-wasm.sh            # no-op when the outputs are newer than the sources
#   WSPRISM_WASM_FORCE=1 bash scripts/build-wasm.sh
#   WSPRISM_WASM_OPT_LEVEL=s bash scripts/build-wasm.sh   # default s (measured: see bench/README-wasm.md)
#   WSPRISM_WASM_CAPTURE_OPT_LEVEL=s bash scripts/build-wasm.sh   # wsprism-capture (default 3)
#
# 1. scripts/setup/wasm-toolchain.sh (rustup's wasm32 target, or Debian's rustc-web + -Zbuild-std)
# 2. cargo build --release --target wasm32-unknown-unknown -p wsprism-wasm, twice: the codec
#    (--features codec → wsprism_wasm_bg.wasm) and the capture decoder/writer (--features capture
#    → wsprism_capture_bg.wasm, loaded only by wsprism-web/capture), each with
#    +simd128, panic=abort, fat LTO, codegen-units=1, in its own CARGO_TARGET_DIR (target/wasm)
# 3. the pinned wasm-bindgen CLI (scripts/setup/wasm-bindgen-cli.sh): --target web for the ES
#    module entry, --target no-modules for the classic-script bundle
# 4. wasm-opt -O3 if binaryen >= 117 is installed (optional; never installed by this script;
#    Debian 12's binaryen 108 breaks the module and is skipped)
# 5. packages/wsprism-web/scripts/build-classic.mjs: dist/wsprism.js (window.wsprism, wasm
#    embedded as base64) and dist/wsprism.slim.js (loads dist/wsprism_bg.wasm next to itself)
#
# Outputs (gitignored): packages/wsprism-web/wasm/ and packages/wsprism-web/dist/, and the Node
# package's wasm backend packages/wsprism/wasm/ (--target nodejs of the same module).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PKG="$ROOT/packages/wsprism-web"
OUT_WASM="$PKG/wasm"
OUT_DIST="$PKG/dist"
export CARGO_TARGET_DIR="${WSPRISM_WASM_TARGET_DIR:-$ROOT/target/wasm}"
OPT_LEVEL="${WSPRISM_WASM_OPT_LEVEL:-s}"

log() { printf 'build-wasm: %s\n' "$*" >&2; }

# The Node package's wasm backend (packages/wsprism/backend/wasm.js): the same module, bound by
# wasm-bindgen's nodejs target (CommonJS, loads the .wasm beside it synchronously).
OUT_NODE="$ROOT/packages/wsprism/wasm"
outputs=("$OUT_WASM/wsprism_wasm_bg.wasm" "$OUT_WASM/wsprism_wasm.js" "$OUT_DIST/wsprism.js"
         "$OUT_DIST/wsprism.slim.js" "$OUT_DIST/wsprism_bg.wasm"
         "$OUT_NODE/wsprism_wasm.js" "$OUT_NODE/wsprism_wasm_bg.wasm"
         "$OUT_WASM/wsprism_capture_bg.wasm" "$OUT_WASM/wsprism_capture.js"
         "$OUT_DIST/wsprism-capture.js" "$OUT_DIST/wsprism_capture_bg.wasm"
         "$OUT_NODE/wsprism_capture.js" "$OUT_NODE/wsprism_capture_bg.wasm")
sources=(crates/wsprism/src crates/wsprism/Cargo.toml crates/wsprism-capture/src
         crates/wsprism-capture/Cargo.toml crates/wsprism-wasm Cargo.toml Cargo.lock
         "$PKG/src" "$PKG/index.js" "$PKG/scripts" scripts/build-wasm.sh)

up_to_date() {
  [ -z "${WSPRISM_WASM_FORCE:-}" ] || return 1
  local o oldest=""
  for o in "${outputs[@]}"; do
    [ -f "$o" ] || return 1
    if [ -z "$oldest" ] || [ "$o" -ot "$oldest" ]; then oldest="$o"; fi
  done
  # Any source file newer than the oldest output means a rebuild.
  [ -z "$(find "${sources[@]}" -type f -newer "$oldest" -print -quit 2>/dev/null)" ]
}

if up_to_date; then
  log "up to date ($OUT_WASM, $OUT_DIST)"
  exit 0
fi

start=$(date +%s)
ENV_FILE="$(bash scripts/setup/wasm-toolchain.sh | tail -n 1)"
# shellcheck disable=SC1090
. "$ENV_FILE"
BINDGEN="$(bash scripts/setup/wasm-bindgen-cli.sh | tail -n 1)"

# The engine's hot paths (decoder, masking, UTF-8) and the capture reader/index (openCapture)
# at opt-level 3, everything else (deflate, HTTP parsing, serde glue) at $OPT_LEVEL: measured
# in bench/README-wasm.md and packages/wsprism-web/README.md (openCapture).
HOT_OPT="${WSPRISM_WASM_HOT_OPT_LEVEL:-3}"
BINDINGS_OPT="${WSPRISM_WASM_BINDINGS_OPT_LEVEL:-$HOT_OPT}"
CAPTURE_OPT="${WSPRISM_WASM_CAPTURE_OPT_LEVEL:-$HOT_OPT}"
toml_opt() { case "$1" in [0-9]) echo "$1" ;; *) echo "\"$1\"" ;; esac; }   # s/z are strings in TOML
PROFILE_ARGS=(--config "profile.release.package.wsprism.opt-level=$(toml_opt "$HOT_OPT")"
              --config "profile.release.package.wsprism-wasm.opt-level=$(toml_opt "$BINDINGS_OPT")"
              --config "profile.release.package.wsprism-capture.opt-level=$(toml_opt "$CAPTURE_OPT")")
[ -z "${WSPRISM_WASM_LTO:-}" ] || PROFILE_ARGS+=(--config "profile.release.lto=\"$WSPRISM_WASM_LTO\"")
# Two modules from crates/wsprism-wasm's cargo features: the codec (every user) and the
# capture decoder/writer (wsprism-web/capture only). Each is built alone; the built file is
# copied out before the next build overwrites it.
STAGE="$CARGO_TARGET_DIR/wsprism-web.stage"
rm -rf "$STAGE"
mkdir -p "$STAGE/raw" "$STAGE/web" "$STAGE/no-modules" "$STAGE/nodejs"
RAW="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/wsprism_wasm.wasm"
for feature in codec capture; do
  log "cargo build --features $feature (route $WASM_TOOLCHAIN_ROUTE, opt-level $OPT_LEVEL, target dir $CARGO_TARGET_DIR)"
  rm -f "$RAW"
  # Profile settings for this build only (the workspace profile is shared with native builds).
  # shellcheck disable=SC2086
  CARGO_PROFILE_RELEASE_PANIC=abort \
  CARGO_PROFILE_RELEASE_LTO="${WSPRISM_WASM_LTO:-fat}" \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  CARGO_PROFILE_RELEASE_OPT_LEVEL="$OPT_LEVEL" \
  CARGO_PROFILE_RELEASE_DEBUG=false \
  CARGO_PROFILE_RELEASE_STRIP=debuginfo \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128 ${WSPRISM_WASM_RUSTFLAGS:-}" \
    wasm_cargo build --release --target wasm32-unknown-unknown $WASM_BUILD_STD_FLAGS -p wsprism-wasm \
      --no-default-features --features "$feature" "${PROFILE_ARGS[@]}" >&2
  [ -f "$RAW" ] || { log "error: $RAW was not built"; exit 1; }
  # wasm-bindgen names its outputs after the input file.
  case "$feature" in codec) name=wsprism_wasm ;; capture) name=wsprism_capture ;; esac
  cp "$RAW" "$STAGE/raw/$name.wasm"
done

BG_FLAGS=(--remove-name-section --remove-producers-section)
for name in wsprism_wasm wsprism_capture; do
  for t in web no-modules nodejs; do
    "$BINDGEN" --target "$t" "${BG_FLAGS[@]}" --out-dir "$STAGE/$t" "$STAGE/raw/$name.wasm" >&2
  done
done

# wasm-opt (binaryen), if installed and recent: binaryen 108 (Debian 12) mangles the externref
# table wasm-bindgen 0.2.130 emits (instantiation then fails), so older versions are skipped, and
# the optimized module is kept only if it instantiates with its glue. The three targets share
# the same .wasm when wasm-bindgen emits identical modules for them (checked).
WASM_OPT_MIN=117
wasm_opt_one() {
  local name="$1" probe="$2" f="$STAGE/web/$1_bg.wasm" t
  log "wasm-opt -O3 $name (binaryen $v; $(wc -c <"$f") bytes before)"
  if wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
       --enable-mutable-globals --enable-reference-types --enable-multivalue "$f" -o "$f.opt" >&2 \
     && node -e 'const fs=require("fs");import(process.argv[1]).then(m=>{m.initSync({module:fs.readFileSync(process.argv[2])});if(!eval(process.argv[3]))process.exit(1)}).catch(e=>{console.error(e.message);process.exit(1)})' \
          "$STAGE/web/$name.js" "$f.opt" "$probe" >&2; then
    for t in no-modules nodejs; do
      cmp -s "$f" "$STAGE/$t/$name""_bg.wasm" && cp "$f.opt" "$STAGE/$t/$name""_bg.wasm"
    done
    mv "$f.opt" "$f"
  else
    rm -f "$f.opt"
    log "wasm-opt output of $name does not work; keeping the unoptimized module"
  fi
}
if command -v wasm-opt >/dev/null 2>&1; then
  v="$(wasm-opt --version 2>/dev/null | sed -nE 's/.*version ([0-9]+).*/\1/p' | head -n 1)"
  if [ -n "$v" ] && [ "$v" -ge "$WASM_OPT_MIN" ]; then
    wasm_opt_one wsprism_wasm 'm.acceptKey("dGhlIHNhbXBsZSBub25jZQ==")==="s3pPLMBiTxaQ9kYGzzhZRbK+xOo="'
    wasm_opt_one wsprism_capture 'm.writeCapture([],undefined).length>0'
  else
    log "wasm-opt ${v:-?} is older than $WASM_OPT_MIN (breaks wasm-bindgen's externref table); skipping"
  fi
else
  log "wasm-opt not installed (optional, binaryen >= $WASM_OPT_MIN); skipping"
fi

rm -rf "$OUT_WASM"
mkdir -p "$OUT_WASM" "$OUT_DIST"
for name in wsprism_wasm wsprism_capture; do
  cp "$STAGE/web/$name.js" "$STAGE/web/$name.d.ts" "$STAGE/web/$name""_bg.wasm" \
     "$STAGE/web/$name""_bg.wasm.d.ts" "$OUT_WASM/"
done
rm -rf "$OUT_NODE"
mkdir -p "$OUT_NODE"
cp "$STAGE/nodejs/wsprism_wasm.js" "$STAGE/nodejs/wsprism_wasm_bg.wasm" \
   "$STAGE/nodejs/wsprism_capture.js" "$STAGE/nodejs/wsprism_capture_bg.wasm" "$OUT_NODE/"
# The backend copies chunks into wasm memory itself (as wsprism-web's api.js does with init()'s
# exports): the nodejs glue keeps the instance's exports private, so expose them.
grep -q '^let wasm = wasmInstance.exports;$' "$OUT_NODE/wsprism_wasm.js" \
  || { log "error: unexpected wasm-bindgen nodejs glue (no 'let wasm = wasmInstance.exports;')"; exit 1; }
printf '\nmodule.exports.__wasm = wasm;\n' >>"$OUT_NODE/wsprism_wasm.js"
node "$PKG/scripts/build-classic.mjs" "$STAGE/no-modules/wsprism_wasm.js" \
     "$STAGE/no-modules/wsprism_wasm_bg.wasm" "$OUT_DIST" >&2
node "$PKG/scripts/build-classic.mjs" --capture "$STAGE/no-modules/wsprism_capture.js" \
     "$STAGE/no-modules/wsprism_capture_bg.wasm" "$OUT_DIST" >&2
touch "${outputs[@]}"

log "done in $(( $(date +%s) - start )) s"
# The sizes (scripts/wasm-sizes.sh checks them against the targets; README figures).
bash scripts/wasm-sizes.sh --print >&2
