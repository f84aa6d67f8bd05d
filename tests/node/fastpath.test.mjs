// The JS fast paths of packages/wsprism/index.js, byte for byte against the engine: server
// frames built in JS (jsFrame, what Encoder.message uses up to JS_FRAME_MAX) and masking in JS
// (mask() below MASK_JS_MAX bytes). They are kept because bench/node-codec.mjs shows they matter
// ("encoder" and "mask" sections); this suite is what keeps them equal to the engine's rules.
// Over the seed vectors (tests/vectors/) and a few thousand seeded random frames: every opcode,
// masked and unmasked, lengths around 125/126, 65535/65536 and the JS/native mask cut.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const ws = require('../../packages/wsprism');
const vectors = JSON.parse(readFileSync(path.join(here, '..', 'vectors', 'seed-vectors.json'), 'utf8'));
const { jsFrame, JS_FRAME_MAX, MASK_JS_MAX } = ws._fastPaths;
const NO_LIMITS = { maxFrameSize: Infinity, maxMessageSize: Infinity };

// A deterministic PRNG (xorshift32) so a failure can be reproduced.
let seed = 0x2545f491;
function rand() {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x100000000;
}
const pick = (a) => a[(rand() * a.length) | 0];
function randomBytes(n) {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (rand() * 256) | 0;
  return b;
}

/** Lengths at every boundary the fast paths have: 7/16/64-bit lengths and the mask cut. */
function length() {
  const r = rand();
  if (r < 0.25) return (rand() * 8) | 0;
  if (r < 0.45) return MASK_JS_MAX - 4 + ((rand() * 8) | 0);
  if (r < 0.7) return 121 + ((rand() * 10) | 0);
  if (r < 0.8) return 65531 + ((rand() * 10) | 0);
  return (rand() * 3000) | 0;
}

/** The engine's frame (napi encode_frame, no JS involved). */
function engineFrame(opcode, payload, fin, key, rsv = {}) {
  return ws.encodeFrame({ opcode, payload, fin, mask: key === undefined ? false : key, allowInvalid: true, ...rsv });
}

/** The engine's unmasking of `data` from key position `offset`: the native call on a buffer
 * of at least MASK_JS_MAX bytes (where mask() never takes the JS path). */
function engineMask(data, key, offset) {
  const pad = offset & 3;
  const n = Math.max(MASK_JS_MAX, pad + data.length);
  const buf = Buffer.alloc(n);
  data.copy(buf, pad);
  ws.mask(buf, key, offset - pad);
  return buf.subarray(pad, pad + data.length);
}

describe('seed vectors', () => {
  for (const v of vectors.frames) {
    const bytes = Buffer.from(v.hex, 'hex');
    const f = ws.inspectFrame(bytes, { role: v.role, ...NO_LIMITS });
    if (!f || !f.complete) continue;
    test(v.name, () => {
      const payload = Buffer.from(f.payload_hex, 'hex');
      const frame = bytes.subarray(0, f.header_len + f.payload_len);
      const rsv = { rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3 };
      // The engine writes minimal lengths only (a vector with a non-minimal one is an error case).
      const minimal = !(f.payload_len < 126 && f.header_len - (f.masked ? 4 : 0) > 2) && !(f.payload_len < 65536 && f.header_len - (f.masked ? 4 : 0) > 4);
      if (!f.masked) {
        if (minimal) assert.deepEqual(engineFrame(f.opcode, payload, f.fin, undefined, rsv), frame);
        // What jsFrame writes: FIN set, no RSV, unmasked, minimal length.
        if (minimal && f.fin && !f.rsv1 && !f.rsv2 && !f.rsv3) assert.deepEqual(jsFrame(f.opcode, payload), frame);
      } else {
        // The JS mask of the payload gives the masked bytes on the wire, at every offset.
        const key = Buffer.from(f.masking_key, 'hex');
        const masked = Buffer.from(f.masked_payload_hex, 'hex');
        assert.deepEqual(ws.mask(Buffer.from(payload), key), masked);
        assert.deepEqual(ws.mask(Buffer.from(masked), key), payload);
        for (let off = 1; off < 4 && off < payload.length; off++) {
          assert.deepEqual(ws.mask(Buffer.from(payload.subarray(off)), key, off), masked.subarray(off));
        }
        if (minimal) assert.deepEqual(engineFrame(f.opcode, payload, f.fin, key, rsv), frame);
      }
    });
  }
});

describe('random frames', () => {
  test('jsFrame equals the engine for every opcode and length (3,000 frames)', () => {
    for (let i = 0; i < 3000; i++) {
      const opcode = (rand() * 16) | 0;
      const payload = randomBytes(length());
      assert.deepEqual(jsFrame(opcode, payload), engineFrame(opcode, payload, true), `opcode ${opcode}, ${payload.length} bytes`);
    }
    // 64-bit lengths beyond the JS_FRAME_MAX cut (jsFrame is still right there).
    for (const n of [65535, 65536, 65537, 70000]) {
      const payload = randomBytes(n);
      assert.deepEqual(jsFrame(2, payload), engineFrame(2, payload, true), `${n} bytes`);
    }
  });

  test('Encoder.message on a server (JS up to JS_FRAME_MAX, native above) equals the engine', () => {
    const enc = new ws.Encoder({ role: 'server' });
    const lengths = [0, 1, 125, 126, 127, 65535, 65536, JS_FRAME_MAX - 1, JS_FRAME_MAX, JS_FRAME_MAX + 1];
    for (let i = 0; i < 1000; i++) lengths.push(length());
    for (const n of lengths) {
      const binary = rand() < 0.5;
      const payload = binary ? randomBytes(n) : Buffer.alloc(n, 'a');
      assert.deepEqual(enc.message(payload, { binary }), engineFrame(binary ? 2 : 1, payload, true), `${n} bytes`);
    }
  });

  test('mask equals the engine for every key form, offset and length (4,000 payloads)', () => {
    for (let i = 0; i < 4000; i++) {
      const n = rand() < 0.8 ? (rand() * (MASK_JS_MAX + 8)) | 0 : length();
      const data = randomBytes(n);
      const keyBytes = randomBytes(4);
      const keyNum = keyBytes.readUInt32BE(0);
      const key = pick([keyBytes, new Uint8Array(keyBytes), keyNum, keyBytes.toString('hex')]);
      const offset = rand() < 0.5 ? 0 : (rand() * 9) | 0;
      const want = engineMask(data, keyBytes, offset);
      const got = ws.mask(Buffer.from(data), key, offset);
      assert.deepEqual(got, want, `${n} bytes, offset ${offset}, key ${typeof key}`);
      // A Uint8Array (not a Buffer) takes the same path.
      const u8 = new Uint8Array(data);
      ws.mask(u8, key, offset);
      assert.deepEqual(Buffer.from(u8), want);
    }
  });

  test('masked frames: the engine frame holds the JS-masked payload; the decoder gets it back', () => {
    for (let i = 0; i < 2000; i++) {
      const opcode = pick([0x1, 0x2, 0x9, 0xa]);
      const n = opcode & 8 ? (rand() * 126) | 0 : length();
      const payload = opcode === 1 ? Buffer.alloc(n, 'x') : randomBytes(n);
      const key = randomBytes(4);
      const frame = engineFrame(opcode, payload, true, key);
      const hl = frame.length - n;
      assert.deepEqual(frame.subarray(hl - 4, hl), key);
      assert.deepEqual(frame.subarray(hl), ws.mask(Buffer.from(payload), key), `opcode ${opcode}, ${n} bytes`);
      const ev = new ws.Decoder({ role: 'server', ...NO_LIMITS }).push(Buffer.from(frame));
      assert.equal(ev.length, 1);
      assert.deepEqual(ev[0].data, payload);
    }
  });
});
