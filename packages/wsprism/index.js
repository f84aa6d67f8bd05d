'use strict';

// wsprism for Node: the codec API over the native addon (crates/wsprism-node), plus the
// ws-style WebSocket / WebSocketServer (lib/). Every protocol rule lives in the Rust engine
// (crates/wsprism); this file validates arguments, converts shapes and keeps the hot paths
// to one native call per socket chunk (see "Performance" in README.md).

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

// ------------------------------------------------------------------------------------------
// The backend: the native addon or the WebAssembly engine (backend/index.js), one interface.
// (Named `native` below for the interface it implements: crates/wsprism-node's entry points.)

const selected = require('./backend/index.js').select();
const native = selected.backend;

// ------------------------------------------------------------------------------------------
// Argument checks (TypeError for the wrong type, RangeError for a value out of range)

function typeError(msg) {
  const e = new TypeError(msg);
  e.code = 'ERR_INVALID_ARG_TYPE';
  return e;
}

function rangeError(msg, code = 'ERR_OUT_OF_RANGE') {
  const e = new RangeError(msg);
  e.code = code;
  return e;
}

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return `an instance of ${(v.constructor && v.constructor.name) || 'Object'}`;
  return `type ${typeof v}`;
}

const EMPTY = Buffer.alloc(0);

function freedError() {
  const e = new Error('this object was freed');
  e.code = 'ERR_INVALID_STATE';
  return e;
}

// `using`-declarations (explicit resource management) call [Symbol.dispose]; Node 20 has it.
const DISPOSE = typeof Symbol.dispose === 'symbol' ? Symbol.dispose : Symbol.for('nodejs.dispose');

// Intrinsic getters: they throw for anything that is not a genuine typed array / DataView /
// ArrayBuffer (a Proxy of one included) and cannot be shadowed by own properties. A Proxy is
// not a view (ArrayBuffer.isView is false for it), so it gets the usual coded TypeError.
const TA = Object.getPrototypeOf(Uint8Array.prototype);
const getter = (o, k) => Object.getOwnPropertyDescriptor(o, k).get;
const taBuffer = getter(TA, 'buffer');
const taByteOffset = getter(TA, 'byteOffset');
const taByteLength = getter(TA, 'byteLength');
const dvBuffer = getter(DataView.prototype, 'buffer');
const dvByteOffset = getter(DataView.prototype, 'byteOffset');
const dvByteLength = getter(DataView.prototype, 'byteLength');

/** A Buffer over the bytes of a genuine ArrayBufferView (no copy), or null. */
function viewBytes(v) {
  if (!ArrayBuffer.isView(v)) return null;
  if (v instanceof DataView) return Buffer.from(dvBuffer.call(v), dvByteOffset.call(v), dvByteLength.call(v));
  return Buffer.from(taBuffer.call(v), taByteOffset.call(v), taByteLength.call(v));
}

/** A Buffer view of `v` (no copy for Buffers and typed arrays), or a copy for strings. */
function bytes(v, name, { strings = true, allowUndefined = false } = {}) {
  if (Buffer.isBuffer(v) && ArrayBuffer.isView(v)) return v;
  const view = viewBytes(v);
  if (view !== null) return view;
  if (v instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && v instanceof SharedArrayBuffer)) {
    try {
      return Buffer.from(v);
    } catch {
      /* a Proxy of one: the TypeError below */
    }
  }
  if (strings && typeof v === 'string') return Buffer.from(v, 'utf8');
  if (allowUndefined && (v === undefined || v === null)) return EMPTY;
  throw typeError(
    `${name} must be a Buffer, Uint8Array${strings ? ' or string' : ''}, got ${describe(v)}`
  );
}

/** In-place operations need memory the caller sees: Buffer or Uint8Array only. */
function mutableBytes(v, name) {
  if (Buffer.isBuffer(v) && ArrayBuffer.isView(v)) return v;
  if (v instanceof Uint8Array && ArrayBuffer.isView(v)) return viewBytes(v);
  throw typeError(`${name} must be a Buffer or Uint8Array, got ${describe(v)}`);
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/** Bytes given as a Buffer/Uint8Array, or as a hex string (whitespace ignored). */
function bytesOrHex(v, name) {
  if (typeof v === 'string') {
    const s = v.replace(/\s+/g, '');
    if (!HEX_RE.test(s)) throw typeError(`${name} as a string must be hex digits (an even number)`);
    return Buffer.from(s, 'hex');
  }
  return bytes(v, name, { strings: false });
}

function options(v, name) {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object') throw typeError(`${name} must be an object, got ${describe(v)}`);
  return v;
}

function bool(v, name, dflt) {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw typeError(`${name} must be a boolean, got ${describe(v)}`);
  return v;
}

function integer(v, name, min, max) {
  if (typeof v !== 'number') throw typeError(`${name} must be a number, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw rangeError(`${name} must be an integer from ${min} to ${max}, got ${v}`);
  }
  return v;
}

/** A size limit: a non-negative integer, or Infinity for none. */
function limit(v, name, dflt) {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number') throw typeError(`${name} must be a number, got ${describe(v)}`);
  if (v === Infinity) return Infinity;
  if (!Number.isInteger(v) || v < 0) throw rangeError(`${name} must be a non-negative integer or Infinity, got ${v}`);
  return v;
}

// A count limit (maxFragments, maxBufferedChunks): an integer from 0 (no limit) to 2^32 - 1.
function countLimit(v, name) {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number') throw typeError(`${name} must be a number, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw rangeError(`${name} must be an integer from 0 to 4294967295, got ${v}`);
  }
  return v;
}

function roleIsServer(v, name = 'options.role') {
  if (v === undefined || v === 'server') return true;
  if (v === 'client') return false;
  if (typeof v !== 'string') throw typeError(`${name} must be 'server' or 'client', got ${describe(v)}`);
  throw rangeError(`${name} must be 'server' or 'client', got '${v}'`);
}

function windowBits(v, name) {
  if (v === undefined || v === null || v === true) return undefined;
  return integer(v, name, 8, 15);
}

// permessage-deflate options take `ws`'s camelCase names or the engine's snake_case ones (as
// negotiation reports them), the same names and precedence as the wasm binding (args.rs).
function pick(v, first, second) {
  return v[first] !== undefined ? v[first] : v[second];
}

/** Agreed permessage-deflate parameters (RFC 7692 §7.1) for the native side. */
function deflateParams(v, name = 'options.perMessageDeflate') {
  if (v === undefined || v === null || v === false) return null;
  if (v === true) return {};
  if (typeof v !== 'object') throw typeError(`${name} must be null, false, true or a params object, got ${describe(v)}`);
  return {
    serverNoContextTakeover: bool(pick(v, 'server_no_context_takeover', 'serverNoContextTakeover'), `${name}.serverNoContextTakeover`, false),
    clientNoContextTakeover: bool(pick(v, 'client_no_context_takeover', 'clientNoContextTakeover'), `${name}.clientNoContextTakeover`, false),
    serverMaxWindowBits: windowBits(pick(v, 'server_max_window_bits', 'serverMaxWindowBits'), `${name}.serverMaxWindowBits`),
    clientMaxWindowBits: windowBits(pick(v, 'client_max_window_bits', 'clientMaxWindowBits'), `${name}.clientMaxWindowBits`),
  };
}

/** What a server agrees to / a client asks for (the `ws` option names, or snake_case). */
function deflateConfig(v, name = 'config') {
  if (v === undefined || v === null || v === true) v = {};
  if (typeof v !== 'object') throw typeError(`${name} must be an object, got ${describe(v)}`);
  const level = v.level === undefined ? undefined : integer(v.level, `${name}.level`, 0, 9);
  return {
    serverNoContextTakeover: bool(pick(v, 'serverNoContextTakeover', 'server_no_context_takeover'), `${name}.serverNoContextTakeover`, false),
    clientNoContextTakeover: bool(pick(v, 'clientNoContextTakeover', 'client_no_context_takeover'), `${name}.clientNoContextTakeover`, false),
    serverMaxWindowBits: windowBits(pick(v, 'serverMaxWindowBits', 'server_max_window_bits'), `${name}.serverMaxWindowBits`),
    clientMaxWindowBits: windowBits(pick(v, 'clientMaxWindowBits', 'client_max_window_bits'), `${name}.clientMaxWindowBits`),
    level,
  };
}

// Native encoder errors carry a WS_ERR_* code; those about argument values become RangeErrors.
const RANGE_CODES = new Set([
  'WS_ERR_INVALID_OPCODE',
  'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
  'WS_ERR_EXPECTED_FIN',
  'WS_ERR_INVALID_CLOSE_CODE',
  'WS_ERR_CLOSE_REASON_TOO_LONG',
  'WS_ERR_INVALID_FRAGMENT_SIZE',
]);

// The engine's verdicts on strings for an HTTP head (wsprism::handshake::http): TypeErrors.
const TYPE_CODES = new Set(['ERR_INVALID_HTTP_TOKEN', 'ERR_INVALID_CHAR', 'ERR_UNESCAPED_CHARACTERS']);

function fromNative(e) {
  const As = e && typeof e.code === 'string' ? (RANGE_CODES.has(e.code) ? RangeError : TYPE_CODES.has(e.code) ? TypeError : null) : null;
  if (As) {
    const r = new As(e.message);
    r.code = e.code;
    return r;
  }
  return e;
}

// ------------------------------------------------------------------------------------------
// Small functions

/** `Sec-WebSocket-Accept` for a key: base64(SHA-1(key + GUID)). */
function acceptKey(key) {
  if (typeof key !== 'string') throw typeError(`key must be a string, got ${describe(key)}`);
  return native.acceptKey(key);
}

/** A fresh random `Sec-WebSocket-Key` (base64 of 16 random bytes). */
function generateKey() {
  return native.generateKey();
}

/** A masking key as a big-endian u32: 4 bytes, a number (0-0xffffffff) or 8 hex digits. */
function maskKey(key, name = 'key') {
  if (typeof key === 'number') return integer(key, name, 0, 0xffffffff);
  if (typeof key === 'string') {
    if (!/^[0-9a-fA-F]{8}$/.test(key)) throw rangeError(`${name} as a string must be 8 hex digits, got '${key}'`);
    return parseInt(key, 16) >>> 0;
  }
  if (key instanceof Uint8Array && ArrayBuffer.isView(key)) {
    if (key.length !== 4) throw rangeError(`${name} must be exactly 4 bytes, got ${key.length}`);
    return ((key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3]) >>> 0;
  }
  throw typeError(`${name} must be a 4-byte Buffer/Uint8Array, a number or 8 hex digits, got ${describe(key)}`);
}

// Below this many bytes a plain JS loop beats the native call (~100-150 ns with a Buffer
// argument; measured: JS 70-140 ns vs native 140-175 ns at 8-32 bytes, native ahead from 48-64).
const MASK_JS_MAX = 32;

/**
 * XORs `data` in place with the masking key, starting at key position `offset % 4` (so a
 * payload split across reads is unmasked piece by piece). Returns `data`.
 */
function mask(data, key, offset = 0) {
  // Fast path for the common call (a Buffer, a 4-byte key, offset 0) on tiny inputs.
  if (offset === 0 && data instanceof Uint8Array && ArrayBuffer.isView(data) && data.length < MASK_JS_MAX && key instanceof Uint8Array && ArrayBuffer.isView(key) && key.length === 4) {
    for (let i = 0; i < data.length; i++) data[i] ^= key[i & 3];
    return data;
  }
  const buf = mutableBytes(data, 'data');
  const k = maskKey(key);
  if (offset !== 0) integer(offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
  const n = buf.length;
  if (n < MASK_JS_MAX) {
    const o = offset & 3;
    const ks = [k >>> 24, (k >>> 16) & 0xff, (k >>> 8) & 0xff, k & 0xff];
    for (let i = 0; i < n; i++) buf[i] ^= ks[(i + o) & 3];
  } else {
    native.mask(buf, k, offset & 3);
  }
  return data;
}

/** True if `data` is valid UTF-8 (strict, RFC 3629). */
function isValidUtf8(data) {
  return native.isValidUtf8(bytes(data, 'data', { strings: false }));
}

/**
 * One frame as wire bytes. `mask`: false/undefined (none), true (random key), or a key.
 * Control frames (opcode 8-15) must have FIN and at most 125 payload bytes unless
 * `allowInvalid` is set (for building test frames).
 */
function encodeFrame(frame) {
  const f = options(frame, 'frame');
  const opcode = f.opcode;
  if (typeof opcode !== 'number') throw typeError(`frame.opcode must be a number, got ${describe(opcode)}`);
  integer(opcode, 'frame.opcode', 0, 15);
  const payload = bytes(f.payload, 'frame.payload', { allowUndefined: true });
  let key = null;
  if (f.mask === true) key = crypto.randomBytes(4).readUInt32BE(0);
  else if (f.mask !== undefined && f.mask !== null && f.mask !== false) key = maskKey(f.mask, 'frame.mask');
  try {
    return native.encodeFrame(
      opcode,
      payload,
      bool(f.fin, 'frame.fin', true),
      bool(f.rsv1, 'frame.rsv1', false),
      bool(f.rsv2, 'frame.rsv2', false),
      bool(f.rsv3, 'frame.rsv3', false),
      key,
      bool(f.allowInvalid, 'frame.allowInvalid', false)
    );
  } catch (e) {
    throw fromNative(e);
  }
}

// ------------------------------------------------------------------------------------------
// Inspection (field-by-field reports, the engine's serde names: snake_case)

function inspectArgs(opts) {
  const o = options(opts, 'options');
  return [
    roleIsServer(o.role),
    deflateParams(o.perMessageDeflate),
    limit(o.maxFrameSize, 'options.maxFrameSize', 16 * 1024 * 1024),
    limit(o.maxMessageSize, 'options.maxMessageSize', 64 * 1024 * 1024),
  ];
}

/** The first frame in `bytes`, field by field, with every rule it breaks; null if < 2 bytes. */
function inspectFrame(input, opts) {
  const buf = bytesOrHex(input, 'bytes');
  return JSON.parse(native.inspectFrame(buf, ...inspectArgs(opts)));
}

/** Every frame in `bytes` plus what a decoder makes of them (messages, events, error). */
function inspectStream(input, opts) {
  const buf = bytesOrHex(input, 'bytes');
  return JSON.parse(native.inspectStream(buf, ...inspectArgs(opts)));
}

// ------------------------------------------------------------------------------------------
// Captures (pcap, pcapng, HAR → WebSocket conversations; crates/wsprism-capture, docs/capture.md)

// Absent options stay undefined: the defaults are the capture crate's (CaptureOptions::default:
// maxBytes 4096, the engine's frame/message limits), shared with the wasm package and the CLI.
function captureArgs(opts) {
  const o = options(opts, 'options');
  return [
    // maxBytes: 0 and Infinity both mean "everything".
    limit(o.maxBytes, 'options.maxBytes', undefined),
    limit(o.maxFrameSize, 'options.maxFrameSize', undefined),
    limit(o.maxMessageSize, 'options.maxMessageSize', undefined),
  ];
}

/**
 * Every WebSocket connection in a capture file (pcap, pcapng or a HAR file's JSON): the
 * handshake, every frame and message in both directions, TCP facts and errors. `bytes` is the
 * file's content (a string is taken as its text, for HAR). Throws an `Error` with the capture
 * crate's `code` (e.g. `CAPTURE_UNSUPPORTED_FORMAT`) when the file cannot be read at all.
 */
function inspectCapture(input, opts) {
  const buf = bytes(input, 'bytes');
  // Errors from the native side carry their code: the capture crate's CAPTURE_* for a file it
  // cannot read, CAPTURE_REPORT_TOO_LARGE for a report longer than a JS string can be.
  return JSON.parse(native.inspectCapture(buf, ...captureArgs(opts)));
}

// ------------------------------------------------------------------------------------------
// Decoder: one native call per chunk

// Event table shared by all decoders (push is synchronous and the rows are consumed before it
// returns). Row i: table[3+3i] = type | 16 (owned) | closeCode << 16, then start, end; a
// close row is always owned, with its reason string at extra[start + 1].
let table = new Uint32Array(1 + 3 * ((64 * 1024) / 2 + 3));

const T_EXTRA = 16;

// Frames with at least this many payload bytes that a chunk leaves incomplete are joined here
// once complete and decoded in place (one copy, as ws does) instead of being assembled in the
// engine (two copies and a copy out): measured 1.2x ws instead of 1.0x at 64 KiB frames and
// 1.2x instead of 0.55x at 1 MiB (bench/node-codec.mjs). Smaller frames stream through the
// engine piece by piece, so invalid UTF-8 in them fails as soon as it arrives.
const WITHHOLD_MIN = 16 * 1024;

// Node's own Buffer class for views (what Buffer#subarray creates, reached through
// Buffer[Symbol.species]); constructing it directly costs a quarter of subarray().
const FastBuffer = (() => {
  const species = Buffer[Symbol.species];
  if (typeof species === 'function' && species !== Buffer && species.prototype === Buffer.prototype) return species;
  return function FastBufferShim(ab, offset, length) {
    return Buffer.from(ab, offset, length);
  };
})();

function protocolError(info) {
  const err = new Error(info.message);
  err.name = 'WebSocketProtocolError';
  err.code = info.code;
  err.closeCode = info.closeCode;
  err[Symbol.for('status-code')] = info.closeCode; // what `ws` uses for its errors
  err.rfcSection = info.rfcSection;
  err.offset = info.offset;
  if (info.detail !== undefined && info.detail !== null) err.detail = info.detail;
  return err;
}

class Decoder {
  /**
   * @param {object} [opts]
   * @param {'server'|'client'} [opts.role='server'] the receiving side (a server expects masked frames)
   * @param {number} [opts.maxFrameSize=16 MiB]
   * @param {number} [opts.maxMessageSize=64 MiB] after reassembly and decompression
   * @param {null|false|object} [opts.perMessageDeflate] agreed parameters
   * @param {number} [opts.maxFragments=0] most data frames in one message (0: no limit)
   * @param {number} [opts.maxBufferedChunks=0] most chunks that may end inside one frame (0: no limit)
   */
  constructor(opts) {
    const o = options(opts, 'options');
    this._native = native.decoderNew(
      roleIsServer(o.role),
      limit(o.maxFrameSize, 'options.maxFrameSize', 16 * 1024 * 1024),
      limit(o.maxMessageSize, 'options.maxMessageSize', 64 * 1024 * 1024),
      deflateParams(o.perMessageDeflate),
      WITHHOLD_MIN,
      countLimit(o.maxFragments, 'options.maxFragments'),
      countLimit(o.maxBufferedChunks, 'options.maxBufferedChunks')
    );
    this._error = null;
    // Pieces of a large frame split across chunks, joined once complete (see push).
    this._pending = null;
    this._pendingLength = 0;
    this._pendingNeed = 0;
  }

  /**
   * Decodes a chunk (unmasking it in place) and returns the events completed by it.
   * Message and control payloads are views of `chunk` where possible (no copy).
   */
  push(chunk) {
    if (this._native === null) throw freedError();
    if (this._error !== null) return [this._error];
    let buf = chunk;
    if (!Buffer.isBuffer(buf)) buf = mutableBytes(chunk, 'chunk');
    if (this._pending === null) return this._decode(buf, []);
    const events = [];
    for (;;) {
      if (this._pendingNeed === 0) {
        // A frame header cut by the chunk boundary: complete it with the next few bytes.
        const take = Math.min(buf.length, 14);
        const joined = Buffer.concat([...this._pending, buf.subarray(0, take)]);
        this._pending = null;
        this._pendingLength = 0;
        this._decode(joined, events);
        buf = buf.subarray(take);
      } else {
        // A large frame split across chunks: collect its pieces (no copy) until it is
        // complete, then join them once and decode it in place.
        const need = this._pendingNeed;
        if (this._pendingLength + buf.length < need) {
          this._pending.push(buf);
          this._pendingLength += buf.length;
          // One more chunk ending inside the frame, held here for the engine: it counts it
          // toward maxBufferedChunks and, over it, fails; the push of nothing reports that.
          if (!native.decoderHold(this._native)) {
            this._pending = null;
            this._pendingLength = 0;
            return this._decode(Buffer.alloc(0), events);
          }
          return events;
        }
        const take = need - this._pendingLength;
        const joined = Buffer.allocUnsafeSlow(need);
        let at = 0;
        for (const piece of this._pending) {
          piece.copy(joined, at);
          at += piece.length;
        }
        buf.copy(joined, at, 0, take);
        this._pending = null;
        this._pendingLength = 0;
        this._decode(joined, events);
        buf = buf.subarray(take);
      }
      if (this._error !== null || buf.length === 0) return events;
      if (this._pending === null) return this._decode(buf, events);
      // The joined bytes left a partial frame again: add the rest of the chunk to it.
    }
  }

  _decode(buf, events) {
    const need = 3 + 3 * ((buf.length >>> 1) + 3);
    if (table.length < need) table = new Uint32Array(need);
    const t = table;
    const extra = native.decoderPush(this._native, buf, t);
    const n = t[0];
    const ab = buf.buffer;
    const base = buf.byteOffset;
    for (let i = 0, j = 3; i < n; i++, j += 3) {
      const word = t[j];
      const start = t[j + 1];
      // A view of the chunk (no copy), or a payload the engine assembled.
      const data = (word & T_EXTRA) === 0 ? new FastBuffer(ab, base + start, t[j + 2] - start) : extra[start];
      switch (word & 15) {
        case 1:
          events.push({ type: 'message', data, binary: false });
          break;
        case 2:
          events.push({ type: 'message', data, binary: true });
          break;
        case 9:
          events.push({ type: 'ping', data });
          break;
        case 10:
          events.push({ type: 'pong', data });
          break;
        case 8:
          // Code (1005 for none) and reason are the engine's: extra[start + 1] is the reason.
          events.push({ type: 'close', code: word >>> 16, reason: extra[start + 1], data });
          break;
        default:
          this._error = { type: 'error', error: protocolError(data) };
          this._pending = null;
          events.push(this._error);
          return events;
      }
    }
    const limit = t[1];
    if (limit < buf.length) {
      this._pending = [buf.subarray(limit)];
      this._pendingLength = buf.length - limit;
      this._pendingNeed = t[2];
    }
    return events;
  }

  _status() {
    if (this._native === null) throw freedError();
    return native.decoderStatus(this._native);
  }

  /** True once a close frame was decoded. */
  get closed() {
    return this._status().closed;
  }

  /** Bytes held in reassembly buffers (bounded by the limits). */
  get buffered() {
    return this._status().buffered + this._pendingLength;
  }

  /** True while a frame or fragmented message is incomplete. */
  get partial() {
    return this._status().partial || this._pending !== null;
  }

  /** What the decoder is waiting for, in words. */
  get waitingFor() {
    const st = this._status();
    if (this._pending !== null) {
      return `${this._pendingNeed - this._pendingLength} more bytes of a ${this._pendingNeed}-byte frame (held in JS until complete)`;
    }
    return st.waitingFor;
  }

  /** Stream bytes consumed so far. */
  get offset() {
    return this._status().offset;
  }

  /**
   * Releases the native decoder (buffers, inflate state) now rather than at garbage
   * collection. Idempotent; afterwards every method throws `ERR_INVALID_STATE`.
   */
  free() {
    if (this._native !== null) {
      native.decoderFree(this._native);
      this._native = null;
      this._pending = null;
      this._pendingLength = 0;
    }
  }

  [DISPOSE]() {
    this.free();
  }

  /** The error the stream failed with, or null. */
  get error() {
    return this._error === null ? null : this._error.error;
  }
}

// ------------------------------------------------------------------------------------------
// Encoder

// Server frames (no mask, no compression, one frame) are framed here in JS: the header is 2-10
// bytes and one Buffer.allocUnsafe + copy beats a native call up to this payload size; larger
// payloads go native. Measured with bench/node-codec.mjs ("encoder"), see README.md.
const JS_FRAME_MAX = 64 * 1024;

function jsFrame(opcode, payload) {
  const len = payload.length;
  let out;
  if (len < 126) {
    out = Buffer.allocUnsafe(2 + len);
    out[0] = 0x80 | opcode;
    out[1] = len;
    payload.copy(out, 2);
  } else if (len < 65536) {
    out = Buffer.allocUnsafe(4 + len);
    out[0] = 0x80 | opcode;
    out[1] = 126;
    out[2] = len >>> 8;
    out[3] = len & 0xff;
    payload.copy(out, 4);
  } else {
    out = Buffer.allocUnsafe(10 + len);
    out[0] = 0x80 | opcode;
    out[1] = 127;
    out.writeUInt32BE(Math.floor(len / 0x100000000), 2);
    out.writeUInt32BE(len >>> 0, 6);
    payload.copy(out, 10);
  }
  return out;
}

// Encoder output lands here when it fits, and is copied into a pooled Buffer (see takeOutput).
const encScratch = Buffer.allocUnsafeSlow(64 * 1024);

function takeOutput(r) {
  if (typeof r !== 'number') return r;
  const out = Buffer.allocUnsafe(r);
  encScratch.copy(out, 0, 0, r);
  return out;
}

class Encoder {
  /**
   * @param {object} [opts]
   * @param {'server'|'client'} [opts.role='server'] the SENDING side (a client masks its frames)
   * @param {null|false|object} [opts.perMessageDeflate] agreed parameters
   * @param {number} [opts.level=6] deflate level 0-9
   * @param {number} [opts.memLevel=8] zlib memLevel 1-9 (compressor memory)
   */
  constructor(opts) {
    const o = options(opts, 'options');
    this._server = roleIsServer(o.role);
    const pmd = deflateParams(o.perMessageDeflate);
    const level = o.level === undefined ? undefined : integer(o.level, 'options.level', 0, 9);
    const memLevel = o.memLevel === undefined ? undefined : integer(o.memLevel, 'options.memLevel', 1, 9);
    this._native = new native.NativeEncoder(this._server, pmd, level, memLevel);
    this._inMessage = false;
  }

  /**
   * A message as wire bytes (one Buffer, several frames if fragmented). With `fin: false` it
   * is the first/next fragment of a message finished by a later call with `fin: true`.
   */
  message(data, opts) {
    if (this._native === null) throw freedError();
    const o = opts === undefined ? EMPTY_OPTS : options(opts, 'options');
    const binary = o.binary === undefined ? typeof data !== 'string' : bool(o.binary, 'options.binary');
    const payload = bytes(data, 'data', { allowUndefined: true });
    const compress = o.compress === undefined ? false : bool(o.compress, 'options.compress');
    const fin = o.fin === undefined ? true : bool(o.fin, 'options.fin');
    const fragmentSize =
      o.fragmentSize === undefined || o.fragmentSize === null
        ? undefined
        : integer(o.fragmentSize, 'options.fragmentSize', 1, 0xffffffff);
    if (this._server && fin && !compress && !this._inMessage && fragmentSize === undefined && payload.length <= JS_FRAME_MAX) {
      return jsFrame(binary ? 2 : 1, payload);
    }
    // `mask`: true/undefined (a random key per frame), a fixed key, or false: a client's frames
    // go out unmasked, which RFC 6455 §5.1 forbids (a server closes with 1002): for testing
    // servers, as `ws`'s per-send `mask: false`. A server never masks.
    let key;
    const unmasked = o.mask === false;
    if (o.mask !== undefined && o.mask !== null && o.mask !== true && !unmasked) key = maskKey(o.mask, 'options.mask');
    try {
      const out = takeOutput(this._native.message(!binary, payload, compress, fin, fragmentSize, key, unmasked, encScratch));
      this._inMessage = !fin;
      return out;
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** A ping frame (payload at most 125 bytes). */
  ping(data) {
    if (this._native === null) throw freedError();
    try {
      return takeOutput(this._native.ping(bytes(data, 'data', { allowUndefined: true }), encScratch));
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** A pong frame (payload at most 125 bytes). */
  pong(data) {
    if (this._native === null) throw freedError();
    try {
      return takeOutput(this._native.pong(bytes(data, 'data', { allowUndefined: true }), encScratch));
    } catch (e) {
      throw fromNative(e);
    }
  }

  /**
   * A close frame. `code` undefined: no status (then no reason). Valid codes: 1000-1003,
   * 1007-1014, 3000-4999; the reason is at most 123 bytes of UTF-8.
   */
  close(code, reason = '') {
    if (this._native === null) throw freedError();
    let c = 0;
    if (code !== undefined && code !== null) c = integer(code, 'code', 0, 65535);
    if (c === 0 && code !== undefined && code !== null) {
      throw rangeError('close code 0 may not be sent (valid: 1000-1003, 1007-1014, 3000-4999; RFC 6455 §7.4)', 'WS_ERR_INVALID_CLOSE_CODE');
    }
    let r = reason;
    if (Buffer.isBuffer(r) || r instanceof Uint8Array) {
      const b = bytes(r, 'reason', { strings: false });
      if (!native.isValidUtf8(b)) throw rangeError('close reason must be valid UTF-8 (RFC 6455 §5.5.1)', 'WS_ERR_INVALID_UTF8');
      r = b.toString('utf8');
    } else if (r === undefined || r === null) r = '';
    else if (typeof r !== 'string') throw typeError(`reason must be a string or Buffer, got ${describe(r)}`);
    try {
      return takeOutput(this._native.close(c, r, encScratch));
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** True while a message sent with `fin: false` is unfinished. */
  get inMessage() {
    return this._inMessage;
  }

  /** True if permessage-deflate is on (messages may be sent with `compress: true`). */
  get canCompress() {
    if (this._native === null) throw freedError();
    return this._native.canCompress;
  }

  /**
   * Releases the native encoder (compression state) now rather than at garbage collection.
   * Idempotent; afterwards every method throws `ERR_INVALID_STATE`.
   */
  free() {
    if (this._native !== null) {
      this._native.free();
      this._native = null;
    }
  }

  [DISPOSE]() {
    this.free();
  }
}

const EMPTY_OPTS = Object.freeze({});

// ------------------------------------------------------------------------------------------
// Handshake

const DEFAULT_MAX_HEAD_SIZE = 8 * 1024;

class HandshakeError extends Error {
  constructor(message, status, code) {
    super(message);
    this.name = 'HandshakeError';
    this.status = status;
    this.code = code; // the engine's HandshakeError::code()
  }
}

function maxHead(o) {
  return o.maxSize === undefined ? DEFAULT_MAX_HEAD_SIZE : integer(o.maxSize, 'options.maxSize', 16, 0xffffffff);
}

/**
 * Parses an HTTP request head at the start of `buf`: `{ complete: false }` while incomplete,
 * else `{ complete: true, length, method, path, httpVersion, headers: [[name, value], ...] }`.
 * Throws a HandshakeError with `status` (400, 431) for malformed or too large heads.
 */
function parseHandshakeRequest(buf, opts) {
  const o = options(opts, 'options');
  const r = JSON.parse(native.parseRequest(bytes(buf, 'buf'), maxHead(o)));
  if (r.error) throw new HandshakeError(r.error.message, r.error.status, r.error.code);
  return r;
}

function extensionsFromJson(list) {
  return list.map((e) => ({ name: e.name, params: e.params }));
}

/**
 * Parses and validates an upgrade request (RFC 6455 §4.2.1). On success
 * `{ ok: true, accept, key, path, host, origin, protocols, extensions, headers, length }`;
 * otherwise `{ ok: false, status, code, message, response }` where `response` is the complete
 * HTTP rejection to write (400, with Sec-WebSocket-Version: 13, 8 for a version failure; 405
 * with Allow: GET for another method; 431) and `code` names the rule (WS_ERR_HANDSHAKE_*).
 */
function validateHandshakeRequest(buf, opts) {
  const o = options(opts, 'options');
  const r = JSON.parse(native.validateRequest(bytes(buf, 'request'), maxHead(o)));
  if (!r.ok) {
    return { ok: false, status: r.status, code: r.code, message: r.message, response: Buffer.from(r.response, 'utf8') };
  }
  r.origin = r.origin === null ? undefined : r.origin;
  r.extensions = extensionsFromJson(r.extensions);
  return r;
}

// Types only: whether a name is a token and a value free of CR, LF and NUL is the engine's
// verdict (wsprism::handshake::http), thrown by the builders as a TypeError with its code.
function headerPairs(h, name) {
  if (h === undefined || h === null) return [];
  const pairs = [];
  const add = (k, v) => {
    if (typeof k !== 'string') throw typeError(`${name}: header name ${JSON.stringify(k)} is not a string`);
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) pairs.push([k, String(x)]);
  };
  if (Array.isArray(h)) {
    for (const p of h) {
      if (!Array.isArray(p) || p.length !== 2) throw typeError(`${name} as an array must hold [name, value] pairs`);
      add(p[0], p[1]);
    }
  } else if (typeof h === 'object') {
    for (const k of Object.keys(h)) add(k, h[k]);
  } else {
    throw typeError(`${name} must be an object or an array of [name, value] pairs, got ${describe(h)}`);
  }
  return pairs;
}

function headerValue(v, name) {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw typeError(`${name} must be a string, got ${describe(v)}`);
  return v;
}

/**
 * The `101 Switching Protocols` response. Give the client's `key` (the accept value is
 * computed) or the `accept` value itself; `protocol` and `extensions` are header values.
 */
function buildHandshakeResponse(opts) {
  const o = options(opts, 'options');
  let accept;
  if (o.accept !== undefined) accept = headerValue(o.accept, 'options.accept');
  else if (typeof o.key === 'string') accept = native.acceptKey(o.key);
  else throw typeError('options.key (the client\'s Sec-WebSocket-Key) or options.accept must be a string');
  if (accept === undefined) throw typeError('options.accept must be a non-empty string');
  const protocol = headerValue(o.protocol, 'options.protocol');
  const extensions = extensionsValue(o.extensions, 'options.extensions');
  const headers = headerPairs(o.headers, 'options.headers');
  try {
    return native.buildResponse(accept, protocol, extensions, headers);
  } catch (e) {
    throw fromNative(e);
  }
}

/** A client's upgrade request head (`key` defaults to a fresh one; see generateKey). */
function buildHandshakeRequest(opts) {
  const o = options(opts, 'options');
  const host = headerValue(o.host, 'options.host');
  if (host === undefined) throw typeError('options.host must be a non-empty string');
  const p = o.path === undefined ? '/' : headerValue(o.path, 'options.path');
  const key = o.key === undefined ? native.generateKey() : headerValue(o.key, 'options.key');
  const protocols = o.protocols === undefined ? [] : Array.isArray(o.protocols) ? o.protocols : [o.protocols];
  for (const s of protocols) {
    if (typeof s !== 'string') throw typeError(`options.protocols: ${JSON.stringify(s)} is not a string`);
  }
  const extensions = extensionsValue(o.extensions, 'options.extensions');
  const origin = headerValue(o.origin, 'options.origin');
  const headers = headerPairs(o.headers, 'options.headers');
  try {
    return native.buildRequest(host, p || '/', key || native.generateKey(), protocols, extensions, origin, headers);
  } catch (e) {
    throw fromNative(e);
  }
}

/**
 * Parses a server's response head and, given the request's `key`, validates it (RFC 6455
 * §4.1): `{ complete: false }` or `{ complete: true, length, status, reason, headers, ok,
 * protocol, extensions, message? }`. `protocols`: the subprotocols offered; `extensions`: the
 * extension names offered (e.g. ['permessage-deflate']).
 */
function parseHandshakeResponse(buf, opts) {
  const o = options(opts, 'options');
  const key = o.key === undefined ? undefined : headerValue(o.key, 'options.key');
  const protocols = o.protocols === undefined ? [] : Array.isArray(o.protocols) ? o.protocols : [o.protocols];
  let exts = o.extensions === undefined ? [] : Array.isArray(o.extensions) ? o.extensions : [o.extensions];
  exts = exts.map((e) => (typeof e === 'string' ? e.split(';')[0].trim() : e && e.name));
  for (const s of [...protocols, ...exts]) {
    if (typeof s !== 'string') throw typeError('options.protocols and options.extensions must hold strings');
  }
  let r;
  try {
    r = JSON.parse(native.parseResponse(bytes(buf, 'buf'), maxHead(o), key, protocols, exts));
  } catch (e) {
    throw fromNative(e);
  }
  if (r.error) throw new HandshakeError(r.error.message, r.error.status, r.error.code);
  if (r.complete && r.extensions) r.extensions = extensionsFromJson(r.extensions);
  if (r.complete && r.protocol === null) r.protocol = undefined;
  return r;
}

// Extensions given as a list, flattened for the engine's formatter (formatExtensions:
// wsprism::handshake::format_extensions writes the value and checks every name, parameter and
// value is a token, RFC 6455 §9.1). Types only here: an entry is an extension name or
// { name, params }, params { key: value } or [[key, value]], a value true/null/undefined (no
// value), an integer or a string.
function extensionList(x, name) {
  const value = (v, k) => {
    if (v === true || v === null || v === undefined) return null;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isInteger(v)) return String(v);
    throw typeError(`${name}: parameter ${k} must be true, an integer or a string, got ${describe(v)}`);
  };
  return x.map((e) => {
    if (typeof e === 'string') return [e];
    if (e === null || typeof e !== 'object' || typeof e.name !== 'string') {
      throw typeError(`${name} must hold extension names or { name, params }, got ${describe(e)}`);
    }
    const out = [e.name];
    const p = e.params;
    if (Array.isArray(p)) {
      for (const kv of p) {
        if (!Array.isArray(kv) || typeof kv[0] !== 'string') throw typeError(`${name}: params as an array must hold [name, value] pairs`);
        out.push(kv[0], value(kv[1], kv[0]));
      }
    } else if (p !== null && typeof p === 'object') {
      for (const k of Object.keys(p)) out.push(k, value(p[k], k));
    } else if (p !== undefined && p !== null) {
      throw typeError(`${name}: params must be an object or an array of pairs, got ${describe(p)}`);
    }
    return out;
  });
}

/** A Sec-WebSocket-Extensions value given as a string or a list (see extensionList). */
function extensionsValue(x, name) {
  if (!Array.isArray(x)) return headerValue(x, name);
  let v;
  try {
    v = native.formatExtensions(extensionList(x, name));
  } catch (e) {
    throw fromNative(e);
  }
  return v === '' ? undefined : v;
}

/** Offers as a header value, or the `extensions` array of validateHandshakeRequest. */
function offersValue(offers) {
  if (typeof offers === 'string') return offers;
  if (offers === undefined || offers === null) return '';
  if (!Array.isArray(offers)) throw typeError(`offers must be a header value or an extensions array, got ${describe(offers)}`);
  return extensionsValue(offers, 'offers') || '';
}

/**
 * Server side (RFC 7692): picks the first acceptable permessage-deflate offer.
 * Returns `{ response, params }` (the Sec-WebSocket-Extensions value to answer with and the
 * agreed parameters for Decoder/Encoder) or null (no compression).
 */
function negotiatePerMessageDeflate(offers, config) {
  const r = native.negotiateDeflate(offersValue(offers), deflateConfig(config));
  return r === null ? null : JSON.parse(r);
}

/** Client side: the Sec-WebSocket-Extensions offer for `config`. */
function perMessageDeflateOffer(config) {
  return native.deflateOffer(deflateConfig(config));
}

/**
 * Client side: checks the server's Sec-WebSocket-Extensions answer against the offer made
 * with `config`; returns the agreed params, null if permessage-deflate was not accepted, and
 * throws (code WS_ERR_INVALID_EXTENSION) if the answer is not acceptable.
 */
function acceptPerMessageDeflate(response, config) {
  if (response === undefined || response === null || response === '') return null;
  if (typeof response !== 'string') throw typeError(`response must be a header value string, got ${describe(response)}`);
  let r;
  try {
    r = native.acceptDeflate(response, deflateConfig(config));
  } catch (e) {
    const err = new Error(e.message);
    err.code = 'WS_ERR_INVALID_EXTENSION';
    throw err;
  }
  return r === null ? null : JSON.parse(r);
}

// ------------------------------------------------------------------------------------------
// Diagnostics

/**
 * Native codec states alive in this process: `{ decoders, encoders, inflaters, deflaters }`
 * (inflaters/deflaters: allocated permessage-deflate states). A server's counts return to
 * where they were once its connections have ended, without a garbage collection.
 */
function liveStates() {
  return native.liveStates();
}

// ------------------------------------------------------------------------------------------

module.exports = {
  /** Which engine is in use: 'native' (the napi-rs addon) or 'wasm' (WebAssembly). */
  backend: native.name,
  liveStates,
  acceptKey,
  generateKey,
  mask,
  unmask: mask,
  isValidUtf8,
  encodeFrame,
  inspectFrame,
  inspectStream,
  inspectCapture,
  Decoder,
  Encoder,
  parseHandshakeRequest,
  validateHandshakeRequest,
  buildHandshakeResponse,
  buildHandshakeRequest,
  parseHandshakeResponse,
  negotiatePerMessageDeflate,
  perMessageDeflateOffer,
  acceptPerMessageDeflate,
  HandshakeError,
  DEFAULT_MAX_HEAD_SIZE,
};

// The JS fast paths, for tests/node/fastpath.test.mjs (compared byte for byte with the engine);
// not part of the API (not enumerable, not typed).
Object.defineProperty(module.exports, '_fastPaths', { value: { jsFrame, JS_FRAME_MAX, MASK_JS_MAX } });

// The ws-style classes (lib/), when present. Defined as lazy getters: lib/ requires this file.
const libFiles = {
  WebSocket: path.join(__dirname, 'lib', 'websocket.js'),
  WebSocketServer: path.join(__dirname, 'lib', 'websocket-server.js'),
  createWebSocketStream: path.join(__dirname, 'lib', 'stream.js'),
};
for (const [name, file] of Object.entries(libFiles)) {
  if (fs.existsSync(file)) {
    Object.defineProperty(module.exports, name, {
      enumerable: true,
      configurable: true,
      get() {
        const v = require(file);
        const value = typeof v === 'function' ? v : v[name] || v;
        Object.defineProperty(module.exports, name, { value, enumerable: true, configurable: true, writable: true });
        return value;
      },
    });
  }
}
