'use strict';

// A `ws`-compatible WebSocket (the server side of a connection, and a ws:// client) on top of
// the wsprism engine: every frame is parsed, validated, unmasked, inflated and encoded in Rust
// (Decoder / Encoder from the addon); this file only moves bytes between a socket and the codec
// and keeps the `ws` 8.x events, states and options.
//
// Differences from `ws` that an app may notice:
// - a protocol error emits 'error' only if the socket has an 'error' listener (an app without one
//   does not crash), then 'close' with the error's close code;
// - `extensions` is the negotiated Sec-WebSocket-Extensions value (as in browsers), e.g.
//   "permessage-deflate; client_max_window_bits=15";
// - a 'drain' event is emitted when the socket's write buffer empties after a write that
//   returned false (backpressure), so `bufferedAmount` + 'drain' can pace a sender.

const EventEmitter = require('events');
const http = require('http');
const https = require('https');
const net = require('net');
const tls = require('tls');
const { URL } = require('url');
const { frameError, responseMessage, closeArgumentError } = require('./errors');
const { sharedEncoder, checkTopic } = require('./pubsub');

const kAborted = Symbol('wsprism.aborted');
const kCodec = Symbol('wsprism.codec');
let codecModule = null;
// Lazy, so that the package index may require this file while it is itself being loaded.
function codec() {
  if (codecModule === null) codecModule = require('../index.js');
  return codecModule;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const readyStates = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
const CLOSE_TIMEOUT = 30000;
const BINARY_TYPES = ['nodebuffer', 'arraybuffer', 'fragments', 'blob'];
const hasBlob = typeof Blob === 'function';
const EMPTY = Buffer.alloc(0);
const NOOP = () => {};
const NO_OPTIONS = Object.freeze({});
// Encoder.message options for each (binary, compress, fin): send() allocates none per message.
const MESSAGE_OPTIONS = [];
for (let i = 0; i < 8; i++) {
  MESSAGE_OPTIONS.push(Object.freeze({ binary: (i & 1) !== 0, compress: (i & 2) !== 0, fin: (i & 4) !== 0 }));
}

/** `ws`'s reading of a count option (maxFragments, maxBufferedChunks): `| 0`, none if <= 0. */
function countOption(v) {
  const n = v | 0;
  return n > 0 ? n : 0;
}

function toBuffer(data) {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer) {
    return Buffer.from(data);
  }
  if (typeof data === 'number' || typeof data === 'boolean') return Buffer.from(String(data));
  throw new TypeError(
    'The data argument must be a string, Buffer, ArrayBuffer or TypedArray, got ' +
      (data === null ? 'null' : typeof data)
  );
}

function toArrayBuffer(buf) {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) return buf.buffer;
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}

/** Converts the `ws` permessage-deflate option (true or an object) to the engine's config. */
function deflateConfig(opt) {
  if (!opt) return null;
  const o = opt === true ? {} : opt;
  const cfg = {
    serverNoContextTakeover: !!o.serverNoContextTakeover,
    clientNoContextTakeover: !!o.clientNoContextTakeover
  };
  // `ws` accepts a number, or `true` for "offer the parameter without a value".
  if (typeof o.serverMaxWindowBits === 'number') cfg.serverMaxWindowBits = o.serverMaxWindowBits;
  if (typeof o.clientMaxWindowBits === 'number') cfg.clientMaxWindowBits = o.clientMaxWindowBits;
  const level = o.zlibDeflateOptions && o.zlibDeflateOptions.level;
  if (typeof level === 'number' && level >= 0 && level <= 9) cfg.level = level;
  cfg.threshold = typeof o.threshold === 'number' ? o.threshold : 1024;
  if (o.compressor !== undefined && o.compressor !== 'shared' && o.compressor !== 'dedicated') {
    const err = new TypeError(`perMessageDeflate.compressor must be 'shared' or 'dedicated', got ${JSON.stringify(o.compressor)}`);
    err.code = 'ERR_INVALID_ARG_VALUE';
    throw err;
  }
  if (o.compressor === 'shared') {
    // One compressor for every connection: only possible without context takeover, which the
    // server then always answers (server_no_context_takeover, RFC 7692 §7.1.1.1). It also asks
    // the client to reset its context after each message (client_no_context_takeover, which
    // a server may answer unoffered, §7.1.1.2) unless clientNoContextTakeover is false: the
    // engine then frees a connection's inflate state (~43 KB) between messages, so an idle or
    // once-active connection holds no compression state at all.
    cfg.compressor = 'shared';
    cfg.serverNoContextTakeover = true;
    if (o.clientNoContextTakeover !== false) cfg.clientNoContextTakeover = true;
  }
  return cfg;
}

function engineDeflateConfig(cfg) {
  if (!cfg) return null;
  const out = {
    serverNoContextTakeover: cfg.serverNoContextTakeover,
    clientNoContextTakeover: cfg.clientNoContextTakeover
  };
  if (cfg.serverMaxWindowBits !== undefined) out.serverMaxWindowBits = cfg.serverMaxWindowBits;
  if (cfg.clientMaxWindowBits !== undefined) out.clientMaxWindowBits = cfg.clientMaxWindowBits;
  if (cfg.level !== undefined) out.level = cfg.level;
  return out;
}

/**
 * Builds the raw head of an http.IncomingMessage again so the engine can validate it. With a
 * `maxHeadersCount` (the http.Server's or the ClientRequest's), only the header lines Node gave
 * the app in `headers` are judged, as `ws` judges `headers`: Node keeps every line in
 * `rawHeaders` but ignores those past the limit.
 */
function rawHead(firstLine, rawHeaders, maxHeadersCount) {
  let s = firstLine + '\r\n';
  const n = maxHeadersCount > 0 ? Math.min(rawHeaders.length, maxHeadersCount * 2) : rawHeaders.length;
  for (let i = 0; i + 1 < n; i += 2) {
    s += rawHeaders[i] + ': ' + rawHeaders[i + 1] + '\r\n';
  }
  return Buffer.from(s + '\r\n', 'latin1');
}

// ---------------------------------------------------------------------------------------------
// DOM-style events (`onmessage`, `addEventListener`), as `ws` provides them.

class Event {
  constructor(type, target) {
    this.type = type;
    this.target = target;
  }
}
class MessageEvent extends Event {
  constructor(data, target) {
    super('message', target);
    this.data = data;
  }
}
class CloseEvent extends Event {
  constructor(code, reason, target) {
    super('close', target);
    this.code = code;
    this.reason = reason;
    this.wasClean = target._closeFrameReceived && target._closeFrameSent;
  }
}
class ErrorEvent extends Event {
  constructor(error, target) {
    super('error', target);
    this.error = error;
    this.message = error && error.message;
  }
}

const kListener = Symbol('kListener');
const kForOnEventAttribute = Symbol('kForOnEventAttribute');

function wrapListener(ws, type, handler) {
  let wrapper;
  if (type === 'message') {
    wrapper = function onMessage(data, isBinary) {
      const ev = new MessageEvent(isBinary ? data : data.toString(), ws);
      callListener(handler, ws, ev);
    };
  } else if (type === 'close') {
    wrapper = function onClose(code, reason) {
      callListener(handler, ws, new CloseEvent(code, reason.toString(), ws));
    };
  } else if (type === 'error') {
    wrapper = function onError(error) {
      callListener(handler, ws, new ErrorEvent(error, ws));
    };
  } else if (type === 'open') {
    wrapper = function onOpen() {
      callListener(handler, ws, new Event('open', ws));
    };
  } else {
    return null;
  }
  wrapper[kListener] = handler;
  return wrapper;
}

function callListener(handler, thisArg, event) {
  if (typeof handler === 'object' && handler && handler.handleEvent) handler.handleEvent(event);
  else handler.call(thisArg, event);
}

// ---------------------------------------------------------------------------------------------

class WebSocket extends EventEmitter {
  /**
   * `new WebSocket(url, protocols?, options?)` opens a client connection (ws:// only).
   * The server creates its connections with `new WebSocket(null, undefined, options)`.
   */
  constructor(address, protocols, options) {
    super();
    this._binaryType = 'nodebuffer';
    this._closeCode = 1006;
    this._closeMessage = EMPTY;
    this._closeFrameReceived = false;
    this._closeFrameSent = false;
    this._closeTimer = null;
    this._readyState = CONNECTING;
    this._protocol = '';
    this._extensions = '';
    this._socket = null;
    this._decoder = null; // created on first use: _dec()
    this._encoder = null; // created on first use: _enc()
    this._decoderOptions = null;
    this._encoderOptions = null;
    this._deflate = null; // negotiated deflate config (with threshold) or null
    this._bufferedAmount = 0; // bytes "sent" while no socket exists
    this._needDrain = false;
    this._req = null;
    this._url = undefined;
    this._autoPong = true;
    this._closeTimeout = CLOSE_TIMEOUT;
    this._errored = false;
    this._isServer = address === null;
    this._redirects = 0;
    this._generateMask = null;
    this._blobQueue = null; // sends waiting for a Blob ahead of them to be read
    this._hub = null; // a server connection: its server's topics (lib/pubsub.js Topics)
    this._topics = null; // Set of subscribed topics, or null
    this._afterMessage = null; // published frames waiting for a fragmented message to end
    this._published = null; // published frames of this tick, written at its end (_writePublished)
    this._publishedBytes = 0;
    this._idleTicks = 0; // heartbeat sweeps since a chunk was last received
    this._syncEvents = true; // allowSynchronousEvents
    this._eventQueue = null; // decoded events waiting for their turn (allowSynchronousEvents: false)
    this._eventTimer = null;
    this._deferPaused = false; // the socket was paused by _deferEvents, not by pause()

    if (address !== null) {
      if (protocols === undefined) protocols = [];
      else if (!Array.isArray(protocols)) {
        if (typeof protocols === 'object' && protocols !== null) {
          options = protocols;
          protocols = [];
        } else {
          protocols = [protocols];
        }
      }
      initAsClient(this, address, protocols, options);
    } else {
      const opts = options || {};
      this._autoPong = opts.autoPong !== false;
      if (typeof opts.closeTimeout === 'number') this._closeTimeout = opts.closeTimeout;
    }
  }

  get binaryType() { return this._binaryType; }
  set binaryType(type) {
    if (!BINARY_TYPES.includes(type)) return;
    this._binaryType = type;
  }

  /** Bytes handed to `send`/`ping`/`pong`/`close` and not yet written to the kernel. */
  get bufferedAmount() {
    if (!this._socket) return this._bufferedAmount;
    return this._bufferedAmount + this._publishedBytes + (this._socket.writableLength || 0);
  }

  get extensions() { return this._extensions; }
  get isPaused() { return this._socket ? this._socket.isPaused() && !this._deferPaused : false; }
  get protocol() { return this._protocol; }
  get readyState() { return this._readyState; }
  get url() { return this._url; }

  /**
   * Attaches an upgraded socket. `params` (from the handshake): { head, maxPayload,
   * deflate: config with negotiated `params` | null, role }.
   * @private
   */
  setSocket(socket, head, params) {
    const deflateParams = params.deflate ? params.deflate.params : null;
    // Like `ws`, maxPayload 0 means no limit.
    const max = params.maxPayload > 0 ? params.maxPayload : Infinity;
    // The native Decoder and Encoder are created on first use (_dec(), _enc()): an idle
    // connection holds no codec state, and with permessage-deflate no compressor (~300 KB) or
    // inflater (~20 KB) until it receives or sends a message (`ws` creates its zlib streams
    // lazily too).
    this._decoderOptions = {
      role: params.role,
      maxFrameSize: max,
      maxMessageSize: max,
      // As in `ws`: 32-bit integers, 0 or less for no limit. Enforced by the engine (1008).
      maxFragments: countOption(params.maxFragments),
      maxBufferedChunks: countOption(params.maxBufferedChunks),
      perMessageDeflate: deflateParams
    };
    const encOpts = { role: params.role, perMessageDeflate: deflateParams };
    if (params.deflate && params.deflate.level !== undefined) encOpts.level = params.deflate.level;
    this._encoderOptions = encOpts;
    this._deflate = params.deflate || null;
    this._syncEvents = params.allowSynchronousEvents !== false;
    this._socket = socket;
    socket[kCodec] = this;

    // Any Duplex can carry a connection; only a net.Socket has these.
    if (typeof socket.setTimeout === 'function') socket.setTimeout(0);
    if (typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
    // Bytes that came with the upgrade are read like any later ones, once the app has had its
    // 'connection' (or 'open') turn to add listeners.
    if (head && head.length > 0) socket.unshift(head);
    socket.on('close', socketOnClose);
    socket.on('data', socketOnData);
    socket.on('end', socketOnEnd);
    socket.on('error', socketOnError);
    socket.on('drain', socketOnDrain);

    this._readyState = OPEN;
    this.emit('open');
    if (socket.readableEnded && this._readyState === OPEN) socketOnEnd.call(socket);
  }

  /** @private */
  _dec() {
    if (this._decoder === null) this._decoder = new (codec().Decoder)(this._codecOptions(this._decoderOptions));
    return this._decoder;
  }

  /** @private */
  _enc() {
    if (this._encoder === null) this._encoder = new (codec().Encoder)(this._codecOptions(this._encoderOptions));
    return this._encoder;
  }

  /** @private: a codec is made only while the connection is live (never after _releaseCodec). */
  _codecOptions(opts) {
    if (opts === null) {
      const err = new Error('the connection has ended: its codec was released');
      err.code = 'ERR_INVALID_STATE';
      throw err;
    }
    return opts;
  }

  /**
   * @private: frees the native decoder and encoder (and their permessage-deflate state) the
   * moment the connection has ended, instead of whenever V8 collects this object: a server
   * whose clients come and go must not hold their compression state until a GC.
   */
  _releaseCodec() {
    this._decoderOptions = null;
    this._encoderOptions = null;
    if (this._decoder !== null) {
      this._decoder.free();
      this._decoder = null;
    }
    if (this._encoder !== null) {
      this._encoder.free();
      this._encoder = null;
    }
  }

  /** @private: one native call per socket chunk. */
  _onData(chunk) {
    if (this._closeFrameReceived || this._errored) return; // nothing more is read after those
    let events;
    try {
      events = this._dec().push(chunk);
    } catch (err) {
      // Not a protocol error (those are events): a bug or misuse below us. Fail this connection
      // (1011) rather than the process.
      if (!err.code) err.code = 'WS_ERR_INTERNAL';
      err.closeCode = 1011;
      this._onProtocolError(err);
      return;
    }
    if (!this._syncEvents) {
      this._deferEvents(events);
      return;
    }
    for (let i = 0; i < events.length; i++) {
      if (!this._dispatch(events[i])) return;
    }
  }

  /** @private: acts on one decoded event; false when nothing more is to be read. */
  _dispatch(ev) {
    switch (ev.type) {
      case 'message':
        this._emitMessage(ev.data, ev.binary);
        break;
      case 'ping':
        if (this._autoPong && this._readyState === OPEN) this._write(this._enc().pong(ev.data));
        this.emit('ping', ev.data);
        break;
      case 'pong':
        this.emit('pong', ev.data);
        break;
      case 'close':
        this._onCloseFrame(ev.code, ev.reason);
        return false;
      case 'error':
        this._onProtocolError(ev.error);
        return false;
      default:
        break;
    }
    return !(this._readyState === CLOSED || this._socket.destroyed);
  }

  /**
   * @private: `allowSynchronousEvents: false` (ws's semantics): each 'message', 'ping' and 'pong'
   * is emitted in its own turn of the event loop (setImmediate), so at most one per tick; close
   * frames and errors follow in order, without a turn of their own. Reading stops while events
   * wait (the socket is paused), so the queue holds at most what one chunk decoded to.
   */
  _deferEvents(events) {
    if (events.length === 0) return;
    if (this._eventQueue === null) this._eventQueue = [];
    for (let i = 0; i < events.length; i++) this._eventQueue.push(events[i]);
    if (this._eventTimer !== null) return;
    if (this._socket && !this._socket.isPaused()) {
      this._socket.pause();
      this._deferPaused = true;
    }
    this._eventTimer = setImmediate(drainEvents, this);
  }

  _emitMessage(data, binary) {
    if (!binary) {
      this.emit('message', data, false);
      return;
    }
    if (this._binaryType === 'arraybuffer') this.emit('message', toArrayBuffer(data), true);
    else if (this._binaryType === 'blob') this.emit('message', new Blob([data]), true);
    else if (this._binaryType === 'fragments') this.emit('message', [data], true);
    else this.emit('message', data, true);
  }

  _onCloseFrame(code, reason) {
    this._closeFrameReceived = true;
    this._closeCode = code;
    const r = reason === undefined || reason === null ? EMPTY : reason;
    this._closeMessage = typeof r === 'string' ? Buffer.from(r) : Buffer.from(r); // own copy
    if (this._closeFrameSent) {
      // Closing handshake complete: the server closes the TCP connection first (RFC 6455 §7.1.1);
      // a client ends its side too so a slow server cannot keep it open.
      this._socket.end();
      return;
    }
    if (code === 1005) this.close();
    else this.close(code, this._closeMessage);
  }

  _onProtocolError(engineError) {
    this._errored = true;
    // `ws`'s class, message and code; the engine's close code, RFC section and offset ride along.
    const error = frameError(engineError);
    const code = error.closeCode ? error.closeCode : 1002;
    // The failing side never received a close frame: its close code is 1006 (RFC 6455 §7.1.5).
    this._closeCode = 1006;
    if (this._readyState === OPEN || (this._readyState === CLOSING && !this._closeFrameSent)) {
      this._readyState = CLOSING;
      try {
        this._write(this._enc().close(code, ''));
        this._closeFrameSent = true;
      } catch (_) {
        // unreachable: every engine close code is sendable
      }
    }
    this._readyState = CLOSING;
    // Fail the connection (RFC 6455 §7.1.7): the close frame goes out, then FIN; the timer
    // destroys a peer that never closes its side.
    this._socket.end();
    this._startCloseTimer();
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  _startCloseTimer() {
    if (this._closeTimer !== null || !this._socket) return;
    const socket = this._socket;
    this._closeTimer = setTimeout(() => socket.destroy(), this._closeTimeout);
    if (this._closeTimer.unref) this._closeTimer.unref();
  }

  /** @private */
  /** @private: writes wire bytes; returns their length. */
  _write(buf, cb) {
    if (this._published !== null) this._writePublished(); // published frames go first
    const socket = this._socket;
    if (!socket.write(buf, cb)) this._needDrain = true;
    return buf.length;
  }

  /**
   * @private: writes the frames published to this connection in this tick: one socket write
   * (small frames joined, a single frame as is), so a publish to N subscribers costs N array
   * pushes and, at the end of the tick, N writes, however many messages were published.
   */
  _writePublished() {
    const list = this._published;
    const bytes = this._publishedBytes;
    this._published = null;
    this._publishedBytes = 0;
    const socket = this._socket;
    // Gone, or ended in this tick (the peer's FIN answered): the frames are dropped, as a
    // write after end would only fail the socket.
    if (socket === null || socket.destroyed || socket.writableEnded) return;
    let ok;
    if (list.length === 1) {
      ok = socket.write(list[0]);
    } else if (bytes <= PUBLISH_JOIN_MAX) {
      ok = socket.write(Buffer.concat(list, bytes));
    } else {
      // Large frames are not copied: one writev of the shared Buffers.
      socket.cork();
      for (let i = 0; i < list.length; i++) ok = socket.write(list[i]);
      socket.uncork();
    }
    if (!ok) this._needDrain = true;
  }

  _emitClose() {
    if (this._readyState === CLOSED) return;
    this._readyState = CLOSED;
    this._releaseCodec();
    this._afterMessage = null;
    this._published = null;
    this._publishedBytes = 0;
    if (this._hub !== null) this._hub.drop(this); // subscriptions end with the connection
    if (this._closeTimer !== null) {
      clearTimeout(this._closeTimer);
      this._closeTimer = null;
    }
    this.emit('close', this._closeCode, this._closeMessage);
  }

  /**
   * Starts the closing handshake. `code` must be sendable (1000, 1001-1003, 1007-1014,
   * 3000-4999), `reason` at most 123 bytes of UTF-8: otherwise a RangeError/TypeError is thrown.
   */
  close(code, data) {
    if (this._readyState === CLOSED) return;
    if (this._readyState === CONNECTING) {
      abortHandshake(this, this._req, 'WebSocket was closed before the connection was established');
      return;
    }
    if (code !== undefined && (typeof code !== 'number' || !Number.isInteger(code))) {
      throw new TypeError('First argument must be a valid error code number');
    }
    if (this._readyState === CLOSING) {
      if (this._closeFrameSent && (this._closeFrameReceived || this._errored)) this._socket.end();
      return;
    }
    let reason = '';
    if (data !== undefined && data !== null) {
      reason = typeof data === 'string' ? data : toBuffer(data).toString();
    }
    let frame;
    try {
      frame = code === undefined ? this._enc().close(undefined, '') : this._enc().close(code, reason);
    } catch (err) {
      throw closeArgumentError(err);
    }
    this._readyState = CLOSING;
    this._startCloseTimer();
    if (this._blobQueue !== null) {
      // Messages sent before close() wait for a Blob to be read: the close frame goes after
      // them, as in `ws` (its sender queues the close frame too).
      this._blobQueue.push({ run: () => this._writeClose(frame), cb: undefined });
      return;
    }
    this._writeClose(frame);
  }

  /** @private */
  _writeClose(frame) {
    if (this._closeFrameSent || this._readyState === CLOSED || this._socket.destroyed) return;
    this._write(frame, (err) => {
      if (err) return;
      if (this._closeFrameReceived) this._socket.end();
    });
    this._closeFrameSent = true;
  }

  pause() {
    if (this._readyState === CONNECTING || this._readyState === CLOSED) return;
    this._deferPaused = false;
    this._socket.pause();
  }

  resume() {
    if (this._readyState === CONNECTING || this._readyState === CLOSED) return;
    if (this._eventTimer !== null) {
      this._deferPaused = true; // reading resumes once the waiting events are out
      return;
    }
    this._socket.resume();
  }

  ping(data, mask, cb) {
    if (this._blobQueue !== null && this._readyState === OPEN) {
      this._blobQueue.push({ run: () => this._control('ping', data, mask, cb, true), cb: callbackOf(data, mask, cb) });
      return;
    }
    this._control('ping', data, mask, cb);
  }

  pong(data, mask, cb) {
    if (this._blobQueue !== null && this._readyState === OPEN) {
      this._blobQueue.push({ run: () => this._control('pong', data, mask, cb, true), cb: callbackOf(data, mask, cb) });
      return;
    }
    this._control('pong', data, mask, cb);
  }

  /**
   * ping/pong: `ws`'s argument shapes (data, mask, cb with optional middle arguments).
   * `queued`: accepted while OPEN and held behind a Blob; written unless the close frame
   * already went.
   */
  _control(kind, data, mask, cb, queued = false) {
    if (this._readyState === CONNECTING) {
      throw new Error('WebSocket is not open: readyState 0 (CONNECTING)');
    }
    if (typeof data === 'function') {
      cb = data;
      data = mask = undefined;
    } else if (typeof mask === 'function') {
      cb = mask;
      mask = undefined;
    }
    if (typeof data === 'number') data = data.toString();
    if (hasBlob && data instanceof Blob) {
      // Its bytes are read asynchronously (later frames wait behind it), as for send().
      if (data.size > 125) {
        const err = new RangeError('The data size must not be greater than 125 bytes');
        err.rfcSection = 'RFC 6455 §5.5';
        throw err;
      }
      this._sendBlob(data, null, cb, queued, kind);
      return;
    }
    const buf = data === undefined ? EMPTY : toBuffer(data);
    if (buf.length > 125) {
      const err = new RangeError('The data size must not be greater than 125 bytes');
      err.rfcSection = 'RFC 6455 §5.5';
      throw err;
    }
    if (queued ? !this._canWriteQueued() : this._readyState !== OPEN) {
      sendAfterClose(this, buf, cb);
      return;
    }
    this._write(kind === 'ping' ? this._enc().ping(buf) : this._enc().pong(buf), cb);
  }

  /** A frame accepted while OPEN and held in the Blob queue can still be written. @private */
  _canWriteQueued() {
    const s = this._socket;
    return !this._closeFrameSent && this._readyState !== CLOSED && !this._errored && s !== null && !s.destroyed;
  }

  /**
   * Sends a message. Strings are text, anything else binary unless `options.binary` says
   * otherwise. `options.fin: false` sends a fragment; later calls continue the message.
   *
   * Returns a status, as uWebSockets and Bun do (`ws` returns nothing): the number of bytes
   * written or queued; `0` when they were queued and a server connection now buffers more than
   * half its server's `backpressureLimit`; `-1` when the message was dropped — the connection is
   * not open, or a server connection already buffered `backpressureLimit` bytes (with
   * `closeOnBackpressureLimit` it is then closed with 1008). A dropped message's callback gets
   * an error (`WS_ERR_BACKPRESSURE_LIMIT` for the limit).
   */
  send(data, options, cb) {
    if (this._readyState === CONNECTING) {
      throw new Error('WebSocket is not open: readyState 0 (CONNECTING)');
    }
    if (typeof options === 'function') {
      cb = options;
      options = {};
    }
    if (typeof data === 'number') data = data.toString(); // `ws` sends numbers as text
    const hub = this._hub;
    if (hub !== null && this._readyState === OPEN && this.bufferedAmount >= hub._limit) {
      return dropOverLimit(this, hub, callbackOf(options, cb));
    }
    let n;
    if (hasBlob && data instanceof Blob) {
      n = this._readyState === OPEN ? data.size : -1;
      this._sendBlob(data, options, cb);
    } else if (this._blobQueue !== null && this._readyState === OPEN) {
      this._blobQueue.push({ run: () => this._sendData(data, options, cb, true), cb: callbackOf(options, cb) });
      n = byteLengthOf(data);
    } else {
      n = this._sendData(data, options, cb, false);
    }
    if (n < 0) return -1;
    return hub !== null && this.bufferedAmount > hub._limit / 2 ? 0 : n;
  }

  /**
   * Frames and writes one message (or fragment). `queued`: accepted while OPEN and held behind
   * a Blob; written unless the close frame already went.
   * @private
   */
  _sendData(data, options, cb, queued) {
    const isString = typeof data === 'string';
    const buf = data === undefined ? EMPTY : toBuffer(data);
    if (queued ? !this._canWriteQueued() : this._readyState !== OPEN) {
      sendAfterClose(this, buf, cb);
      return -1;
    }
    const o = options || NO_OPTIONS;
    const binary = o.binary !== undefined ? !!o.binary : !isString;
    const fin = o.fin !== false;
    let compress = false;
    const d = this._deflate;
    if (d && o.compress !== false) {
      // Like `ws`: with context takeover everything is compressed (the window makes small
      // messages cheap); without, only messages of at least `threshold` bytes.
      const ownNoContext = this._isServer
        ? d.params.serverNoContextTakeover
        : d.params.clientNoContextTakeover;
      compress = ownNoContext ? buf.length >= d.threshold : true;
    }
    if (o.mask === false && !this._isServer) {
      // `ws`'s per-send `mask: false`: the frames go out unmasked, which RFC 6455 §5.1 forbids
      // (the server closes with 1002). For testing servers; documented in the README.
      return this._write(this._enc().message(buf, { binary, compress, fin, mask: false }), cb);
    }
    if (this._generateMask !== null && !this._isServer) {
      // A client's own masking keys (`ws`'s generateMask option), one per frame.
      const key = Buffer.alloc(4);
      this._generateMask(key);
      return this._write(this._enc().message(buf, { binary, compress, fin, mask: key }), cb);
    }
    const opts = MESSAGE_OPTIONS[(binary ? 1 : 0) | (compress ? 2 : 0) | (fin ? 4 : 0)];
    if (compress && fin && d.compressor === 'shared' && this._isServer && (this._encoder === null || !this._encoder.inMessage)) {
      // perMessageDeflate.compressor 'shared': no context takeover, so the process-wide
      // compressor for this window size makes the same bytes this connection's own would.
      return this._write(sharedEncoder(d.params.serverMaxWindowBits, d.level).message(buf, opts), cb);
    }
    const n = this._write(this._enc().message(buf, opts), cb);
    if (fin && this._afterMessage !== null) this._flushPublished();
    return n;
  }

  // Topics (lib/pubsub.js) ----------------------------------------------------------------------

  /** Subscribes this (server) connection to `topic`; false if it already was, or has closed. */
  subscribe(topic) {
    return hubOf(this).subscribe(this, topic);
  }

  /** Ends this connection's subscription to `topic`; false if it had none. */
  unsubscribe(topic) {
    return hubOf(this).unsubscribe(this, topic);
  }

  /** Whether this connection is subscribed to `topic`. */
  isSubscribed(topic) {
    checkTopic(topic);
    return this._topics !== null && this._topics.has(topic);
  }

  /** The topics this connection is subscribed to (a new array). */
  get topics() {
    return this._topics === null ? [] : Array.from(this._topics);
  }

  /**
   * Sends `data` to every subscriber of `topic` on this connection's server but this
   * connection (subscribed or not); returns how many it was written to.
   */
  publish(topic, data, options) {
    return hubOf(this).publish(topic, data, options, this);
  }

  /** @private: can take a published frame now (open, no close frame sent or failure). */
  _canPublish() {
    return this._readyState === OPEN && !this._closeFrameSent && !this._errored && this._socket !== null && !this._socket.destroyed;
  }

  /**
   * @private: writes a published frame (the same Buffer for many connections), after a Blob
   * being read and after a fragmented message in progress, so frames never interleave.
   */
  _publishFrame(frame) {
    if (this._blobQueue !== null) {
      this._blobQueue.push({ run: () => this._canWriteQueued() && this._publishFrame(frame), cb: undefined });
    } else if (this._encoder !== null && this._encoder.inMessage) {
      if (this._afterMessage === null) this._afterMessage = [];
      this._afterMessage.push(frame);
    } else if (typeof frame === 'function') {
      this._write(frame());
    } else {
      if (this._published === null) {
        this._published = [];
        if (publishedSockets === null) {
          publishedSockets = [];
          process.nextTick(writeAllPublished);
        }
        publishedSockets.push(this);
      }
      this._published.push(frame);
      this._publishedBytes += frame.length;
    }
    return true;
  }

  /** @private: a published message compressed by this connection's own compressor. */
  _publishDedicated(buf, opts) {
    if (this._blobQueue !== null || (this._encoder !== null && this._encoder.inMessage)) {
      return this._publishFrame(() => this._enc().message(buf, opts));
    }
    corkUntilTick(this._socket);
    this._write(this._enc().message(buf, opts));
    return true;
  }

  /** @private */
  _flushPublished() {
    const list = this._afterMessage;
    this._afterMessage = null;
    for (const f of list) {
      if (!this._canPublish()) return;
      this._write(typeof f === 'function' ? f() : f);
    }
  }

  /**
   * Sends a Blob: its bytes are read asynchronously, so what is sent after it waits in a queue
   * and keeps its order, as in `ws`. Sent as binary unless `options.binary` says otherwise;
   * `kind` 'ping'/'pong' sends it as that control frame's payload.
   * @private
   */
  _sendBlob(blob, options, cb, queued = false, kind = 'message') {
    if (queued ? !this._canWriteQueued() : this._readyState !== OPEN) {
      sendAfterClose(this, { length: blob.size }, cb);
      return;
    }
    if (this._blobQueue !== null) {
      this._blobQueue.push({ run: () => this._sendBlob(blob, options, cb, true, kind), cb });
      return;
    }
    this._blobQueue = [];
    this._bufferedAmount += blob.size;
    const o = { ...(options || {}), binary: options && options.binary !== undefined ? options.binary : true };
    const done = (err, buf) => {
      this._bufferedAmount -= blob.size;
      const queue = this._blobQueue;
      this._blobQueue = null;
      if (!err && this._socket !== null && this._socket.destroyed) {
        // The connection went (terminate(), a socket error) while the Blob was read: this send
        // and every one waiting behind it fail with `ws`'s error.
        const gone = new Error('The socket was closed while the blob was being read');
        if (cb) cb(gone);
        for (const next of queue) if (next.cb) next.cb(gone);
        return;
      }
      if (err) {
        if (cb) cb(err);
        this._failWith(err);
      } else if (this._canWriteQueued()) {
        if (kind === 'message') this._sendData(buf, o, cb, true);
        else this._control(kind, buf, undefined, cb, true);
      } else if (cb) {
        sendAfterClose(this, null, cb);
      }
      for (const next of queue) {
        if (this._blobQueue !== null) this._blobQueue.push(next);
        else next.run();
      }
    };
    blob.arrayBuffer().then(
      (ab) => process.nextTick(done, null, Buffer.from(ab)),
      (err) => process.nextTick(done, err)
    );
  }

  /** An error of our own making (a Blob that could not be read): 'error', then the socket goes. */
  _failWith(err) {
    if (this._readyState === CLOSED) return;
    // As `ws`: CLOSING, our side of the TCP connection ends (the close timer destroys a peer
    // that never ends its side), and 'error' is emitted once per connection: not again after
    // a protocol error already reported.
    const first = !this._errored;
    this._errored = true;
    this._readyState = CLOSING;
    if (this._socket) {
      this._socket.end();
      this._startCloseTimer();
    }
    if (first && this.listenerCount('error') > 0) this.emit('error', err);
  }

  terminate() {
    if (this._readyState === CLOSED) return;
    if (this._readyState === CONNECTING) {
      abortHandshake(this, this._req, 'WebSocket was closed before the connection was established');
      return;
    }
    if (this._socket) {
      this._readyState = CLOSING;
      this._socket.destroy();
    }
  }

  // DOM-style API -------------------------------------------------------------------------------

  addEventListener(type, handler, options = {}) {
    if (typeof handler !== 'function' && !(handler && typeof handler.handleEvent === 'function')) {
      return;
    }
    if (!options[kForOnEventAttribute]) {
      for (const l of this.listeners(type)) {
        if (!l[kForOnEventAttribute] && l[kListener] === handler) return;
      }
    }
    const wrapper = wrapListener(this, type, handler);
    if (wrapper === null) return;
    wrapper[kForOnEventAttribute] = !!options[kForOnEventAttribute];
    if (options.once) this.once(type, wrapper);
    else this.on(type, wrapper);
  }

  removeEventListener(type, handler) {
    for (const l of this.listeners(type)) {
      if (l[kListener] === handler && !l[kForOnEventAttribute]) {
        this.removeListener(type, l);
        break;
      }
    }
  }
}

// As in `ws`: the state constants are enumerable on the class and its prototype, and the
// attributes are enumerable accessors of the prototype.
for (const [i, name] of readyStates.entries()) {
  Object.defineProperty(WebSocket, name, { enumerable: true, value: i });
  Object.defineProperty(WebSocket.prototype, name, { enumerable: true, value: i });
}
for (const name of ['binaryType', 'bufferedAmount', 'extensions', 'isPaused', 'protocol', 'readyState', 'topics', 'url']) {
  const d = Object.getOwnPropertyDescriptor(WebSocket.prototype, name);
  Object.defineProperty(WebSocket.prototype, name, { ...d, enumerable: true });
}

for (const method of ['open', 'error', 'close', 'message']) {
  Object.defineProperty(WebSocket.prototype, `on${method}`, {
    configurable: true,
    enumerable: true,
    get() {
      for (const l of this.listeners(method)) {
        if (l[kForOnEventAttribute]) return l[kListener];
      }
      return null;
    },
    set(handler) {
      for (const l of this.listeners(method)) {
        if (l[kForOnEventAttribute]) {
          this.removeListener(method, l);
          break;
        }
      }
      if (typeof handler !== 'function') return;
      this.addEventListener(method, handler, { [kForOnEventAttribute]: true });
    }
  });
}

// Socket listeners (`this` is the socket) --------------------------------------------------------

function socketOnData(chunk) {
  // What the listeners write while this chunk's events are handled (echoes, replies, pongs)
  // leaves in one writev when the chunk is done, not in one write syscall per message.
  this.cork();
  try {
    const ws = this[kCodec];
    ws._idleTicks = 0;
    ws._onData(chunk);
  } finally {
    this.uncork();
  }
}

function socketOnEnd() {
  const ws = this[kCodec];
  if (ws._readyState === OPEN) ws._readyState = CLOSING;
  this.end();
}

function socketOnClose() {
  const ws = this[kCodec];
  this.removeListener('close', socketOnClose);
  this.removeListener('data', socketOnData);
  this.removeListener('end', socketOnEnd);
  this.removeListener('drain', socketOnDrain);
  ws._readyState = CLOSING;
  if (ws._eventTimer !== null) {
    // allowSynchronousEvents: false: what was read before the socket closed comes before 'close'.
    clearImmediate(ws._eventTimer);
    ws._eventTimer = null;
    const q = ws._eventQueue;
    ws._eventQueue = null;
    for (let i = 0; i < q.length && (q[i].type === 'message' || q[i].type === 'ping' || q[i].type === 'pong'); i++) {
      ws._dispatch(q[i]);
    }
  }
  ws._emitClose();
}

function socketOnError() {
  const ws = this[kCodec];
  this.removeListener('error', socketOnError);
  this.on('error', NOOP);
  if (ws) {
    ws._readyState = CLOSING;
    this.destroy();
  }
}

function socketOnDrain() {
  const ws = this[kCodec];
  if (ws && ws._needDrain) {
    ws._needDrain = false;
    ws.emit('drain');
  }
}

// Connections a publish queued frames for in this tick (_publishFrame); written when it ends.
// Published frames up to this many bytes in all are joined into one Buffer per connection.
const PUBLISH_JOIN_MAX = 64 * 1024;
let publishedSockets = null;
function writeAllPublished() {
  const list = publishedSockets;
  publishedSockets = null;
  for (let i = 0; i < list.length; i++) if (list[i]._published !== null) list[i]._writePublished();
}

// Sockets a publish wrote to in this tick stay corked until the next one: several messages
// published back to back leave in one writev per socket instead of one write syscall each.
const kCorked = Symbol('wsprism.corked');
let corked = null;
function uncorkAll() {
  const list = corked;
  corked = null;
  for (let i = 0; i < list.length; i++) list[i].uncork();
}
function corkUntilTick(socket) {
  if (socket[kCorked] === corked && corked !== null) return;
  if (corked === null) {
    corked = [];
    process.nextTick(uncorkAll);
  }
  socket[kCorked] = corked;
  socket.cork();
  corked.push(socket);
}

function hubOf(ws) {
  if (ws._hub === null) {
    const err = new Error('Topics are available on a WebSocketServer\'s connections only');
    err.code = 'ERR_INVALID_STATE';
    throw err;
  }
  return ws._hub;
}

/** The callback among a send/ping/pong call's arguments (it may come in any optional place). */
function callbackOf(...args) {
  for (let i = args.length - 1; i >= 0; i--) if (typeof args[i] === 'function') return args[i];
  return undefined;
}

/** A message's size before framing: what send() reports for one queued behind a Blob. */
function byteLengthOf(data) {
  if (data === undefined || data === null) return 0;
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (typeof data.byteLength === 'number') return data.byteLength;
  return typeof data.length === 'number' ? data.length : 0;
}

/**
 * send() on a server connection that already buffers its server's backpressureLimit: the
 * message is dropped (its callback gets WS_ERR_BACKPRESSURE_LIMIT), and with
 * closeOnBackpressureLimit the connection is closed with 1008. Returns -1.
 */
function dropOverLimit(ws, hub, cb) {
  const buffered = ws.bufferedAmount;
  if (hub._closeOnLimit) ws.close(1008, 'backpressure limit');
  if (cb) {
    const err = new Error(
      `Message dropped: ${buffered} bytes are buffered, at or over the backpressureLimit (${hub._limit})`
    );
    err.code = 'WS_ERR_BACKPRESSURE_LIMIT';
    process.nextTick(cb, err);
  }
  return -1;
}

function sendAfterClose(ws, data, cb) {
  if (data && hasBlob && data instanceof Blob) data = { length: data.size };
  if (data) ws._bufferedAmount += data.length;
  if (cb) {
    const err = new Error(
      `WebSocket is not open: readyState ${ws._readyState} (${readyStates[ws._readyState]})`
    );
    process.nextTick(cb, err);
  }
}

// Client ---------------------------------------------------------------------------------------

const PROTOCOL_VERSIONS = [8, 13];

function netConnect(options) {
  options.path = options.socketPath;
  return net.connect(options);
}

function tlsConnect(options) {
  options.path = undefined;
  if (!options.servername && options.servername !== '') {
    options.servername = net.isIP(options.host) ? '' : options.host;
  }
  return tls.connect(options);
}

/**
 * Opens the client side: ws:, wss:, http:, https: and ws+unix: URLs, every option of
 * `http.request`/`https.request` (so `tls.connect`'s: ca, cert, key, pfx, passphrase,
 * rejectUnauthorized, servername, agent, ...) passed through as `ws` does, redirects
 * (followRedirects, maxRedirects, 'redirect'), auth, origin, protocolVersion 8 or 13,
 * createConnection, finishRequest and handshakeTimeout. The engine builds nothing here that
 * Node's HTTP client does not; it validates the 101 response and negotiates the extension.
 */
function initAsClient(ws, address, protocols, options) {
  const opts = {
    allowSynchronousEvents: true,
    autoPong: true,
    closeTimeout: CLOSE_TIMEOUT,
    protocolVersion: 13,
    maxBufferedChunks: 1024 * 1024,
    maxFragments: 128 * 1024,
    maxPayload: 100 * 1024 * 1024,
    skipUTF8Validation: false,
    perMessageDeflate: true,
    followRedirects: false,
    maxRedirects: 10,
    ...options,
    socketPath: undefined,
    hostname: undefined,
    protocol: undefined,
    timeout: undefined,
    method: 'GET',
    host: undefined,
    path: undefined,
    port: undefined
  };
  ws._autoPong = opts.autoPong !== false;
  if (typeof opts.closeTimeout === 'number') ws._closeTimeout = opts.closeTimeout;
  ws._generateMask = typeof opts.generateMask === 'function' ? opts.generateMask : null;

  if (!PROTOCOL_VERSIONS.includes(opts.protocolVersion)) {
    throw new RangeError(
      `Unsupported protocol version: ${opts.protocolVersion} (supported versions: ${PROTOCOL_VERSIONS.join(', ')})`
    );
  }

  let url;
  if (address instanceof URL) url = address;
  else {
    try {
      url = new URL(address);
    } catch {
      throw new SyntaxError(`Invalid URL: ${address}`);
    }
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  ws._url = url.href;

  const isSecure = url.protocol === 'wss:';
  const isIpc = url.protocol === 'ws+unix:';
  let invalid;
  if (url.protocol !== 'ws:' && !isSecure && !isIpc) {
    invalid = 'The URL\'s protocol must be one of "ws:", "wss:", "http:", "https:", or "ws+unix:"';
  } else if (isIpc && !url.pathname) {
    invalid = "The URL's pathname is empty";
  } else if (url.hash) {
    invalid = 'The URL contains a fragment identifier';
  }
  if (invalid) {
    const err = new SyntaxError(invalid);
    if (ws._redirects === 0) throw err;
    emitErrorAndClose(ws, err);
    return;
  }

  const c = codec();
  const protocolSet = new Set();
  for (const p of protocols) {
    if (typeof p !== 'string' || protocolSet.has(p)) {
      throw new SyntaxError('An invalid or duplicated subprotocol was specified');
    }
    protocolSet.add(p);
  }
  if (protocols.length) {
    // Each must be an HTTP token: the engine's rule (the request builder checks it).
    try {
      c.buildHandshakeRequest({ host: 'x', protocols });
    } catch {
      throw new SyntaxError('An invalid or duplicated subprotocol was specified');
    }
  }

  const key = c.generateKey();
  const deflate = deflateConfig(opts.perMessageDeflate);
  const defaultPort = isSecure ? 443 : 80;
  const request = isSecure ? https.request : http.request;

  opts.createConnection = opts.createConnection || (isSecure ? tlsConnect : netConnect);
  opts.defaultPort = opts.defaultPort || defaultPort;
  opts.port = url.port || defaultPort;
  opts.host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  opts.headers = {
    ...opts.headers,
    'Sec-WebSocket-Version': opts.protocolVersion,
    'Sec-WebSocket-Key': key,
    Connection: 'Upgrade',
    Upgrade: 'websocket'
  };
  opts.path = url.pathname + url.search;
  opts.timeout = opts.handshakeTimeout;

  if (deflate) opts.headers['Sec-WebSocket-Extensions'] = c.perMessageDeflateOffer(engineDeflateConfig(deflate));
  if (protocols.length) opts.headers['Sec-WebSocket-Protocol'] = protocols.join(',');
  if (opts.origin) {
    if (opts.protocolVersion < 13) opts.headers['Sec-WebSocket-Origin'] = opts.origin;
    else opts.headers.Origin = opts.origin;
  }
  if (url.username || url.password) opts.auth = `${url.username}:${url.password}`;
  if (isIpc) {
    const parts = opts.path.split(':');
    opts.socketPath = parts[0];
    opts.path = parts[1];
  }

  let req;
  if (opts.followRedirects) {
    if (ws._redirects === 0) {
      ws._originalIpc = isIpc;
      ws._originalSecure = isSecure;
      ws._originalHostOrSocketPath = isIpc ? opts.socketPath : url.host;
      // Own copy of the caller's headers (lower-cased) so a redirect may drop some.
      const headers = options && options.headers;
      options = { ...options, headers: {} };
      if (headers) {
        for (const [k, v] of Object.entries(headers)) options.headers[k.toLowerCase()] = v;
      }
    } else if (ws.listenerCount('redirect') === 0) {
      const sameHost = isIpc
        ? ws._originalIpc && opts.socketPath === ws._originalHostOrSocketPath
        : !ws._originalIpc && url.host === ws._originalHostOrSocketPath;
      if (!sameHost || (ws._originalSecure && !isSecure)) {
        // As curl does: credentials and cookies do not follow to another host or to plain
        // text; nor does Host to another host.
        delete opts.headers.authorization;
        delete opts.headers.cookie;
        if (!sameHost) delete opts.headers.host;
        opts.auth = undefined;
      }
    }
    // The first Authorization wins (an explicit header over URL credentials).
    if (opts.auth && !options.headers.authorization) {
      options.headers.authorization = 'Basic ' + Buffer.from(opts.auth).toString('base64');
    }
    req = ws._req = request(opts);
    if (ws._redirects) ws.emit('redirect', ws.url, req);
  } else {
    req = ws._req = request(opts);
  }

  if (opts.timeout) {
    req.on('timeout', () => abortHandshake(ws, req, 'Opening handshake has timed out'));
  }

  req.on('error', (err) => {
    if (req === null || req[kAborted]) return;
    req = ws._req = null;
    emitErrorAndClose(ws, err);
  });

  req.on('response', (res) => {
    const location = res.headers.location;
    const status = res.statusCode;
    if (location && opts.followRedirects && status >= 300 && status < 400) {
      if (++ws._redirects > opts.maxRedirects) {
        abortHandshake(ws, req, 'Maximum redirects exceeded');
        return;
      }
      req.abort();
      let next;
      try {
        next = new URL(location, address);
      } catch {
        emitErrorAndClose(ws, new SyntaxError(`Invalid URL: ${location}`));
        return;
      }
      initAsClient(ws, next, protocols, options);
    } else if (!ws.emit('unexpected-response', req, res)) {
      abortHandshake(ws, req, `Unexpected server response: ${res.statusCode}`);
    }
  });

  req.on('upgrade', (res, socket, head) => {
    const maxHeadersCount = req.maxHeadersCount;
    ws.emit('upgrade', res);
    // A listener of 'upgrade' may have closed the connection.
    if (ws.readyState !== CONNECTING) return;
    req = ws._req = null;

    // The engine validates the response (status, Upgrade, Connection, Accept, subprotocol and
    // extension names); Node has already split the head, so rebuild it.
    const headBuf = rawHead(
      `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage || ''}`,
      res.rawHeaders,
      maxHeadersCount
    );
    const offered = { protocols, extensionOffered: !!deflate };
    let parsed;
    try {
      parsed = c.parseHandshakeResponse(headBuf, {
        key,
        protocols,
        extensions: deflate ? ['permessage-deflate'] : []
      });
    } catch (err) {
      abortHandshake(ws, socket, responseMessage(err.code, err.message, offered));
      return;
    }
    if (!parsed.complete || !parsed.ok) {
      abortHandshake(ws, socket, responseMessage(parsed.code, parsed.message, offered));
      return;
    }
    if (protocolSet.size && !parsed.protocol) {
      abortHandshake(ws, socket, 'Server sent no subprotocol');
      return;
    }
    if (parsed.protocol) ws._protocol = parsed.protocol;

    let negotiated = null;
    const extValue = res.headers['sec-websocket-extensions'];
    if (extValue !== undefined) {
      let params;
      try {
        params = c.acceptPerMessageDeflate(extValue, engineDeflateConfig(deflate));
      } catch (err) {
        abortHandshake(ws, socket, 'Invalid Sec-WebSocket-Extensions header');
        return;
      }
      if (!params) {
        abortHandshake(ws, socket, 'Server indicated an extension that was not requested');
        return;
      }
      negotiated = { ...deflate, params };
      ws._extensions = extValue;
    }

    ws.setSocket(socket, head, {
      role: 'client',
      maxPayload: opts.maxPayload,
      maxFragments: opts.maxFragments,
      maxBufferedChunks: opts.maxBufferedChunks,
      deflate: negotiated,
      allowSynchronousEvents: opts.allowSynchronousEvents
    });
  });

  if (opts.finishRequest) opts.finishRequest(req, ws);
  else req.end();
}

/** setImmediate callback of _deferEvents: one 'message'/'ping'/'pong', then what follows it up to the next. */
function drainEvents(ws) {
  ws._eventTimer = null;
  const q = ws._eventQueue;
  if (ws._readyState === CLOSED || q === null) return;
  let emitted = false;
  while (q !== null && q.length > 0) {
    const t = q[0].type;
    if (emitted && (t === 'message' || t === 'ping' || t === 'pong')) break;
    const ev = q.shift();
    emitted = true;
    if (!ws._dispatch(ev)) {
      q.length = 0; // a close frame or an error: nothing after it is read
      break;
    }
  }
  if (q !== null && q.length > 0) {
    ws._eventTimer = setImmediate(drainEvents, ws);
    return;
  }
  if (ws._deferPaused) {
    // Read on: the closing handshake needs the peer's end of the TCP stream.
    ws._deferPaused = false;
    if (ws._socket && !ws._socket.destroyed) ws._socket.resume();
  }
}

function emitErrorAndClose(ws, err) {
  ws._readyState = CLOSING;
  ws._errored = true;
  if (ws.listenerCount('error') > 0) ws.emit('error', err);
  ws._emitClose();
}

function abortHandshake(ws, stream, message) {
  ws._readyState = CLOSING;
  const err = new Error(message);
  Error.captureStackTrace(err, abortHandshake);
  if (stream && stream.setHeader) {
    // a ClientRequest
    stream[kAborted] = true;
    stream.destroy();
    if (stream.socket && !stream.socket.destroyed) stream.socket.destroy();
    process.nextTick(emitErrorAndClose, ws, err);
  } else if (stream) {
    stream.destroy(err);
    stream.once('error', NOOP);
    stream.once('close', () => emitErrorAndClose(ws, err));
  } else {
    process.nextTick(emitErrorAndClose, ws, err);
  }
}

module.exports = WebSocket;
module.exports.WebSocket = WebSocket;
module.exports.deflateConfig = deflateConfig;
module.exports.engineDeflateConfig = engineDeflateConfig;
module.exports.rawHead = rawHead;
module.exports.kCodec = kCodec;
// As `ws` has it: `WebSocket.createWebSocketStream(ws, options)`.
module.exports.createWebSocketStream = require('./stream');
