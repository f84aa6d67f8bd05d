'use strict';

// wsprism/redis: RedisPubSub, the cross-process adapter for WebSocketServer's `pubsub` option,
// on the official `redis` client (node-redis 5, an optional peer dependency: installed by the
// app beside wsprism, as socket.io's redis adapter does).
//
// Channels: one Redis channel per topic (`channelPrefix + topic`), SUBSCRIBEd while this
// process has at least one subscriber of the topic and UNSUBSCRIBEd when it has none, so Redis
// sends a process only the topics it serves (one channel per server with PSUBSCRIBE would send
// every process every message, and make it drop most of them).
//
// Message on the channel: 'w' 's' 0x01 (magic, version) | flags (bit 0 binary, bit 1 compress)
// | 16 bytes of origin (this adapter's random id) | payload. A process serves its own
// subscribers locally when it publishes (lib/pubsub.js) and drops its own messages when Redis
// echoes them back, so nothing is delivered twice. Anything else on the channel (too short,
// another magic/version, unknown flags, text that is not UTF-8) is counted in stats.foreign and
// dropped.
//
// Order: one publisher connection per adapter, commands written in call order; Redis delivers a
// connection's PUBLISHes to every subscriber in that order, so each publisher's messages arrive in
// the order it published them.
//
// Redis down (delivery is at most once, as with Redis pub/sub itself): local publish keeps
// working; while the publisher connection is not ready, messages are not forwarded (never queued
// to be sent late: stats.notForwarded); a PUBLISH in flight when the connection breaks may or may
// not have reached Redis (stats.failed); messages other processes published while this process's
// subscriber connection was down are lost for it. Both connections reconnect by themselves, the
// subscriber connection SUBSCRIBEs again to every topic with a local subscriber, then 'ready'.

const EventEmitter = require('events');
const crypto = require('crypto');

const MAGIC0 = 0x77; // 'w'
const MAGIC1 = 0x73; // 's'
const VERSION = 1;
const HEADER = 20;
const F_BINARY = 1;
const F_COMPRESS = 2;

let codecModule = null;
function codec() {
  if (codecModule === null) codecModule = require('../index.js');
  return codecModule;
}

function loadRedis() {
  try {
    return require('redis');
  } catch (cause) {
    const err = new Error(
      'wsprism/redis needs the `redis` package (npm install redis), or a node-redis client in the `client` option'
    );
    err.code = 'ERR_MODULE_NOT_FOUND';
    err.cause = cause;
    throw err;
  }
}

function typeError(message) {
  const err = new TypeError(message);
  err.code = 'ERR_INVALID_ARG_TYPE';
  return err;
}

function closeClient(client, graceful) {
  if (!client.isOpen) return Promise.resolve();
  if (!graceful || !client.isReady) {
    try {
      client.destroy();
    } catch {
      // already closed
    }
    return Promise.resolve();
  }
  const close = typeof client.close === 'function' ? client.close() : client.quit();
  let timer;
  const stop = new Promise((resolve) => {
    timer = setTimeout(() => {
      try {
        client.destroy();
      } catch {
        // already closed
      }
      resolve();
    }, 1000);
  });
  return Promise.race([Promise.resolve(close).catch(() => {}), stop]).finally(() => clearTimeout(timer));
}

class RedisPubSub extends EventEmitter {
  /**
   * options: url (a redis:// URL) or client (a node-redis client, connected or not: it publishes,
   * its duplicate() subscribes; closed only if this adapter created it); channelPrefix (default
   * 'wsprism:'); maxPendingBytes (default 16 MiB: bytes of PUBLISHes awaiting Redis's reply,
   * beyond which messages are not forwarded); clientOptions (more createClient options, e.g.
   * socket.reconnectStrategy; default: reconnect after 50·2^n ms, at most 1 s).
   */
  constructor(options = {}) {
    super();
    if (options === null || typeof options !== 'object') throw typeError('The options must be an object');
    const { url, client, channelPrefix = 'wsprism:', maxPendingBytes = 16 * 1024 * 1024, clientOptions } = options;
    if (typeof channelPrefix !== 'string') throw typeError('channelPrefix must be a string');
    if (typeof maxPendingBytes !== 'number' || !(maxPendingBytes >= 0)) {
      const err = new RangeError(`maxPendingBytes must be a non-negative number, got ${String(maxPendingBytes)}`);
      err.code = 'ERR_OUT_OF_RANGE';
      throw err;
    }
    if (client != null) {
      if (typeof client !== 'object' || typeof client.duplicate !== 'function' || typeof client.publish !== 'function') {
        throw typeError('The client option must be a node-redis client (createClient() from the redis package)');
      }
      this._pub = client;
      this._ownsPub = false;
    } else {
      if (url !== undefined && typeof url !== 'string') throw typeError('The url option must be a string');
      const { createClient } = loadRedis();
      const socket = {
        reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1000),
        ...(clientOptions && clientOptions.socket)
      };
      // Never queue a PUBLISH while disconnected: it would reach the others late, out of any
      // order with what they received meanwhile.
      this._pub = createClient({ ...clientOptions, url, socket, disableOfflineQueue: true });
      this._ownsPub = true;
    }
    this._sub = this._pub.duplicate();
    this._prefix = channelPrefix;
    this._maxPending = maxPendingBytes;
    this._pending = 0;
    this._id = crypto.randomBytes(16);
    this._hub = null;
    this._closed = false;
    this._up = false;
    /** topic -> { want, have, busy }: what is SUBSCRIBEd for it (see _pump) */
    this._state = new Map();
    /** channel bytes (latin1) -> topic, for the topics subscribed or being subscribed */
    this._byChannel = new Map();
    /** Counters: forwarded (PUBLISH acknowledged), notForwarded (Redis not ready, or over
     * maxPendingBytes), failed (PUBLISH in flight when the connection broke), received (messages
     * of other processes delivered locally), foreign (dropped: not a wsprism message). */
    this.stats = { forwarded: 0, notForwarded: 0, failed: 0, received: 0, foreign: 0 };
    this._onMessage = (message, channel) => this._receive(message, channel);
    for (const c of [this._pub, this._sub]) {
      c.on('error', (err) => this._error(err));
      c.on('ready', () => this._ready(c));
      c.on('reconnecting', () => this._down());
      c.on('end', () => this._down());
    }
  }

  /** Whether both Redis connections are ready (messages are forwarded and received). */
  get connected() {
    return this._up;
  }

  /** @private: WebSocketServer's `pubsub` option hands over its topics (lib/pubsub.js Topics). */
  attach(hub) {
    if (this._hub !== null) throw new Error('This RedisPubSub already serves a WebSocketServer');
    if (this._closed) throw new Error('This RedisPubSub is closed');
    this._hub = hub;
    // connect() opens the client at once (commands are queued until it is ready; the subscriber
    // keeps node-redis's offline queue, so a SUBSCRIBE made before then is sent when it is).
    for (const c of [this._pub, this._sub]) {
      if (!c.isOpen) c.connect().catch((err) => this._error(err));
    }
    for (const topic of hub.localTopics()) this.topicAdded(topic);
  }

  /** @private: `topic` has its first local subscriber. */
  topicAdded(topic) {
    let st = this._state.get(topic);
    if (st === undefined) {
      st = { want: true, have: false, busy: false, channel: this._prefix + topic };
      this._state.set(topic, st);
      this._byChannel.set(Buffer.from(st.channel).toString('latin1'), topic);
    }
    st.want = true;
    this._pump(topic, st);
  }

  /** @private: `topic` lost its last local subscriber. */
  topicRemoved(topic) {
    const st = this._state.get(topic);
    if (st === undefined) return;
    st.want = false;
    this._pump(topic, st);
  }

  // One SUBSCRIBE or UNSUBSCRIBE in flight per topic; when it settles, the next one if the
  // local subscribers changed meanwhile. A command that failed (connection lost) is tried again
  // on the next 'ready'.
  _pump(topic, st) {
    if (st.busy || this._closed) return;
    if (st.want === st.have) {
      if (!st.want) {
        this._state.delete(topic);
        this._byChannel.delete(Buffer.from(st.channel).toString('latin1'));
      }
      return;
    }
    if (this._hub === null) return; // not attached yet: attach() subscribes
    st.busy = true;
    const want = st.want;
    let p;
    try {
      p = want ? this._sub.subscribe(st.channel, this._onMessage, true) : this._sub.unsubscribe(st.channel, this._onMessage, true);
    } catch (err) {
      p = Promise.reject(err);
    }
    Promise.resolve(p).then(
      () => {
        st.busy = false;
        st.have = want;
        this._pump(topic, st);
      },
      (err) => {
        st.busy = false;
        if (!this._closed) this._error(err);
      }
    );
  }

  /** @private: a message published in this process: to the other processes through Redis. */
  forward(topic, buf, binary, compress) {
    if (this._closed || !this._pub.isReady || this._pending + HEADER + buf.length > this._maxPending) {
      this.stats.notForwarded++;
      return;
    }
    const msg = Buffer.allocUnsafe(HEADER + buf.length);
    msg[0] = MAGIC0;
    msg[1] = MAGIC1;
    msg[2] = VERSION;
    msg[3] = (binary ? F_BINARY : 0) | (compress ? F_COMPRESS : 0);
    this._id.copy(msg, 4);
    buf.copy(msg, HEADER);
    const n = msg.length;
    this._pending += n;
    let p;
    try {
      p = this._pub.publish(this._prefix + topic, msg);
    } catch (err) {
      p = Promise.reject(err);
    }
    Promise.resolve(p).then(
      () => {
        this._pending -= n;
        this.stats.forwarded++;
      },
      () => {
        this._pending -= n;
        this.stats.failed++;
      }
    );
  }

  _receive(message, channel) {
    try {
      if (this._hub === null) return;
      if (!Buffer.isBuffer(message) || message.length < HEADER || message[0] !== MAGIC0 || message[1] !== MAGIC1 ||
          message[2] !== VERSION || (message[3] & ~(F_BINARY | F_COMPRESS)) !== 0) {
        this.stats.foreign++;
        return;
      }
      if (this._id.equals(message.subarray(4, HEADER))) return; // our own, served locally already
      const topic = this._byChannel.get(Buffer.isBuffer(channel) ? channel.toString('latin1') : Buffer.from(String(channel)).toString('latin1'));
      if (topic === undefined) return; // unsubscribed meanwhile
      const binary = (message[3] & F_BINARY) !== 0;
      const payload = message.subarray(HEADER);
      if (!binary && !codec().isValidUtf8(payload)) {
        this.stats.foreign++; // a text message that is not UTF-8 would fail every receiver with 1007
        return;
      }
      this.stats.received++;
      this._hub.deliver(topic, payload, binary, (message[3] & F_COMPRESS) !== 0);
    } catch (err) {
      this._error(err);
    }
  }

  /**
   * How many server processes (Redis connections) are subscribed to `topic` across the cluster,
   * this one included if it has a subscriber: Redis's PUBSUB NUMSUB. Not a count of WebSocket
   * connections (that is each server's wss.subscriberCount, local).
   */
  async processCount(topic) {
    if (typeof topic !== 'string') throw typeError('The topic must be a string');
    const reply = await this._pub.sendCommand(['PUBSUB', 'NUMSUB', this._prefix + topic]);
    return Number(reply[1]);
  }

  _ready() {
    if (this._closed || !this._pub.isReady || !this._sub.isReady) return;
    for (const [topic, st] of this._state) this._pump(topic, st);
    if (!this._up) {
      this._up = true;
      this.emit('ready');
    }
  }

  _down() {
    if (this._up) {
      this._up = false;
      if (!this._closed) this.emit('disconnect');
    }
  }

  _error(err) {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  /** Ends both Redis connections (a client given in `client` stays open). Idempotent. */
  async close() {
    if (this._closed) return;
    this._closed = true;
    this._up = false;
    this._hub = null;
    await Promise.all([closeClient(this._sub, false), this._ownsPub ? closeClient(this._pub, true) : null]);
  }
}

module.exports = { RedisPubSub };
