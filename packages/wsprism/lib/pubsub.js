'use strict';

// Topics (uWebSockets/Bun names: subscribe, unsubscribe, isSubscribed, topics, publish,
// subscriberCount) and the shared compressor. A published message is framed once: one Buffer of
// wire bytes is written to every subscriber that can take it as is (no permessage-deflate, or a
// no-context-takeover compressor with the same window size and level); only a subscriber whose
// compressor keeps its context (its next frames refer back into its own history) gets the
// message compressed by its own encoder.

let codecModule = null;
function codec() {
  if (codecModule === null) codecModule = require('../index.js');
  return codecModule;
}

const TEXT_OPTS = Object.freeze({ binary: false });
const BINARY_OPTS = Object.freeze({ binary: true });
const TEXT_Z = Object.freeze({ binary: false, compress: true });
const BINARY_Z = Object.freeze({ binary: true, compress: true });

// One encoder per (window bits, level) for every connection of the process that resets its
// compression context after each message (uWebSockets' SHARED_COMPRESSOR): without context
// takeover a message's compressed bytes do not depend on the connection, so they can be made
// by one compressor. Complete messages only (a fragmented message keeps state between calls).
const shared = new Map();
let plainEncoder = null;

/** The process-wide encoder for no-context-takeover frames with `bits`/`level`. @private */
function sharedEncoder(bits, level) {
  const key = (bits || 15) * 16 + (level === undefined ? 15 : level);
  let enc = shared.get(key);
  if (enc === undefined) {
    const opts = {
      role: 'server',
      perMessageDeflate: { serverNoContextTakeover: true, serverMaxWindowBits: bits || 15 }
    };
    if (level !== undefined) opts.level = level;
    enc = new (codec().Encoder)(opts);
    shared.set(key, enc);
  }
  return enc;
}

function plain() {
  if (plainEncoder === null) plainEncoder = new (codec().Encoder)({ role: 'server' });
  return plainEncoder;
}

function checkTopic(topic) {
  if (typeof topic !== 'string') {
    const err = new TypeError(`The topic must be a string, got ${topic === null ? 'null' : typeof topic}`);
    err.code = 'ERR_INVALID_ARG_TYPE';
    throw err;
  }
}

function toBuffer(data) {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'number' || typeof data === 'boolean') return Buffer.from(String(data));
  const err = new TypeError(
    'The data argument must be a string, Buffer, ArrayBuffer or TypedArray, got ' +
      (data === null ? 'null' : typeof data)
  );
  err.code = 'ERR_INVALID_ARG_TYPE';
  throw err;
}

/** The subscriptions of one server's connections. */
class Topics {
  /**
   * `limit`: a subscriber with at least this many bytes buffered (bufferedAmount) is skipped by
   * publish (the message is dropped for it), or with `closeOnLimit` closed with 1008.
   */
  constructor(limit = 16 * 1024 * 1024, closeOnLimit = false) {
    this._limit = limit;
    this._closeOnLimit = closeOnLimit;
    /** @type {Map<string, Set<object>>} */
    this._topics = new Map();
    // A cross-process adapter (lib/redis.js RedisPubSub, or any object with the same methods):
    // told when a topic gets its first local subscriber and loses its last (topicAdded/
    // topicRemoved), handed every message published here (forward); it calls deliver() with
    // the messages of other processes.
    this._pubsub = null;
  }

  /** Connects a cross-process adapter (the server's `pubsub` option). @private */
  attach(pubsub) {
    this._pubsub = pubsub;
    pubsub.attach(this);
  }

  /** The topics with at least one local subscriber (what an adapter must receive). */
  localTopics() {
    return this._topics.keys();
  }

  /**
   * A message another process published (from the adapter): written to this process's
   * subscribers of `topic` as a local publish with { binary, compress } would, never forwarded
   * again. Returns how many it was written to.
   */
  deliver(topic, data, binary, compress) {
    return this._local(topic, toBuffer(data), !!binary, compress !== false, null);
  }

  subscribe(ws, topic) {
    checkTopic(topic);
    if (ws._readyState > 1) return false; // CLOSING/CLOSED: nothing more to receive
    let set = this._topics.get(topic);
    if (set === undefined) {
      set = new Set();
      this._topics.set(topic, set);
      if (this._pubsub !== null) this._pubsub.topicAdded(topic);
    }
    if (set.has(ws)) return false;
    set.add(ws);
    if (ws._topics === null) ws._topics = new Set();
    ws._topics.add(topic);
    return true;
  }

  unsubscribe(ws, topic) {
    checkTopic(topic);
    const set = this._topics.get(topic);
    if (set === undefined || !set.delete(ws)) return false;
    if (set.size === 0) this._removed(topic);
    ws._topics.delete(topic);
    return true;
  }

  /** Every subscription of `ws` ends (its connection closed). */
  drop(ws) {
    if (ws._topics === null) return;
    for (const topic of ws._topics) {
      const set = this._topics.get(topic);
      if (set !== undefined && set.delete(ws) && set.size === 0) this._removed(topic);
    }
    ws._topics = null;
  }

  _removed(topic) {
    this._topics.delete(topic);
    if (this._pubsub !== null) this._pubsub.topicRemoved(topic);
  }

  count(topic) {
    checkTopic(topic);
    const set = this._topics.get(topic);
    return set === undefined ? 0 : set.size;
  }

  /**
   * Writes `data` to every open subscriber of `topic` but `except`; returns how many it was
   * written (or queued) to. `options`: { binary (default: not a string), compress (default
   * true: each receiver's permessage-deflate, if negotiated, decides as for send()) }.
   */
  publish(topic, data, options, except) {
    checkTopic(topic);
    const buf = toBuffer(data);
    const binary = options && options.binary !== undefined ? !!options.binary : typeof data !== 'string';
    const compress = !(options && options.compress === false);
    // This process's subscribers are served here (never through the adapter's round trip,
    // which drops its own messages), then the adapter takes it to the other processes.
    const n = this._local(topic, buf, binary, compress, except);
    if (this._pubsub !== null) this._pubsub.forward(topic, buf, binary, compress);
    return n;
  }

  /** Writes to the local subscribers. @private */
  _local(topic, buf, binary, compress, except) {
    const set = this._topics.get(topic);
    if (set === undefined) return 0;
    let frame = null; // uncompressed wire bytes, made on first need
    let zFrames = null; // compressed wire bytes per (bits, level), made on first need
    let n = 0;
    // Iterating a Set while listeners (a 'close' during a write) delete from it is safe: a
    // deleted subscriber is not visited, nothing is visited twice.
    for (const ws of set) {
      if (ws === except || !ws._canPublish()) continue;
      if (ws.bufferedAmount >= this._limit) {
        // Over its backpressure limit: dropped (not counted), or the connection closed.
        if (this._closeOnLimit) ws.close(1008, 'backpressure limit');
        continue;
      }
      const d = ws._deflate;
      let out;
      if (d !== null && compress) {
        if (!d.params.serverNoContextTakeover) {
          // Its compressor's context is its own: compressed by its encoder (in order with its
          // own messages).
          if (ws._publishDedicated(buf, binary ? BINARY_Z : TEXT_Z)) n++;
          continue;
        }
        if (buf.length >= d.threshold) {
          const bits = d.params.serverMaxWindowBits || 15;
          const key = bits * 16 + (d.level === undefined ? 15 : d.level);
          if (zFrames === null) zFrames = new Map();
          out = zFrames.get(key);
          if (out === undefined) {
            out = sharedEncoder(bits, d.level).message(buf, binary ? BINARY_Z : TEXT_Z);
            zFrames.set(key, out);
          }
        }
      }
      if (out === undefined) {
        if (frame === null) frame = plain().message(buf, binary ? BINARY_OPTS : TEXT_OPTS);
        out = frame;
      }
      if (ws._publishFrame(out)) n++;
    }
    return n;
  }
}

module.exports = { Topics, sharedEncoder, checkTopic };
