// Side-by-side benchmarks of the wsprism Node codec (packages/wsprism) against the `ws`
// package's Receiver with bufferutil, bufferutil's mask, utf-8-validate, buffer.isUtf8 and
// plain JS loops. One run, printing each pair and the ratio (>1: wsprism is faster).
//
//   cd bench && npm install && cd .. && bash scripts/build-node.sh && node bench/node-codec.mjs
//
// Options: --quick (shorter rounds), --only=decoder|close|mask|utf8|encoder|backends.
// "backends": the package on its native backend vs its WebAssembly backend (WSPRISM_BACKEND=wasm,
// the fallback where no prebuilt addon loads) vs ws, decoding and encoding, in one process.
// Each candidate runs in alternating rounds (A B A B ...) and the best round counts, so a
// noisy neighbour on this 2-core machine hurts both sides alike.

import { createRequire } from 'node:module';
import { isUtf8 } from 'node:buffer';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'package.json'));
const wsprism = require('../packages/wsprism/index.js');
let Receiver, Sender, bufferutil, utf8validate;
try {
  // ws does not export its Receiver: load the file (what `require('ws/lib/receiver')` meant before "exports").
  Receiver = require(path.join(path.dirname(require.resolve('ws')), 'lib', 'receiver.js'));
  Sender = require(path.join(path.dirname(require.resolve('ws')), 'lib', 'sender.js'));
  bufferutil = require('bufferutil');
  utf8validate = require('utf-8-validate');
} catch (e) {
  console.error(`bench: ${e.message}\nrun \`npm install\` in bench/ first`);
  process.exit(1);
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = (args.find((a) => a.startsWith('--only=')) || '').slice(7);
const ROUND_MS = quick ? 150 : 400;
const ROUNDS = quick ? 3 : 5;

/** Runs fn (which does `units` units of work per call) for ROUND_MS; returns units/s. */
function round(fn, units) {
  let calls = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ROUND_MS) * 1000000n;
  let now = start;
  do {
    fn();
    calls++;
    if ((calls & 7) === 0 || units > 1000) now = process.hrtime.bigint();
  } while (now < end);
  now = process.hrtime.bigint();
  return (calls * units) / (Number(now - start) / 1e9);
}

function compare(candidates, units) {
  const best = candidates.map(() => 0);
  for (const c of candidates) round(c.fn, units); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    candidates.forEach((c, i) => {
      best[i] = Math.max(best[i], round(c.fn, units));
    });
  }
  return best;
}

function fmtRate(v, unit) {
  if (unit === 'B/s') {
    if (v >= 1e9) return `${(v / 1e9).toFixed(2)} GB/s`;
    if (v >= 1e6) return `${(v / 1e6).toFixed(1)} MB/s`;
    return `${(v / 1e3).toFixed(1)} kB/s`;
  }
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M${unit}`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k${unit}`;
  return `${v.toFixed(0)} ${unit}`;
}

function sizeName(n) {
  if (n >= 1 << 20) return `${n / (1 << 20)} MiB`;
  if (n >= 1024) return `${n / 1024} KiB`;
  return `${n} B`;
}

const results = [];
function report(title, names, rates, unit, target) {
  const base = rates[rates.length - 1];
  const cells = names.map((n, i) => `${n} ${fmtRate(rates[i], unit)}`);
  const ratios = rates.slice(0, -1).map((r, i) => `${(r / rates[rates.length - 1]).toFixed(2)}x`);
  let line = `${title.padEnd(34)} ${cells.join(' | ')}   ratio ${ratios.join(' / ')}`;
  if (target) {
    const ratio = rates[0] / base;
    line += `   (target >= ${target}x: ${ratio >= target ? 'met' : 'MISSED'})`;
  }
  console.log(line);
  results.push({ title, names, rates, ratio: rates[0] / base, target });
}

// -------------------------------------------------------------------------------------------
// Decoder vs ws Receiver

/**
 * A stream of masked text frames (client to server) of `size`-byte ASCII payloads, about
 * `total` bytes, cut into `chunkSize` chunks. Payload and key bytes are < 0x80, so unmasking
 * in place twice gives the masked bytes back and both states are valid UTF-8: the same chunks
 * can be decoded again and again without copying them back.
 */
function maskedStream(size, total, chunkSize) {
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size; i++) payload[i] = 0x20 + (i % 90);
  const enc = new wsprism.Encoder({ role: 'client' });
  const frame = enc.message(payload, { binary: false, mask: key });
  const count = Math.max(1, Math.round(total / frame.length));
  const stream = Buffer.concat(Array.from({ length: count }, () => frame));
  const chunks = [];
  for (let i = 0; i < stream.length; i += chunkSize) chunks.push(stream.subarray(i, i + chunkSize));
  return { chunks, count };
}

function benchDecoder() {
  console.log('\n# Decoder -> JS listener vs ws Receiver (+bufferutil), masked text frames, 64 KiB chunks');
  const targets = { 20: 4, 65536: 1.5 };
  for (const size of [20, 1024, 64 * 1024, 1 << 20]) {
    const total = size >= 1 << 20 ? 8 << 20 : 4 << 20;
    const { chunks, count } = maskedStream(size, total, 64 * 1024);
    let got = 0;
    let bytes = 0;
    const listener = (data, isBinary) => {
      got++;
      bytes += data.length;
    };

    const dec = new wsprism.Decoder({ role: 'server', maxFrameSize: 2 << 20, maxMessageSize: 2 << 20 });
    const ours = () => {
      for (let c = 0; c < chunks.length; c++) {
        const events = dec.push(chunks[c]);
        for (let i = 0; i < events.length; i++) {
          const ev = events[i];
          if (ev.type === 'message') listener(ev.data, ev.binary);
        }
      }
    };

    const receiver = new Receiver({ isServer: true, maxPayload: 2 << 20, binaryType: 'nodebuffer' });
    receiver.on('message', listener);
    receiver.on('error', (e) => {
      throw e;
    });
    const noop = () => {};
    const theirs = () => {
      for (let c = 0; c < chunks.length; c++) receiver._write(chunks[c], 'buffer', noop);
    };

    // Sanity: both see every message, intact.
    got = 0;
    ours();
    if (got !== count) throw new Error(`wsprism decoded ${got} of ${count} messages`);
    got = 0;
    theirs();
    if (got !== count) throw new Error(`ws decoded ${got} of ${count} messages`);

    const rates = compare([{ fn: ours }, { fn: theirs }], count);
    report(`decode ${sizeName(size)} frames`, ['wsprism', 'ws'], rates, 'msg/s', targets[size]);
    void bytes;
  }
}

// -------------------------------------------------------------------------------------------
// Close frames: what a connection pays once at its end (code and reason come from the engine)

function benchClose() {
  console.log('\n# a close frame with a reason, on a fresh decoder (once per connection) vs ws Receiver');
  const frame = Buffer.concat([Buffer.from([0x88, 22, 0x03, 0xe8]), Buffer.from('goodbye, and thanks!')]);
  const ours = () => {
    const d = new wsprism.Decoder({ role: 'client' });
    const ev = d.push(frame);
    if (ev[0].type !== 'close' || ev[0].code !== 1000 || ev[0].reason !== 'goodbye, and thanks!') throw new Error('bad close');
    d.free();
  };
  const theirs = () => {
    const r = new Receiver({ isServer: false, binaryType: 'nodebuffer' });
    let ok = false;
    r.on('conclude', (code, reason) => {
      ok = code === 1000 && reason.toString() === 'goodbye, and thanks!';
    });
    r._write(frame, 'buffer', () => {});
    if (!ok) throw new Error('ws: bad close');
  };
  const rates = compare([{ fn: ours }, { fn: theirs }], 1);
  report('decode a close frame (new decoder)', ['wsprism', 'ws'], rates, 'op/s');
}

// -------------------------------------------------------------------------------------------
// mask vs bufferutil vs JS loop

function jsMask(buf, key) {
  for (let i = 0; i < buf.length; i++) buf[i] ^= key[i & 3];
}

function benchMask() {
  console.log('\n# mask (in place) vs bufferutil.unmask vs a JS loop');
  const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  for (const size of [16, 64, 256, 1024, 16 * 1024, 64 * 1024, 1 << 20]) {
    const buf = Buffer.alloc(size, 7);
    const rates = compare(
      [
        { fn: () => wsprism.mask(buf, key) },
        { fn: () => jsMask(buf, key) },
        { fn: () => bufferutil.unmask(buf, key) },
      ],
      size
    );
    // ratio columns: wsprism/bufferutil and js/bufferutil; the 16 B target is wsprism vs JS.
    const target = size === 1 << 20 ? 1.3 : undefined;
    report(`mask ${sizeName(size)}`, ['wsprism', 'js-loop', 'bufferutil'], rates, 'B/s', target);
    if (size === 16) {
      const ok = rates[0] >= rates[1] * 0.95;
      console.log(`${''.padEnd(34)} wsprism/js-loop at 16 B: ${(rates[0] / rates[1]).toFixed(2)}x (target: not slower: ${ok ? 'met' : 'MISSED'})`);
      results.push({ title: 'mask 16 B vs js-loop', ratio: rates[0] / rates[1], target: 0.95 });
    }
  }
}

// -------------------------------------------------------------------------------------------
// isValidUtf8 vs utf-8-validate vs buffer.isUtf8

function benchUtf8() {
  console.log('\n# isValidUtf8 vs utf-8-validate vs buffer.isUtf8');
  const text = 'Hello, wsprism! Привет! こんにちは 🌍 ';
  for (const [name, size] of [
    ['ASCII', 1 << 20],
    ['mixed', 1 << 20],
    ['mixed', 1024],
    ['mixed', 32],
  ]) {
    let buf;
    if (name === 'ASCII') buf = Buffer.alloc(size, 'a');
    else {
      const s = Buffer.from(text.repeat(Math.ceil(size / Buffer.byteLength(text)) + 1));
      let end = size;
      while ((s[end] & 0xc0) === 0x80) end--; // cut at a character boundary
      buf = s.subarray(0, end);
    }
    if (!wsprism.isValidUtf8(buf) || !isUtf8(buf) || !utf8validate(buf)) throw new Error('utf8 sample invalid');
    const rates = compare(
      [
        { fn: () => wsprism.isValidUtf8(buf) },
        { fn: () => utf8validate(buf) },
        { fn: () => isUtf8(buf) },
      ],
      buf.length
    );
    report(
      `utf8 ${name} ${sizeName(size)}`,
      ['wsprism', 'utf-8-validate', 'buffer.isUtf8'],
      rates,
      'B/s',
      size === 1 << 20 ? 1 : undefined
    );
  }
}

// -------------------------------------------------------------------------------------------
// Encoder: server frames built in JS (what Encoder.message does up to JS_FRAME_MAX) vs the
// native encoder, to choose where small sends are framed.

function benchEncoder() {
  console.log('\n# server-role Encoder.message: header built in JS vs a native call');
  const enc = new wsprism.Encoder({ role: 'server' });
  const nat = enc._native;
  for (const size of [16, 125, 1024, 16 * 1024, 64 * 1024, 1 << 20]) {
    const payload = Buffer.alloc(size, 0x61);
    const a = enc.message(payload, { binary: true });
    const scratch = Buffer.alloc(64 * 1024);
    const viaNative = (r) => (typeof r === 'number' ? Buffer.from(scratch.subarray(0, r)) : r);
    const b = viaNative(nat.message(false, payload, false, true, undefined, undefined, scratch));
    if (!a.equals(b)) throw new Error('JS and native framing differ');
    const rates = compare(
      [{ fn: () => enc.message(payload, { binary: true }) }, { fn: () => viaNative(nat.message(false, payload, false, true, undefined, undefined, scratch)) }],
      1
    );
    report(`encode ${sizeName(size)} (${size <= 65536 ? 'JS path' : 'native path'})`, ['Encoder.message', 'native call'], rates, 'op/s');
  }
}

// -------------------------------------------------------------------------------------------
// The two backends of the package side by side (and ws): what the WebAssembly fallback costs.

/** A second copy of the package on `backend` (the module cache of packages/wsprism cleared). */
function loadPackage(backend) {
  const dir = path.join(here, '..', 'packages', 'wsprism') + path.sep;
  const saved = process.env.WSPRISM_BACKEND;
  for (const k of Object.keys(require.cache)) if (k.startsWith(dir) && !k.endsWith('.node')) delete require.cache[k];
  process.env.WSPRISM_BACKEND = backend;
  try {
    const pkg = require(dir + 'index.js');
    if (pkg.backend !== backend) throw new Error(`asked for the ${backend} backend, got ${pkg.backend}`);
    return pkg;
  } finally {
    if (saved === undefined) delete process.env.WSPRISM_BACKEND;
    else process.env.WSPRISM_BACKEND = saved;
  }
}

function benchBackends() {
  const native = loadPackage('native');
  const wasm = loadPackage('wasm');
  console.log('\n# the package on its native vs WebAssembly backend vs ws: decode masked text frames (64 KiB chunks)');
  for (const size of [20, 1024, 64 * 1024, 1 << 20]) {
    const total = size >= 1 << 20 ? 8 << 20 : 4 << 20;
    const { chunks, count } = maskedStream(size, total, 64 * 1024);
    let got = 0;
    const decodeWith = (pkg) => {
      const dec = new pkg.Decoder({ role: 'server', maxFrameSize: 2 << 20, maxMessageSize: 2 << 20 });
      return () => {
        for (let c = 0; c < chunks.length; c++) {
          const events = dec.push(chunks[c]);
          for (let i = 0; i < events.length; i++) if (events[i].type === 'message') got++;
        }
      };
    };
    const receiver = new Receiver({ isServer: true, maxPayload: 2 << 20, binaryType: 'nodebuffer' });
    receiver.on('message', () => got++);
    const noop = () => {};
    const candidates = [{ fn: decodeWith(native) }, { fn: decodeWith(wasm) }, { fn: () => chunks.forEach((c) => receiver._write(c, 'buffer', noop)) }];
    for (const c of candidates) {
      got = 0;
      c.fn();
      if (got !== count) throw new Error(`decoded ${got} of ${count} messages`);
    }
    const rates = compare(candidates, count);
    report(`decode ${sizeName(size)} frames`, ['native', 'wasm', 'ws'], rates, 'msg/s');
  }

  console.log('\n# client-role Encoder.message (masked) on native vs WebAssembly vs ws Sender.frame (+bufferutil)');
  for (const size of [20, 1024, 64 * 1024, 1 << 20]) {
    const payload = Buffer.alloc(size, 0x61);
    const encodeWith = (pkg) => {
      const enc = new pkg.Encoder({ role: 'client' });
      return () => enc.message(payload, { binary: true });
    };
    const wsFrame = () => Sender.frame(payload, { fin: true, rsv1: false, opcode: 2, mask: true, readOnly: true });
    const rates = compare([{ fn: encodeWith(native) }, { fn: encodeWith(wasm) }, { fn: wsFrame }], 1);
    report(`encode ${sizeName(size)} (client, masked)`, ['native', 'wasm', 'ws'], rates, 'msg/s');
  }

  console.log('\n# permessage-deflate: compress + decompress a 16 KiB JSON-like message, native vs WebAssembly');
  const text = Buffer.from(JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ id: i, name: `item ${i}`, ok: i % 3 === 0 }))).slice(0, 16 * 1024));
  const pmd = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
  const deflateWith = (pkg) => {
    const enc = new pkg.Encoder({ role: 'server', perMessageDeflate: pmd });
    const dec = new pkg.Decoder({ role: 'client', perMessageDeflate: pmd });
    return () => {
      const ev = dec.push(enc.message(text, { compress: true }));
      if (ev.length !== 1 || ev[0].data.length !== text.length) throw new Error('deflate round trip');
    };
  };
  const rates = compare([{ fn: deflateWith(native) }, { fn: deflateWith(wasm) }], 1);
  report('deflate round trip 16 KiB', ['native', 'wasm'], rates, 'msg/s');
}

console.log(`node ${process.version}, ${process.platform}-${process.arch}; rounds ${ROUNDS} x ${ROUND_MS} ms, best round`);
if (!only || only === 'decoder') benchDecoder();
if (!only || only === 'close') benchClose();
if (!only || only === 'mask') benchMask();
if (!only || only === 'utf8') benchUtf8();
if (!only || only === 'encoder') benchEncoder();
if (!only || only === 'backends') benchBackends();

const missed = results.filter((r) => r.target && r.ratio < r.target);
console.log(`\n${missed.length === 0 ? 'all targets met' : `targets missed: ${missed.map((r) => r.title).join(', ')}`}`);
