'use strict';

// The WebAssembly backend of the wsprism Node package: the engine build of wsprism-web
// (crates/wsprism-wasm, the same .wasm file), bound for Node by wasm-bindgen's `nodejs`
// target (wasm/wsprism_wasm.js: CommonJS, instantiates wasm/wsprism_wasm_bg.wasm beside it
// synchronously). This file gives it the backend interface of the native addon
// (crates/wsprism-node), entry point for entry point and with the same event-table layout,
// so that index.js (argument checks, errors, Decoder/Encoder, handshakes) and lib/
// (WebSocketServer, WebSocket) run unchanged on either backend. Arguments arrive checked and
// normalized by index.js; this file only moves bytes in and out of wasm memory and reshapes
// results. No protocol rule lives here.

const path = require('path');

const raw = require(path.join(__dirname, '..', 'wasm', 'wsprism_wasm.js'));
// The capture decoder is a second module (scripts/build-wasm.sh), loaded on the first
// inspectCapture() only.
let capture = null;
function captureRaw() {
  if (capture === null) capture = require(path.join(__dirname, '..', 'wasm', 'wsprism_capture.js'));
  return capture;
}

// The module's memory (wasm-bindgen's nodejs glue exports `__wasm` with the instance's exports).
const memory = raw.__wasm && raw.__wasm.memory;
if (!memory) throw new Error('wsprism: the wasm build has no memory export (rebuild with scripts/build-wasm.sh)');

let mem8 = new Uint8Array(memory.buffer);
let mem32 = new Uint32Array(memory.buffer);
function refresh() {
  if (mem8.byteLength === 0) {
    mem8 = new Uint8Array(memory.buffer);
    mem32 = new Uint32Array(memory.buffer);
  }
}

// Largest piece copied into wasm memory at once (wasm memory never shrinks): 1 MiB for masking
// and UTF-8 checks, 16 MiB (the default maxFrameSize) for a decoder push.
const CHUNK = 1 << 20;
const PUSH_CHUNK = 16 << 20;

const scratch = new raw.Scratch();
let scratchPtr = 0;
let scratchCap = 0;
function reserve(len) {
  if (len > scratchCap) {
    scratchPtr = scratch.reserve(len);
    scratchCap = scratch.capacity();
  }
  return scratchPtr;
}

function toBuffer(u8) {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

// The native interface takes masking keys as big-endian u32 (first byte most significant).
function keyBytes(k) {
  return Uint8Array.of(k >>> 24, (k >>> 16) & 255, (k >>> 8) & 255, k & 255);
}
// The wasm Scratch takes the key bytes as a little-endian u32.
function keyWordLE(k) {
  return ((k >>> 24) | (((k >>> 16) & 255) << 8) | (((k >>> 8) & 255) << 16) | ((k & 255) << 24)) >>> 0;
}

function mask(buf, key, offset) {
  const len = buf.length;
  if (len === 0) return;
  const k = keyWordLE(key);
  const ptr = reserve(len < CHUNK ? len : CHUNK);
  refresh();
  for (let at = 0; at < len; at += CHUNK) {
    const n = len - at < CHUNK ? len - at : CHUNK;
    mem8.set(buf.subarray(at, at + n), ptr);
    scratch.mask(n, k, offset);
    buf.set(mem8.subarray(ptr, ptr + n), at);
  }
}

function isValidUtf8(buf) {
  const len = buf.length;
  if (len === 0) return true;
  const ptr = reserve(len);
  refresh();
  mem8.set(buf, ptr);
  return scratch.utf8(len) === 1;
}

// Reports as the native addon gives them: JSON text (serde-wasm-bindgen hands u64 values above
// 2^53 over as BigInt; the native JSON has them as numbers, which JSON.parse reads the same way).
const json = (v) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x));
function inspectOpts(server, pmd, maxFrameSize, maxMessageSize) {
  return { role: server ? 'server' : 'client', perMessageDeflate: pmd, maxFrameSize, maxMessageSize };
}
const utf8 = new TextDecoder();

// ------------------------------------------------------------------------------------------
// Decoder: the native event table (see index.js): t[0] rows, t[1] bytes given to the engine
// (all of them here: the wasm side does not withhold large frames), t[2] 0; row i at 3+3i:
// opcode | 16 (payload in `extra`) | closeCode << 16, then start, end (or extra index, length);
// a close row is always owned, its reason string at extra[index + 1].

const T_EXTRA = 16;
const T_ERROR = 15;
const OPCODE = [0, 1, 2, 9, 10, 8]; // wasm kinds 1-5 → opcodes

// (withholdMin, the native decoder's hand-over of large incomplete frames to JS, has no
// counterpart here: the wasm decoder assembles every frame itself, t[1] is always the whole
// chunk, and decoderHold is never called.)
function decoderNew(server, maxFrameSize, maxMessageSize, deflate, withholdMin, maxFragments, maxBufferedChunks) {
  const d = {
    raw: new raw.WasmDecoder({
      role: server ? 'server' : 'client',
      maxFrameSize,
      maxMessageSize,
      perMessageDeflate: deflate,
      maxFragments,
      maxBufferedChunks
    }),
    ptr: 0,
    cap: 0,
  };
  return d;
}

function decoderFree(d) {
  if (d.raw !== null) {
    d.raw.free();
    d.raw = null;
  }
}

function live_(d) {
  if (d === null || typeof d !== 'object' || d.raw === undefined) throw new TypeError('decoder: not a decoder');
  if (d.raw === null) {
    const e = new Error('this object was freed');
    e.code = 'ERR_INVALID_STATE';
    throw e;
  }
  return d.raw;
}

function pushPiece(d, buf, from, len, table, rows, extra) {
  const r = d.raw;
  if (len > d.cap) {
    d.ptr = r.reserve(len);
    d.cap = r.capacity();
  }
  refresh();
  const base = d.ptr;
  mem8.set(from === 0 && len === buf.length ? buf : buf.subarray(from, from + len), base);
  const tp = r.decode(len);
  refresh();
  const t = tp >>> 2;
  const n = mem32[t];
  const end = base + len;
  let copied = false;
  for (let i = 0, j = t + 1; i < n; i++, j += 4) {
    const kind = mem32[j];
    const row = 3 + 3 * rows;
    rows += 1;
    if (kind === 6) {
      table[row] = T_ERROR | T_EXTRA;
      table[row + 1] = extra.length;
      table[row + 2] = 0;
      extra.push(r.error());
      break;
    }
    const p = mem32[j + 1];
    const l = mem32[j + 2];
    const word = OPCODE[kind];
    if (kind === 5) {
      // A close row is always owned: code (1005 for none) in the row, the payload at
      // extra[start] and the engine's reason at extra[start + 1], as the native decoder gives them.
      const b = Buffer.allocUnsafe(l);
      b.set(mem8.subarray(p, p + l));
      table[row] = word | T_EXTRA | (mem32[j + 3] << 16);
      table[row + 1] = extra.length;
      table[row + 2] = l;
      extra.push(b, r.closeReason());
      continue;
    }
    if (p >= base && p + l <= end) {
      // In the chunk, unmasked in wasm memory: the chunk gets the unmasked bytes (as the
      // native decoder unmasks in place) and the row points into it.
      if (!copied) {
        buf.set(mem8.subarray(base, end), from);
        copied = true;
      }
      table[row] = word;
      table[row + 1] = from + (p - base);
      table[row + 2] = from + (p - base) + l;
    } else {
      const b = Buffer.allocUnsafe(l);
      b.set(mem8.subarray(p, p + l));
      table[row] = word | T_EXTRA;
      table[row + 1] = extra.length;
      table[row + 2] = l;
      extra.push(b);
    }
  }
  return rows;
}

function decoderPush(d, buf, table) {
  live_(d);
  const extra = [];
  let rows = 0;
  const len = buf.length;
  for (let at = 0; at === 0 || at < len; at += PUSH_CHUNK) {
    const n = Math.min(PUSH_CHUNK, len - at);
    const before = rows;
    rows = pushPiece(d, buf, at, n, table, rows, extra);
    if (rows > before && (table[3 + 3 * (rows - 1)] & 15) === T_ERROR) break;
    if (len === 0) break;
  }
  table[0] = rows;
  table[1] = len;
  table[2] = 0;
  return extra.length === 0 ? undefined : extra;
}

function decoderStatus(d) {
  const r = live_(d);
  return { closed: r.isClosed(), buffered: r.buffered(), partial: r.partial(), waitingFor: r.waitingFor(), offset: r.offset() };
}

// ------------------------------------------------------------------------------------------
// Encoder: the native NativeEncoder's methods; outputs are Buffers (the native addon's last
// argument, a scratch Buffer it may write into and return a length for, is not used).

class NativeEncoder {
  constructor(server, deflate, level, memLevel) {
    this._raw = new raw.WasmEncoder({ role: server ? 'server' : 'client', perMessageDeflate: deflate, level, memLevel });
  }
  _live() {
    if (this._raw === null) {
      const e = new Error('this object was freed');
      e.code = 'ERR_INVALID_STATE';
      throw e;
    }
    return this._raw;
  }
  message(text, payload, compress, fin, fragmentSize, key, unmasked) {
    const opts = { binary: !text, compress, fin, fragmentSize };
    if (unmasked) opts.mask = false;
    else if (key !== undefined && key !== null) opts.mask = keyBytes(key);
    return toBuffer(this._live().message(payload, opts));
  }
  ping(payload) {
    return toBuffer(this._live().ping(payload, undefined));
  }
  pong(payload) {
    return toBuffer(this._live().pong(payload, undefined));
  }
  close(code, reason) {
    return toBuffer(this._live().close(code === 0 ? undefined : code, reason));
  }
  get inMessage() {
    return this._live().inMessage();
  }
  get canCompress() {
    return this._live().canCompress();
  }
  free() {
    if (this._raw !== null) {
      this._raw.free();
      this._raw = null;
    }
  }
}

// ------------------------------------------------------------------------------------------

module.exports = {
  name: 'wasm',
  acceptKey: (key) => raw.acceptKey(key),
  generateKey: () => raw.generateKey(),
  mask,
  isValidUtf8,
  encodeFrame(opcode, payload, fin, rsv1, rsv2, rsv3, key, allowInvalid) {
    return toBuffer(raw.encodeFrame({ opcode, payload, fin, rsv1, rsv2, rsv3, mask: key === null ? false : keyBytes(key), allowInvalid }));
  },
  inspectFrame: (buf, server, pmd, maxF, maxM) => json(raw.inspectFrame(buf, inspectOpts(server, pmd, maxF, maxM))),
  inspectStream: (buf, server, pmd, maxF, maxM) => json(raw.inspectStream(buf, inspectOpts(server, pmd, maxF, maxM))),
  inspectCapture: (buf, maxBytes, maxFrameSize, maxMessageSize) =>
    captureRaw().inspectCaptureJson(buf, { maxBytes, maxFrameSize, maxMessageSize }),
  parseRequest: (buf, maxSize) => json(raw.parseHandshakeRequest(buf, { maxSize })),
  validateRequest(buf, maxSize) {
    const r = raw.validateHandshakeRequest(buf, { maxSize });
    if (!r.ok) r.response = utf8.decode(r.response);
    return json(r);
  },
  formatExtensions: (list) => raw.formatExtensions(list),
  buildResponse: (accept, protocol, extensions, headers) =>
    toBuffer(raw.buildHandshakeResponse({ accept, protocol, extensions, headers })),
  buildRequest: (host, p, key, protocols, extensions, origin, headers) =>
    toBuffer(raw.buildHandshakeRequest({ host, path: p, key, protocols, extensions, origin, headers })),
  parseResponse: (buf, maxSize, key, protocols, extensions) =>
    json(raw.parseHandshakeResponse(buf, { maxSize, key, protocols, extensions })),
  negotiateDeflate(offers, config) {
    const r = raw.negotiatePerMessageDeflate(offers, config);
    return r === null ? null : json(r);
  },
  deflateOffer: (config) => raw.perMessageDeflateOffer(config),
  acceptDeflate(response, config) {
    const r = raw.acceptPerMessageDeflate(response, config);
    return r === null ? null : json(r);
  },
  decoderNew,
  decoderFree,
  decoderPush,
  decoderStatus,
  NativeEncoder,
  // The engine's own counters (the stats feature, as in the native addon): { decoders,
  // encoders, inflaters, deflaters } alive in this wasm instance.
  liveStates: () => raw.liveStates(),
};
