'use strict';

// A `ws`-compatible WebSocketServer. The opening handshake is validated by the wsprism engine
// (validateHandshakeRequest: method, HTTP version, Host, Upgrade/Connection tokens, key, version
// 13 or 8, else 400 with `Sec-WebSocket-Version: 13, 8`; 405 for another method; subprotocol
// and extension syntax), permessage-deflate is negotiated by the engine
// (negotiatePerMessageDeflate) and the 101 response is built by it (buildHandshakeResponse).

const EventEmitter = require('events');
const http = require('http');
const WebSocket = require('./websocket');
const { deflateConfig, engineDeflateConfig, rawHead } = WebSocket;
const { requestMessage } = require('./errors');
const { Topics } = require('./pubsub');

let codecModule = null;
function codec() {
  if (codecModule === null) codecModule = require('../index.js');
  return codecModule;
}

const RUNNING = 0;
const CLOSING = 1;
const CLOSED = 2;
const kHandled = Symbol('wsprism.upgradeHandled');
// The engine's handshake head limit; Node's own parser is told the same for servers we create.
const MAX_HEAD_SIZE = 8192;

class WebSocketServer extends EventEmitter {
  /**
   * Options as in `ws` 8: port/host/backlog, server, noServer, path, maxPayload (100 MiB),
   * perMessageDeflate (false | true | { serverNoContextTakeover, clientNoContextTakeover,
   * serverMaxWindowBits, clientMaxWindowBits, threshold, zlibDeflateOptions: { level } }),
   * handleProtocols, verifyClient, autoPong, clientTracking, closeTimeout; plus
   * handshakeTimeout (ms, default 10000): an upgrade request must arrive completely, and be
   * accepted, within it (for servers this class creates, also the HTTP head timeout).
   *
   * Beyond `ws` (uWebSockets/Bun names): idleTimeout (seconds, default 0 = off): a connection
   * from which no byte arrives for that long is closed (1001, then terminated);
   * sendPings (default true): a ping at half the idle timeout, so a healthy peer's pong keeps it;
   * maxLifetime (minutes, default 0 = off): a connection is closed (1001) that long after it
   * opened; perMessageDeflate.compressor 'dedicated' (default) | 'shared';
   * backpressureLimit (bytes, default 16 MiB): publish skips a subscriber with that much
   * buffered, or closes it with 1008 when closeOnBackpressureLimit is true. send() is unchanged.
   * pubsub: a cross-process adapter (`new RedisPubSub({ url })` from `wsprism/redis`): publish
   * also reaches the subscribers of every server process sharing it; closed with the server.
   */
  constructor(options, callback) {
    super();
    options = {
      autoPong: true,
      maxPayload: 100 * 1024 * 1024,
      perMessageDeflate: false,
      handleProtocols: null,
      clientTracking: true,
      closeTimeout: 30000,
      verifyClient: null,
      noServer: false,
      backlog: null,
      server: null,
      host: null,
      path: null,
      port: null,
      handshakeTimeout: 10000,
      allowSynchronousEvents: true,
      skipUTF8Validation: false,
      maxBufferedChunks: 1024 * 1024,
      maxFragments: 128 * 1024,
      WebSocket,
      ...options
    };
    if (
      (options.port == null && !options.server && !options.noServer) ||
      (options.port != null && (options.server || options.noServer)) ||
      (options.server && options.noServer)
    ) {
      throw new TypeError(
        'One and only one of the "port", "server", or "noServer" options must be specified'
      );
    }
    if (!Number.isFinite(options.maxPayload) || options.maxPayload < 0) {
      throw new RangeError('maxPayload must be a non-negative number');
    }
    for (const name of ['idleTimeout', 'maxLifetime']) {
      const v = options[name];
      if (v !== undefined && (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))) {
        const err = new RangeError(`${name} must be a non-negative number, got ${String(v)}`);
        err.code = 'ERR_OUT_OF_RANGE';
        throw err;
      }
    }

    if (options.port != null) {
      const t = options.handshakeTimeout;
      this._server = http.createServer(
        {
          maxHeaderSize: MAX_HEAD_SIZE,
          headersTimeout: t,
          requestTimeout: t,
          connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(t / 4)))
        },
        (req, res) => {
          const body = http.STATUS_CODES[426];
          res.writeHead(426, {
            'Content-Length': body.length,
            'Content-Type': 'text/plain',
            'Sec-WebSocket-Version': '13'
          });
          res.end(body);
        }
      );
      this._server.listen(options.port, options.host, options.backlog, callback);
    } else if (options.server) {
      this._server = options.server;
    }

    if (this._server) {
      const emitConnection = this.emit.bind(this, 'connection');
      this._removeListeners = addListeners(this._server, {
        listening: this.emit.bind(this, 'listening'),
        error: this.emit.bind(this, 'error'),
        upgrade: (req, socket, head) => {
          this.handleUpgrade(req, socket, head, emitConnection);
        }
      });
    }

    this._deflate = deflateConfig(options.perMessageDeflate);
    if (options.clientTracking) {
      this.clients = new Set();
      this._shouldEmitClose = false;
    }
    this.options = options;
    this._state = RUNNING;
    const limit = options.backpressureLimit === undefined ? 16 * 1024 * 1024 : options.backpressureLimit;
    if (typeof limit !== 'number' || !(limit >= 0)) {
      const err = new RangeError(`backpressureLimit must be a non-negative number, got ${String(limit)}`);
      err.code = 'ERR_OUT_OF_RANGE';
      throw err;
    }
    this._topics = new Topics(limit, !!options.closeOnBackpressureLimit);
    this._pubsub = null;
    if (options.pubsub != null) {
      const ps = options.pubsub;
      if (typeof ps !== 'object' || ['attach', 'forward', 'topicAdded', 'topicRemoved', 'close'].some((m) => typeof ps[m] !== 'function')) {
        const err = new TypeError('The "pubsub" option must be a pub/sub adapter (e.g. new RedisPubSub({ url }) from wsprism/redis)');
        err.code = 'ERR_INVALID_ARG_TYPE';
        throw err;
      }
      this._topics.attach(ps); // throws if the adapter already serves another server
      this._pubsub = ps;
    }
    this._heartbeat = null;
    this._live = null; // connections the heartbeat sweep looks at (idleTimeout > 0)
    if (options.idleTimeout > 0) {
      // One sweep per eighth of the timeout for the whole server (no timer per connection): a
      // connection that received nothing for 4 sweeps is pinged (sendPings), after 7 it is
      // sent a close frame 1001 "idle timeout", after 8 (within idleTimeout) it is terminated
      // if it has not closed.
      this._live = new Set();
      const tick = Math.max(1, (options.idleTimeout * 1000) / 8);
      this._heartbeat = setInterval(sweep, tick, this, options.sendPings !== false);
      if (this._heartbeat.unref) this._heartbeat.unref();
    }
  }

  /**
   * Sends `data` to every connection subscribed to `topic`; returns how many it was written
   * to. `options`: { binary, compress } as for send(). Framed (and, without context takeover,
   * compressed) once for all of them.
   */
  publish(topic, data, options) {
    return this._topics.publish(topic, data, options, null);
  }

  /** How many connections of this server are subscribed to `topic`. */
  subscriberCount(topic) {
    return this._topics.count(topic);
  }

  address() {
    if (this.options.noServer) {
      throw new Error('The server is operating in "noServer" mode');
    }
    if (!this._server) return null;
    return this._server.address();
  }

  /**
   * Stops accepting connections; 'close' is emitted when the server we created has closed (or,
   * with `server`/`noServer`, when every tracked client has closed). Existing connections are not
   * closed, as in `ws`.
   */
  close(cb) {
    if (this._state === CLOSED) {
      if (cb) this.once('close', () => cb(new Error('The server is not running')));
      process.nextTick(emitClose, this);
      return;
    }
    if (cb) this.once('close', cb);
    if (this._state === CLOSING) return;
    this._state = CLOSING;
    if (this._heartbeat !== null) {
      clearInterval(this._heartbeat);
      this._heartbeat = null;
    }
    if (this._pubsub !== null) {
      // Its Redis connections end; local publish goes on for the connections still open.
      this._topics._pubsub = null;
      const ps = this._pubsub;
      Promise.resolve().then(() => ps.close()).catch(() => {});
      this._pubsub = null;
    }

    if (this.options.noServer || this.options.server) {
      if (this._server) {
        this._removeListeners();
        this._removeListeners = this._server = null;
      }
      if (this.clients && this.clients.size) this._shouldEmitClose = true;
      else process.nextTick(emitClose, this);
    } else {
      const server = this._server;
      this._removeListeners();
      this._removeListeners = this._server = null;
      server.close(() => emitClose(this));
    }
  }

  shouldHandle(req) {
    if (this.options.path) {
      const index = req.url.indexOf('?');
      const pathname = index !== -1 ? req.url.slice(0, index) : req.url;
      if (pathname !== this.options.path) return false;
    }
    return true;
  }

  /**
   * Refuses an upgrade request with `ws`'s words: a 'wsClientError' event when the app listens
   * for it (the error carries `code`, `status` and the engine's sentence), else the response
   * (`response`: the engine's refusal head; a plain one otherwise) with the message as body.
   */
  _refuse(socket, req, status, code, engineMessage, response) {
    const message = requestMessage(code, engineMessage);
    if (this.listenerCount('wsClientError')) {
      const err = new Error(message);
      Error.captureStackTrace(err, this.handleUpgrade);
      err.code = code;
      err.status = status;
      err.engineMessage = engineMessage;
      this.emit('wsClientError', err, socket, req);
      return;
    }
    if (response) writeAndClose(socket, withBody(response, message));
    else abortHandshake(socket, status, message);
  }

  /** Handles an HTTP upgrade request; `cb(ws, req)` gets the open connection. */
  handleUpgrade(req, socket, head, cb) {
    socket.on('error', socketOnError);
    const timeout = this.options.handshakeTimeout;
    const stopTimer = timeout > 0 ? startHandshakeTimer(socket, timeout) : null;

    const c = codec();
    const server = req.socket && req.socket.server;
    const headBuf = rawHead(
      `${req.method} ${req.url} HTTP/${req.httpVersion}`,
      req.rawHeaders,
      server ? server.maxHeadersCount : null
    );
    if (headBuf.length > MAX_HEAD_SIZE) {
      abortHandshake(socket, 431, 'Request Header Fields Too Large');
      return;
    }
    let v;
    try {
      v = c.validateHandshakeRequest(headBuf);
    } catch (err) {
      abortHandshake(socket, 400, err.message);
      return;
    }
    if (!v.ok) {
      // The engine's verdict (status, and the headers its rule requires, e.g.
      // `Sec-WebSocket-Version: 13, 8` or `Allow: GET`), in `ws`'s words.
      this._refuse(socket, req, v.status, v.code, v.message, v.response);
      return;
    }
    if (!this.shouldHandle(req)) {
      abortHandshake(socket, 400);
      return;
    }
    const protocols = new Set(v.protocols || []);

    let negotiated = null;
    if (this._deflate) {
      const offers = req.headers['sec-websocket-extensions'];
      if (offers !== undefined) {
        let n = null;
        try {
          n = c.negotiatePerMessageDeflate(offers, engineDeflateConfig(this._deflate));
        } catch (err) {
          // The offer was judged by the engine (invalid offers are declined, RFC 7692 §5): a
          // throw here is this server's perMessageDeflate option, not the client.
          this._appError(socket, err, 'perMessageDeflate');
          return;
        }
        if (n) {
          negotiated = { response: n.response, deflate: { ...this._deflate, params: n.params } };
        } else if (v.extensions.some((e) => e.name === 'permessage-deflate')) {
          // The engine declined every permessage-deflate offer (each was invalid, RFC 7692 §5):
          // `ws` refuses such a request, and so does this `ws`-compatible server.
          this._refuse(socket, req, 400, 'WS_ERR_HANDSHAKE_EXTENSIONS_HEADER',
            `no valid permessage-deflate offer in ${JSON.stringify(offers)} (RFC 7692 §5)`);
          return;
        }
      }
    }

    const finish = () => {
      if (stopTimer !== null) stopTimer();
      this.completeUpgrade(v, negotiated, protocols, req, socket, head, cb);
    };

    if (this.options.verifyClient) {
      const version8 = req.headers['sec-websocket-version'] === '8';
      const info = {
        origin: req.headers[version8 ? 'sec-websocket-origin' : 'origin'],
        secure: !!((req.socket && req.socket.authorized) || (req.socket && req.socket.encrypted)),
        req
      };
      // An app callback that throws, rejects, answers twice or with a bad status/header fails
      // this handshake with 500 and an 'error' on the server, never the process.
      let answered = false;
      const answer = (verified, code, message, headers) => {
        if (answered) return;
        answered = true;
        if (verified) {
          finish();
          return;
        }
        let refusal;
        try {
          refusal = refusalResponse(code, message, headers);
        } catch (err) {
          this._appError(socket, err, 'verifyClient');
          return;
        }
        if (stopTimer !== null) stopTimer();
        writeAndClose(socket, refusal);
      };
      const failed = (err) => {
        if (answered) return;
        answered = true;
        this._appError(socket, err, 'verifyClient');
      };
      const verify = this.options.verifyClient;
      let result;
      try {
        result = verify.length === 2 ? verify(info, answer) : verify(info);
      } catch (err) {
        // A throw from our own `finish()` (the app's 'connection' listener, run synchronously
        // from `answer`) is the app's, as in `ws`; a throw before the answer is verifyClient's.
        if (answered && socket[kHandled]) throw err;
        failed(err);
        return;
      }
      if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        // An async verifyClient: its rejection fails the handshake (rather than going unhandled
        // and ending the process); the one-argument form answers with what it resolves to.
        result.then(
          (ok) => {
            if (verify.length !== 2) answer(!!ok);
          },
          failed
        );
        return;
      }
      if (verify.length !== 2) answer(!!result);
      return;
    }
    finish();
  }

  /**
   * An app callback or option failed during a handshake: answer 500, close the socket, and tell
   * the app through 'error' (a warning when nothing listens: the process stays up).
   * @private
   */
  _appError(socket, err, where) {
    if (!socket.destroyed) abortHandshake(socket, 500);
    const e = err instanceof Error ? err : new Error(String(err));
    if (e.wsprismCallback === undefined) e.wsprismCallback = where;
    if (this.listenerCount('error') > 0) this.emit('error', e);
    else process.emitWarning(e);
  }

  /** @private */
  completeUpgrade(v, negotiated, protocols, req, socket, head, cb) {
    if (!socket.readable || !socket.writable) return socket.destroy();
    if (socket[kHandled]) {
      throw new Error(
        'server.handleUpgrade() was called more than once with the same socket, possibly due to a misconfiguration'
      );
    }
    if (this._state > RUNNING) return abortHandshake(socket, 503);
    socket[kHandled] = true;

    let protocol;
    let response;
    const resOpts = { accept: v.accept };
    try {
      if (protocols.size) {
        protocol = this.options.handleProtocols
          ? this.options.handleProtocols(protocols, req)
          : protocols.values().next().value;
        if (!protocol) protocol = undefined;
        else if (typeof protocol !== 'string') {
          const err = new TypeError(`handleProtocols must return a string or false, got ${typeof protocol}`);
          err.code = 'ERR_INVALID_RETURN_VALUE';
          throw err;
        }
        // A string the client did not offer is sent, as `ws` sends it (the client then fails the
        // connection, RFC 6455 §4.1); one that is not a token (CR/LF, spaces) is refused by the
        // engine's response builder below: 500 and 'error', never written.
      }
      if (protocol) resOpts.protocol = protocol;
      if (negotiated) resOpts.extensions = negotiated.response;
      response = codec().buildHandshakeResponse(resOpts);
      if (this.listenerCount('headers')) {
        // `ws` hands out the header lines so an app can add some (e.g. Set-Cookie). What the
        // listeners add goes through buildHandshakeResponse's header checks (token names, no
        // CR/LF/NUL in values): a bad line fails this handshake, it is never sent.
        const lines = response.toString('latin1').split('\r\n').slice(0, -2);
        const before = new Set(lines);
        this.emit('headers', lines, req);
        const extra = [];
        for (const line of lines.slice(1)) {
          if (before.has(line)) continue;
          const i = typeof line === 'string' ? line.indexOf(':') : -1;
          if (i <= 0) {
            const err = new TypeError(`a 'headers' listener added a line that is not a header: ${JSON.stringify(line)}`);
            err.code = 'ERR_INVALID_ARG_VALUE';
            throw err;
          }
          extra.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
        }
        if (extra.length) response = codec().buildHandshakeResponse({ ...resOpts, headers: extra });
      }
    } catch (err) {
      this._appError(socket, err, 'headers/handleProtocols');
      return;
    }
    const WebSocketClass = this.options.WebSocket || WebSocket;
    const ws = new WebSocketClass(null, undefined, this.options);
    if (protocol) ws._protocol = protocol;
    if (negotiated) ws._extensions = negotiated.response;
    socket.write(response);
    socket.removeListener('error', socketOnError);

    ws._hub = this._topics;
    ws.setSocket(socket, head, {
      role: 'server',
      maxPayload: this.options.maxPayload,
      maxFragments: this.options.maxFragments,
      maxBufferedChunks: this.options.maxBufferedChunks,
      deflate: negotiated ? negotiated.deflate : null,
      allowSynchronousEvents: this.options.allowSynchronousEvents
    });
    if (this._live !== null) {
      this._live.add(ws);
      ws.once('close', () => this._live !== null && this._live.delete(ws));
    }
    if (this.options.maxLifetime > 0) startLifetime(ws, this.options.maxLifetime * 60000);

    if (this.clients) {
      this.clients.add(ws);
      ws.on('close', () => {
        this.clients.delete(ws);
        if (this._shouldEmitClose && !this.clients.size) process.nextTick(emitClose, this);
      });
    }
    cb(ws, req);
  }
}

/** One heartbeat sweep over a server's connections (see the constructor). */
function sweep(server, sendPings) {
  for (const ws of server._live) {
    const t = ++ws._idleTicks;
    if (t >= 8) {
      ws.terminate();
    } else if (t === 7) {
      if (ws.readyState === WebSocket.OPEN) ws.close(1001, 'idle timeout');
    } else if (t === 4 && sendPings && ws.readyState === WebSocket.OPEN) {
      ws.ping();
    }
  }
}

/** maxLifetime: a close 1001 "max lifetime" `ms` after the connection opened. */
function startLifetime(ws, ms) {
  const timer = setTimeout(() => {
    if (ws.readyState === WebSocket.OPEN) ws.close(1001, 'max lifetime');
  }, ms);
  if (timer.unref) timer.unref();
  ws.once('close', () => clearTimeout(timer));
}

function addListeners(server, map) {
  for (const event of Object.keys(map)) server.on(event, map[event]);
  return function removeListeners() {
    for (const event of Object.keys(map)) server.removeListener(event, map[event]);
  };
}

function emitClose(server) {
  server._state = CLOSED;
  server.emit('close');
}

/**
 * Destroys a socket whose upgrade is not handled within `ms`. Returns the function that stops
 * the timer. It lives in its own scope: a 'close' listener created inside handleUpgrade would
 * keep that call's whole scope (the request, its validated head) alive as long as the
 * connection, several KB per idle connection.
 */
function startHandshakeTimer(socket, ms) {
  const timer = setTimeout(() => {
    if (!socket[kHandled]) socket.destroy();
  }, ms);
  if (timer.unref) timer.unref();
  const stop = () => {
    clearTimeout(timer);
    socket.removeListener('close', stop);
  };
  socket.once('close', stop);
  return stop;
}

function socketOnError() {
  this.destroy();
}

function writeAndClose(socket, buf) {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', socket.destroy);
  socket.end(buf);
}

/** The engine's refusal (status line and headers) with `message` as the body, as `ws` sends. */
function withBody(response, message) {
  const head = response.toString('latin1');
  const end = head.indexOf('\r\n\r\n');
  const lines = head
    .slice(0, end === -1 ? head.length : end)
    .split('\r\n')
    .filter((l) => !/^content-(length|type):/i.test(l));
  lines.push('Content-Type: text/html', `Content-Length: ${Buffer.byteLength(message)}`);
  return lines.join('\r\n') + '\r\n\r\n' + message;
}

/**
 * The response for a verifyClient refusal `(false, code, message, headers)`: `code` (default
 * 401) an integer from 300 to 599, `headers` checked by the engine's header rules (a token
 * name, no CR/LF/NUL in a value: the checks every head the engine builds goes through), so an
 * app's values can never add header lines. Throws RangeError/TypeError with a `code`.
 */
function refusalResponse(code, message, headers) {
  if (code === undefined) code = 401;
  if (!Number.isInteger(code) || code < 300 || code > 599) {
    const err = new RangeError(`verifyClient refused with an invalid HTTP status code: ${String(code)}`);
    err.code = 'ERR_HTTP_INVALID_STATUS_CODE';
    throw err;
  }
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object') {
      const err = new TypeError('verifyClient refused with headers that are not an object');
      err.code = 'ERR_INVALID_ARG_TYPE';
      throw err;
    }
    codec().buildHandshakeResponse({ accept: 'x', headers });
  }
  return refusalText(code, message === undefined || message === null ? undefined : String(message), headers);
}

function abortHandshake(socket, code, message, headers) {
  writeAndClose(socket, refusalText(code, message, headers));
}

/** A plain refusal: status line, Connection: close, the message as an HTML body. */
function refusalText(code, message, headers) {
  message = message || http.STATUS_CODES[code] || 'Error';
  headers = {
    Connection: 'close',
    'Content-Type': 'text/html',
    'Content-Length': Buffer.byteLength(message),
    ...headers
  };
  return (
    `HTTP/1.1 ${code} ${http.STATUS_CODES[code] || 'Unknown'}\r\n` +
    Object.keys(headers)
      .map((h) => `${h}: ${headers[h]}`)
      .join('\r\n') +
    '\r\n\r\n' +
    message
  );
}

module.exports = WebSocketServer;
module.exports.WebSocketServer = WebSocketServer;
