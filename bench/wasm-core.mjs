// The wsprism-web benchmarks, shared by bench/wasm.mjs (Node) and bench/wasm-browser.mjs
// (Chromium): wasm `mask` and `Decoder` against the plain-JS baseline of bench/js-reference.mjs,
// in the same V8, 16 B to 1 MiB. Browser-safe.
import { jsMask, JsDecoder } from './js-reference.mjs';

const now = () => performance.now();

/** ns per call of `fn`, measured over at least `minMs` after a warm-up. */
function measureOnce(fn, minMs) {
  let iters = 1;
  for (;;) {
    const t0 = now();
    for (let i = 0; i < iters; i++) fn();
    const dt = now() - t0;
    if (dt >= minMs) return (dt * 1e6) / iters;
    iters = dt < 1 ? iters * 16 : Math.ceil(iters * Math.min(16, (minMs * 1.2) / dt));
  }
}

/**
 * Times `a` and `b` alternately, `rounds` times each, and keeps each one's fastest round:
 * the machine these run on is shared, and the minimum is the measurement least disturbed by
 * other processes.
 */
function compare(a, b, minMs, rounds = 5) {
  for (let i = 0; i < 5; i++) {
    a();
    b();
  }
  let ta = Infinity;
  let tb = Infinity;
  const per = Math.max(10, minMs / rounds);
  for (let r = 0; r < rounds; r++) {
    ta = Math.min(ta, measureOnce(a, per));
    tb = Math.min(tb, measureOnce(b, per));
  }
  return [ta, tb];
}

function randomBytes(n, seed = 1) {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 255;
  }
  return b;
}

const fmtSize = (n) => (n >= 1 << 20 ? `${n >> 20} MiB` : n >= 1024 ? `${n >> 10} KiB` : `${n} B`);
const fmtNs = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);
const gbs = (bytes, ns) => (bytes / ns).toFixed(2); // bytes per ns = GB/s

function sameEvents(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].type !== b[i].type) return false;
    const x = a[i].data;
    const y = b[i].data;
    if (x || y) {
      if (!x || !y || x.length !== y.length) return false;
      for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
    }
  }
  return true;
}

/**
 * Runs every benchmark; `log(line)` prints; returns the results as data.
 * `minMs`: measuring time per case and implementation.
 */
export function runBenchmarks({ lib, log = console.log, minMs = 500, where = '' }) {
  const results = { where, mask: [], decodeSmall: [], decodeSizes: [] };
  const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

  log(`\n## mask (in place, 4-byte key) — ${where}`);
  log('| size | wasm mask | JS byte loop | wasm GB/s | JS GB/s | wasm / JS speed |');
  log('|---:|---:|---:|---:|---:|---:|');
  for (const n of [16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1 << 20]) {
    const buf = randomBytes(n, n);
    const check = buf.slice();
    lib.mask(check, key);
    jsMask(check, key);
    if (check.some((b, i) => b !== buf[i])) throw new Error(`mask mismatch at ${n}`);
    const [w, j] = compare(() => lib.mask(buf, key), () => jsMask(buf, key), minMs);
    results.mask.push({ size: n, wasmNs: w, jsNs: j, ratio: j / w });
    log(`| ${fmtSize(n)} | ${fmtNs(w)} | ${fmtNs(j)} | ${gbs(n, w)} | ${gbs(n, j)} | **${(j / w).toFixed(1)}×** |`);
  }

  log(`\n## Decoder: 20-byte masked frames (client → server), events with copied-out payloads — ${where}`);
  log('| case | frames/push | wasm Decoder | plain-JS decoder | wasm ns/frame | JS ns/frame | wasm / JS speed |');
  log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [label, opcode, perPush] of [
    ['binary, 64 KiB chunks', 2, 2520],
    ['text, 64 KiB chunks', 1, 2520],
    ['binary, 1 frame per push', 2, 1],
    ['text, 1 frame per push', 1, 1],
  ]) {
    const payload = opcode === 1 ? new TextEncoder().encode('twenty bytes of text') : randomBytes(20, 7);
    const frame = lib.encodeFrame({ opcode, payload, mask: key });
    const chunk = new Uint8Array(frame.length * perPush);
    for (let i = 0; i < perPush; i++) chunk.set(frame, i * frame.length);
    const wd = new lib.Decoder({ role: 'server' });
    const jd = new JsDecoder({ role: 'server' });
    const a = wd.push(chunk);
    const b = jd.push(chunk);
    if (a.length !== perPush || !sameEvents(a, b)) throw new Error(`decoders disagree: ${label}`);
    const [w, j] = compare(() => wd.push(chunk), () => jd.push(chunk), minMs);
    results.decodeSmall.push({ label, perPush, wasmNs: w / perPush, jsNs: j / perPush, ratio: j / w });
    log(`| ${label} | ${perPush} | ${fmtNs(w)} | ${fmtNs(j)} | ${(w / perPush).toFixed(0)} | ${(j / perPush).toFixed(0)} | **${(j / w).toFixed(1)}×** |`);
    if (wd.free) wd.free();
  }

  log(`\n## Decoder: one masked binary message per push, 16 B to 1 MiB — ${where}`);
  log('| payload | wasm Decoder | plain-JS decoder | wasm GB/s | JS GB/s | wasm / JS speed |');
  log('|---:|---:|---:|---:|---:|---:|');
  for (const n of [16, 256, 4096, 65536, 1 << 20]) {
    const frame = lib.encodeFrame({ opcode: 2, payload: randomBytes(n, 3), mask: key });
    const wd = new lib.Decoder({ role: 'server' });
    const jd = new JsDecoder({ role: 'server' });
    if (!sameEvents(wd.push(frame), jd.push(frame))) throw new Error(`decoders disagree at ${n}`);
    const [w, j] = compare(() => wd.push(frame), () => jd.push(frame), minMs);
    results.decodeSizes.push({ size: n, wasmNs: w, jsNs: j, ratio: j / w });
    log(`| ${fmtSize(n)} | ${fmtNs(w)} | ${fmtNs(j)} | ${gbs(n, w)} | ${gbs(n, j)} | **${(j / w).toFixed(1)}×** |`);
    if (wd.free) wd.free();
  }
  return results;
}
