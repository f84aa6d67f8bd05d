// The `ws`-compatible client and server beyond plain ws:// echo: a wss:// / https: client against
// an `https` server with a throwaway certificate (made here with openssl: scripts/setup/openssl.sh),
// redirects, ws+unix: URLs, bytes that arrive with the upgrade, upgrades over a plain Duplex,
// Blob, protocol version 8 and the HTTP refusals, and every error message, class and code, checked
// side by side against the real `ws` package on the same bytes. Servers listen on 127.0.0.1 or a
// unix socket in a temporary folder; every wait is bounded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { Duplex } from 'node:stream';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { withTimeout } from './helpers.mjs';

const require = createRequire(import.meta.url);
const pkg = require('../../packages/wsprism');
const { WebSocket, WebSocketServer, createWebSocketStream } = pkg;
const WS = require('ws');

const HOST = '127.0.0.1';
const T = { timeout: 30_000 };
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const hasBlob = typeof Blob === 'function';

let tmp;
let tls; // { key, cert } PEM strings: a self-signed certificate for localhost and 127.0.0.1

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wsprism-compat-'));
  const openssl = execFileSync('bash', [path.join(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../../scripts/setup/openssl.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore']
  })
    .trim()
    .split('\n')
    .pop();
  const keyFile = path.join(tmp, 'key.pem');
  const certFile = path.join(tmp, 'cert.pem');
  execFileSync(openssl, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'
  ], { stdio: 'ignore' });
  tls = { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});


/** Resolves with the first 'open' or rejects with the first 'error' (bounded). */
function opened(ws, what = 'open') {
  return withTimeout(
    new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    }),
    5000,
    what
  );
}

function failed(ws, what = 'error') {
  return withTimeout(
    new Promise((resolve, reject) => {
      ws.once('open', () => reject(new Error('unexpected open')));
      ws.once('error', resolve);
    }),
    5000,
    what
  );
}

function listening(server, ...args) {
  return new Promise((resolve) => server.listen(...args, resolve));
}

function closeAll(...servers) {
  return Promise.all(servers.map((s) => new Promise((r) => s.close(() => r()))));
}

/** An echo WebSocketServer on `server` (an http/https server, not yet listening). */
function echoOn(server) {
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    ws.on('message', (d, binary) => ws.send(d, { binary }));
    ws.send(`hello ${req.url}`);
  });
  return wss;
}

async function firstMessage(ws) {
  const [data] = await withTimeout(once(ws, 'message'), 5000, 'a message');
  return data.toString();
}

// ------------------------------------------------------------------------------------------
// TLS

test('wss:// and https: clients reach an https server with the ca, servername and rejectUnauthorized options', T, async () => {
  const server = https.createServer({ key: tls.key, cert: tls.cert });
  const names = [];
  server.on('secureConnection', (s) => names.push(s.servername));
  const wss = echoOn(server);
  await listening(server, 0, HOST);
  const port = server.address().port;

  // trusted through `ca`, name checked against the certificate
  let ws = new WebSocket(`wss://localhost:${port}/a`, { ca: tls.cert });
  let hello = firstMessage(ws);
  await opened(ws);
  assert.equal(await hello, 'hello /a');
  ws.send('over tls');
  assert.equal(await firstMessage(ws), 'over tls');
  ws.close();
  await once(ws, 'close');
  assert.equal(names.pop(), 'localhost', 'SNI is the URL host');

  // https: is wss:
  ws = new WebSocket(`https://localhost:${port}/b`, { ca: tls.cert });
  hello = firstMessage(ws);
  await opened(ws);
  assert.equal(ws.url, `wss://localhost:${port}/b`);
  assert.equal(await hello, 'hello /b');
  ws.terminate();

  // an IP address: no SNI unless `servername` says so; the certificate names 127.0.0.1 too
  ws = new WebSocket(`wss://${HOST}:${port}/c`, { ca: tls.cert, servername: 'localhost' });
  await opened(ws);
  assert.equal(names.pop(), 'localhost');
  ws.terminate();

  // not trusted: the TLS error, as `ws` reports it
  ws = new WebSocket(`wss://localhost:${port}/d`);
  const err = await failed(ws);
  const wsErr = await failed(new WS(`wss://localhost:${port}/d`));
  assert.equal(err.code, wsErr.code);
  assert.equal(err.message, wsErr.message);
  assert.match(err.code, /SELF_SIGNED/);

  // a wrong name fails even with the right ca
  ws = new WebSocket(`wss://${HOST}:${port}/e`, { ca: tls.cert, servername: 'example.org' });
  assert.equal((await failed(ws)).code, 'ERR_TLS_CERT_ALTNAME_INVALID');

  // rejectUnauthorized: false accepts it
  ws = new WebSocket(`wss://localhost:${port}/f`, { rejectUnauthorized: false });
  await opened(ws);
  ws.terminate();

  // a client certificate (cert + key) reaches the server
  const server2 = https.createServer({ key: tls.key, cert: tls.cert, requestCert: true, ca: tls.cert });
  const wss2 = new WebSocketServer({ server: server2 });
  let peerCert;
  wss2.on('connection', (sock, req) => {
    peerCert = req.socket.getPeerCertificate();
    sock.close();
  });
  await listening(server2, 0, HOST);
  ws = new WebSocket(`wss://localhost:${server2.address().port}/`, { ca: tls.cert, cert: tls.cert, key: tls.key });
  await opened(ws);
  await once(ws, 'close');
  assert.equal(peerCert.subject.CN, 'localhost');

  wss.close();
  wss2.close();
  await closeAll(server, server2);
});

// ------------------------------------------------------------------------------------------
// Redirects

test('redirects: followRedirects, maxRedirects, the redirect event, credentials dropped across hosts', T, async () => {
  const target = http.createServer();
  const seen = [];
  const wss = new WebSocketServer({ server: target });
  wss.on('connection', (ws, req) => {
    seen.push({ url: req.url, authorization: req.headers.authorization, cookie: req.headers.cookie });
    ws.close();
  });
  await listening(target, 0, HOST);
  const tport = target.address().port;

  // a front server: /same -> a path on itself (same host), /away -> the target (another host),
  // /loop -> itself forever
  const front = http.createServer();
  const frontWss = new WebSocketServer({ server: front });
  frontWss.on('connection', (ws, req) => {
    seen.push({ url: req.url, authorization: req.headers.authorization, cookie: req.headers.cookie });
    ws.close();
  });
  front.removeAllListeners('upgrade');
  front.on('upgrade', (req, socket, head) => {
    const to = { '/same': '/final', '/away': `ws://localhost:${tport}/there`, '/loop': '/loop' }[req.url];
    if (to) {
      socket.end(`HTTP/1.1 302 Found\r\nLocation: ${to}\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    frontWss.handleUpgrade(req, socket, head, (ws) => frontWss.emit('connection', ws, req));
  });
  await listening(front, 0, HOST);
  const fport = front.address().port;
  const headers = { Authorization: 'Bearer secret', Cookie: 'id=1' };

  // not followed by default: ws's error
  let ws = new WebSocket(`ws://${HOST}:${fport}/same`);
  assert.equal((await failed(ws)).message, 'Unexpected server response: 302');

  // same host: followed, credentials kept, 'redirect' emitted with the new URL
  ws = new WebSocket(`ws://${HOST}:${fport}/same`, { followRedirects: true, headers });
  const redirects = [];
  ws.on('redirect', (url, req) => redirects.push([url, req instanceof http.ClientRequest]));
  await opened(ws);
  assert.equal(ws.url, `ws://${HOST}:${fport}/final`);
  await once(ws, 'close');
  assert.deepEqual(redirects, [[`ws://${HOST}:${fport}/final`, true]]);
  assert.deepEqual(seen.pop(), { url: '/final', authorization: 'Bearer secret', cookie: 'id=1' });

  // another host, no 'redirect' listener: Authorization and Cookie are not sent there
  ws = new WebSocket(`ws://${HOST}:${fport}/away`, { followRedirects: true, headers });
  await opened(ws);
  await once(ws, 'close');
  assert.deepEqual(seen.pop(), { url: '/there', authorization: undefined, cookie: undefined });

  // URL credentials become Basic auth, and are dropped across hosts too
  ws = new WebSocket(`ws://user:pw@${HOST}:${fport}/same`, { followRedirects: true });
  await opened(ws);
  await once(ws, 'close');
  assert.equal(seen.pop().authorization, 'Basic ' + Buffer.from('user:pw').toString('base64'));
  ws = new WebSocket(`ws://user:pw@${HOST}:${fport}/away`, { followRedirects: true });
  await opened(ws);
  await once(ws, 'close');
  assert.equal(seen.pop().authorization, undefined);

  // a loop stops at maxRedirects, with ws's message
  ws = new WebSocket(`ws://${HOST}:${fport}/loop`, { followRedirects: true, maxRedirects: 3 });
  let count = 0;
  ws.on('redirect', () => count++);
  assert.equal((await failed(ws)).message, 'Maximum redirects exceeded');
  assert.equal(count, 3);

  wss.close();
  frontWss.close();
  await closeAll(front, target);
});

// ------------------------------------------------------------------------------------------
// Unix sockets

test('ws+unix: URLs connect to a server on a unix socket, path and query kept', T, async () => {
  const sockPath = path.join(tmp, 'ws.sock');
  const server = http.createServer();
  const wss = echoOn(server);
  await listening(server, sockPath);
  const ws = new WebSocket(`ws+unix:${sockPath}:/chat?room=1`);
  const hello = firstMessage(ws);
  await opened(ws);
  assert.equal(await hello, 'hello /chat?room=1');
  ws.send(Buffer.from([1, 2, 3]));
  const [echo, binary] = await withTimeout(once(ws, 'message'), 5000, 'echo');
  assert.deepEqual([...echo], [1, 2, 3]);
  assert.equal(binary, true);
  ws.close();
  await once(ws, 'close');
  // the `ws` client reaches our server there too
  const other = new WS(`ws+unix:${sockPath}:/x`);
  const otherHello = firstMessage(other);
  await opened(other);
  assert.equal(await otherHello, 'hello /x');
  other.terminate();
  // no socket there: the connect error
  const missing = new WebSocket(`ws+unix:${path.join(tmp, 'none.sock')}`);
  assert.equal((await failed(missing)).code, 'ENOENT');
  wss.close();
  await closeAll(server);
});

// ------------------------------------------------------------------------------------------
// Bytes that come with the upgrade

function maskedFrame(opcode, payload) {
  const key = crypto.randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
  const n = body.length;
  const len = n < 126 ? [0x80 | n] : [0x80 | 126, n >> 8, n & 0xff]; // (up to 64 KiB)
  return Buffer.concat([Buffer.from([0x80 | opcode, ...len]), key, body]);
}

test('frames sent in the same packet as the upgrade request (server) or the 101 (client) are read', T, async () => {
  const wss = new WebSocketServer({ host: HOST, port: 0 });
  await once(wss, 'listening');
  const got = new Promise((resolve) => {
    wss.on('connection', (ws) => {
      const messages = [];
      ws.on('message', (d) => {
        messages.push(d.toString());
        if (messages.length === 2) resolve(messages);
      });
    });
  });
  const sock = net.connect(wss.address().port, HOST);
  sock.on('error', () => {});
  await once(sock, 'connect');
  const key = crypto.randomBytes(16).toString('base64');
  sock.write(
    Buffer.concat([
      Buffer.from(
        `GET / HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`
      ),
      maskedFrame(1, 'first'),
      maskedFrame(1, 'second')
    ])
  );
  assert.deepEqual(await withTimeout(got, 5000, 'both messages'), ['first', 'second']);
  sock.destroy();
  wss.close();

  // client side: a server that writes the 101 and two frames at once
  const raw = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', (d) => {
      const k = /Sec-WebSocket-Key: (\S+)/i.exec(d.toString())[1];
      const accept = crypto.createHash('sha1').update(k + GUID).digest('base64');
      s.write(
        Buffer.concat([
          Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`),
          Buffer.from([0x81, 0x03]), Buffer.from('one'),
          Buffer.from([0x81, 0x03]), Buffer.from('two')
        ])
      );
    });
  });
  await listening(raw, 0, HOST);
  const ws = new WebSocket(`ws://${HOST}:${raw.address().port}/`, { perMessageDeflate: false });
  const messages = [];
  const both = new Promise((resolve) =>
    ws.on('message', (d) => {
      messages.push(d.toString());
      if (messages.length === 2) resolve();
    })
  );
  await withTimeout(both, 5000, 'both messages');
  assert.deepEqual(messages, ['one', 'two']);
  ws.terminate();
  await closeAll(raw);
});

/**
 * Connects a raw socket to a wsprism server made with `options` and writes the upgrade and
 * four frames (text 'a', ping 'p', text 'b', close 1000) in one packet; resolves at the server
 * side's 'close' with its events in order, a 'tick' after each where a microtask queued by its
 * listener ran, and its isPaused after the last message.
 */
async function eventTurns(options) {
  const wss = new WebSocketServer({ host: HOST, port: 0, ...options });
  await once(wss, 'listening');
  const got = new Promise((resolve) => {
    wss.on('connection', (ws) => {
      const log = [];
      const note = (what) => {
        log.push(what);
        queueMicrotask(() => log.push('tick'));
      };
      let paused;
      ws.on('message', (d) => {
        note(d.toString());
        if (d.toString() === 'b') setImmediate(() => (paused = ws.isPaused));
      });
      ws.on('ping', () => note('ping'));
      // the close frame after them: the closing handshake completes (reading was resumed)
      ws.on('close', (code) => resolve({ log, paused, code }));
    });
  });
  const sock = net.connect(wss.address().port, HOST);
  sock.on('error', () => {});
  sock.resume(); // read the 101, the pong and the close reply, then the server's end
  await once(sock, 'connect');
  const key = crypto.randomBytes(16).toString('base64');
  sock.write(
    Buffer.concat([
      Buffer.from(
        `GET / HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`
      ),
      maskedFrame(1, 'a'),
      maskedFrame(9, 'p'),
      maskedFrame(1, 'b'),
      maskedFrame(8, Buffer.from([0x03, 0xe8]))
    ])
  );
  const result = await withTimeout(got, 5000, 'three events and the close');
  sock.destroy();
  await closeAll(wss);
  return result;
}

test('allowSynchronousEvents: true (default) emits a chunk\'s events in one turn; false, one message or ping per turn, as ws', T, async () => {
  const sync = await eventTurns({});
  assert.deepEqual(sync.log, ['a', 'ping', 'b', 'tick', 'tick', 'tick']);
  assert.equal(sync.code, 1000);
  const deferred = await eventTurns({ allowSynchronousEvents: false });
  assert.deepEqual(deferred.log, ['a', 'tick', 'ping', 'tick', 'b', 'tick']);
  assert.equal(deferred.paused, false, 'isPaused is the app\'s pause(), not the deferral\'s');
  assert.equal(deferred.code, 1000);

  // client side: a server that writes the 101 and three frames at once
  const raw = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', (d) => {
      const k = /Sec-WebSocket-Key: (\S+)/i.exec(d.toString())[1];
      const accept = crypto.createHash('sha1').update(k + GUID).digest('base64');
      s.write(
        Buffer.concat([
          Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`),
          Buffer.from([0x81, 0x01]), Buffer.from('a'),
          Buffer.from([0x8a, 0x01]), Buffer.from('q'),
          Buffer.from([0x81, 0x01]), Buffer.from('b')
        ])
      );
    });
  });
  await listening(raw, 0, HOST);
  for (const [allowSynchronousEvents, want] of [
    [undefined, ['a', 'pong', 'b', 'tick', 'tick', 'tick']],
    [false, ['a', 'tick', 'pong', 'tick', 'b', 'tick']]
  ]) {
    const ws = new WebSocket(`ws://${HOST}:${raw.address().port}/`, { perMessageDeflate: false, allowSynchronousEvents });
    const log = [];
    const note = (what) => {
      log.push(what);
      queueMicrotask(() => log.push('tick'));
    };
    const done = new Promise((resolve) => {
      ws.on('message', (d) => {
        note(d.toString());
        if (d.toString() === 'b') setImmediate(resolve);
      });
    });
    ws.on('pong', () => note('pong'));
    await withTimeout(done, 5000, 'three client events');
    assert.deepEqual(log, want, `client, allowSynchronousEvents ${allowSynchronousEvents}`);
    ws.terminate();
  }
  await closeAll(raw);
});

// ------------------------------------------------------------------------------------------
// Any Duplex

/** Two connected Duplex streams (no net.Socket methods: setTimeout, setNoDelay, ...). */
function duplexPair() {
  let a, b;
  const make = (other) =>
    new Duplex({
      read() {},
      write(chunk, enc, cb) {
        other().push(chunk);
        cb();
      },
      final(cb) {
        other().push(null);
        cb();
      }
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}

test('an upgrade over a plain Duplex: http server side and createConnection client side', T, async () => {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  const serverSide = new Promise((resolve) => wss.on('connection', resolve));
  const [clientEnd, serverEnd] = duplexPair();
  assert.equal(typeof serverEnd.setNoDelay, 'undefined');
  server.emit('connection', serverEnd);
  const ws = new WebSocket('ws://duplex.invalid/', { createConnection: () => clientEnd });
  await opened(ws);
  const peer = await withTimeout(serverSide, 5000, 'connection');
  peer.on('message', (d, binary) => peer.send(d, { binary }));
  // this pair delivers synchronously: the echo may come back inside send()
  const echoed = firstMessage(ws);
  ws.send('through a Duplex');
  assert.equal(await echoed, 'through a Duplex');
  ws.close(4000, 'done');
  const [code, reason] = await withTimeout(once(peer, 'close'), 5000, 'close');
  assert.equal(code, 4000);
  assert.equal(reason.toString(), 'done');
  wss.close();
});

test('createWebSocketStream: messages as chunks both ways, backpressure, end closes', T, async () => {
  const wss = new WebSocketServer({ host: HOST, port: 0 });
  await once(wss, 'listening');
  const received = [];
  const closed = new Promise((resolve) =>
    wss.on('connection', (ws) => {
      ws.on('message', (d) => received.push(d.toString()));
      ws.on('close', (code) => resolve(code));
      for (let i = 0; i < 20; i++) ws.send(`m${i}`);
    })
  );
  const ws = new WebSocket(`ws://${HOST}:${wss.address().port}/`);
  const duplex = createWebSocketStream(ws, { highWaterMark: 2, readableObjectMode: true });
  assert.equal(WebSocket.createWebSocketStream, createWebSocketStream);
  duplex.write('written before open');
  // a full readable buffer pauses the WebSocket; reading resumes it
  await withTimeout(
    new Promise((resolve) => {
      const check = () => (ws.isPaused ? resolve() : setImmediate(check));
      check();
    }),
    5000,
    'paused by backpressure'
  );
  const chunks = [];
  for await (const chunk of duplex) {
    chunks.push(chunk);
    if (chunks.length === 20) break; // destroys the stream: the connection is terminated
  }
  assert.deepEqual(chunks, Array.from({ length: 20 }, (_, i) => `m${i}`));
  assert.equal(await withTimeout(closed, 5000, 'server close'), 1006);
  assert.deepEqual(received, ['written before open']);

  // end(): the closing handshake; the readable side ends at 'close'
  const ws2 = new WebSocket(`ws://${HOST}:${wss.address().port}/`);
  const d2 = createWebSocketStream(ws2);
  d2.resume();
  d2.end('last');
  await withTimeout(once(d2, 'close'), 5000, 'stream closed');
  assert.equal(ws2.readyState, WebSocket.CLOSED);
  wss.close();
});

test('createWebSocketStream: a protocol error destroys the stream with ws\'s error; writes after close fail', T, async () => {
  const server = await evilServer(Buffer.from([0x85, 0x00]));
  const ws = new WebSocket(`ws://${HOST}:${server.address().port}/`, { perMessageDeflate: false });
  const duplex = createWebSocketStream(ws);
  const streamClosed = withTimeout(new Promise((r) => duplex.once('close', r)), 5000, 'stream close');
  const [err] = await withTimeout(once(duplex, 'error'), 5000, 'stream error');
  assert.equal(err.message, 'Invalid WebSocket frame: invalid opcode 5');
  assert.equal(err.code, 'WS_ERR_INVALID_OPCODE');
  await streamClosed;
  assert.equal(ws.readyState, WebSocket.CLOSED);
  await closeAll(server);

  // a write once the WebSocket is closed: the send callback's error is the stream's
  const wss = new WebSocketServer({ host: HOST, port: 0 });
  await once(wss, 'listening');
  wss.on('connection', (peer) => peer.close());
  const ws2 = new WebSocket(`ws://${HOST}:${wss.address().port}/`);
  await withTimeout(once(ws2, 'close'), 5000, 'closed by the server');
  const d2 = createWebSocketStream(ws2);
  d2.write('too late');
  const [e2] = await withTimeout(once(d2, 'error'), 5000, 'write error');
  assert.equal(e2.message, 'WebSocket is not open: readyState 3 (CLOSED)');
  wss.close();
});

// ------------------------------------------------------------------------------------------
// Blob

test('Blob: binaryType "blob" receives Blobs; a sent Blob arrives as binary, in order with other sends', { ...T, skip: !hasBlob }, async () => {
  const wss = new WebSocketServer({ host: HOST, port: 0 });
  await once(wss, 'listening');
  const got = new Promise((resolve) =>
    wss.on('connection', (ws) => {
      const seen = [];
      ws.on('message', (d, binary) => {
        seen.push([d.toString(), binary]);
        if (seen.length === 3) {
          ws.send(Buffer.from('back'));
          resolve(seen);
        }
      });
    })
  );
  const ws = new WebSocket(`ws://${HOST}:${wss.address().port}/`);
  ws.binaryType = 'blob';
  assert.equal(ws.binaryType, 'blob');
  await opened(ws);
  ws.send(new Blob(['blob one']));
  ws.send('text after it');
  ws.send(new Blob([Buffer.from('blob two')]), { binary: false });
  assert.deepEqual(await withTimeout(got, 5000, 'three messages'), [
    ['blob one', true],
    ['text after it', false],
    ['blob two', false]
  ]);
  const [data, binary] = await withTimeout(once(ws, 'message'), 5000, 'a Blob');
  assert.ok(data instanceof Blob);
  assert.equal(binary, true);
  assert.equal(await data.text(), 'back');
  ws.close();
  await once(ws, 'close');
  wss.close();
});

// ------------------------------------------------------------------------------------------
// Protocol version 8 and the HTTP refusals (the engine's rules), compared with `ws`

async function rawResponse(port, head) {
  const sock = net.connect(port, HOST);
  sock.on('error', () => {});
  await once(sock, 'connect');
  const chunks = [];
  sock.on('data', (c) => chunks.push(c));
  sock.write(head);
  await withTimeout(once(sock, 'close'), 5000, 'the refusal');
  const text = Buffer.concat(chunks).toString('latin1');
  const [statusLine, ...rest] = text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n');
  const headers = Object.fromEntries(rest.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { statusLine, headers, body: text.slice(text.indexOf('\r\n\r\n') + 4) };
}

test('protocolVersion 8: the client sends it (and Sec-WebSocket-Origin), the server accepts it', T, async () => {
  const wss = new WebSocketServer({
    host: HOST,
    port: 0,
    verifyClient: (info) => info.origin === 'https://app.example'
  });
  await once(wss, 'listening');
  const seen = new Promise((resolve) => wss.on('connection', (ws, req) => resolve(req.headers)));
  const ws = new WebSocket(`ws://${HOST}:${wss.address().port}/`, { protocolVersion: 8, origin: 'https://app.example' });
  await opened(ws);
  const h = await seen;
  assert.equal(h['sec-websocket-version'], '8');
  assert.equal(h['sec-websocket-origin'], 'https://app.example');
  assert.equal(h.origin, undefined);
  ws.terminate();
  // `ws` as the client with version 8
  const other = new WS(`ws://${HOST}:${wss.address().port}/`, { protocolVersion: 8, origin: 'https://app.example' });
  await opened(other);
  other.terminate();
  assert.throws(() => new WebSocket(`ws://${HOST}:1/`, { protocolVersion: 7 }), {
    name: 'RangeError',
    message: 'Unsupported protocol version: 7 (supported versions: 8, 13)'
  });
  wss.close();
});

test('refused requests: status, headers and body as `ws` sends them (version, method, key, upgrade)', T, async () => {
  const ours = new WebSocketServer({ host: HOST, port: 0 });
  const theirs = new WS.WebSocketServer({ host: HOST, port: 0 });
  await Promise.all([once(ours, 'listening'), once(theirs, 'listening')]);
  const head = (over = {}, method = 'GET') => {
    const h = {
      Host: HOST,
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version': '13',
      ...over
    };
    return `${method} / HTTP/1.1\r\n` + Object.entries(h).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
  };
  const cases = [
    ['version 12', head({ 'Sec-WebSocket-Version': '12' }), 400],
    ['no version', head({ 'Sec-WebSocket-Version': null }), 400],
    ['POST', head({}, 'POST'), 405],
    ['bad key', head({ 'Sec-WebSocket-Key': 'short' }), 400],
    ['no Upgrade', head({ Upgrade: 'h2c' }), 400],
    // the missing Upgrade is reported first, as `ws` checks it before anything else
    ['no Upgrade, Host or key', head({ Upgrade: null, Host: null, 'Sec-WebSocket-Key': null }), 400],
    ['bad subprotocol list', head({ 'Sec-WebSocket-Protocol': 'a b' }), 400]
  ];
  for (const [what, raw, status] of cases) {
    const a = await rawResponse(ours.address().port, raw);
    const b = await rawResponse(theirs.address().port, raw);
    assert.equal(a.statusLine, b.statusLine, what);
    assert.equal(a.statusLine.split(' ')[1], String(status), what);
    assert.equal(a.body, b.body, what);
    assert.equal(a.headers['sec-websocket-version'], b.headers['sec-websocket-version'], what);
  }
  const post = await rawResponse(ours.address().port, head({}, 'POST'));
  assert.equal(post.headers.allow, 'GET');
  const v12 = await rawResponse(ours.address().port, head({ 'Sec-WebSocket-Version': '12' }));
  assert.equal(v12.headers['sec-websocket-version'], '13, 8');
  // with a 'wsClientError' listener the app answers; the error names the rule
  ours.once('wsClientError', (err, socket) => {
    assert.equal(err.message, 'Missing or invalid Sec-WebSocket-Version header');
    assert.equal(err.code, 'WS_ERR_HANDSHAKE_VERSION');
    assert.equal(err.status, 400);
    socket.end('HTTP/1.1 418 I\'m a Teapot\r\nContent-Length: 0\r\n\r\n');
  });
  const teapot = await rawResponse(ours.address().port, head({ 'Sec-WebSocket-Version': '12' }));
  assert.equal(teapot.statusLine, "HTTP/1.1 418 I'm a Teapot");
  ours.close();
  theirs.close();
});

test('invalid permessage-deflate offers: 400 and ws\'s body; a valid offer after an invalid one is taken', T, async () => {
  const ours = new WebSocketServer({ host: HOST, port: 0, perMessageDeflate: true });
  const theirs = new WS.WebSocketServer({ host: HOST, port: 0, perMessageDeflate: true });
  await Promise.all([once(ours, 'listening'), once(theirs, 'listening')]);
  ours.on('connection', () => assert.fail('no connection for an invalid offer'));
  const head = (extensions) =>
    `GET / HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
    `Sec-WebSocket-Extensions: ${extensions}\r\n\r\n`;
  for (const offer of ['permessage-deflate; server_max_window_bits=foo', 'permessage-deflate; client_max_window_bits=16',
    'permessage-deflate; unknown_param', 'permessage-deflate; server_no_context_takeover=1']) {
    const a = await rawResponse(ours.address().port, head(offer));
    const b = await rawResponse(theirs.address().port, head(offer));
    assert.equal(a.statusLine, 'HTTP/1.1 400 Bad Request', offer);
    assert.equal(a.statusLine, b.statusLine, offer);
    assert.equal(a.body, 'Invalid or unacceptable Sec-WebSocket-Extensions header', offer);
    assert.equal(a.body, b.body, offer);
  }
  // an app listening for 'wsClientError' gets the refusal instead, with the engine's reason
  ours.once('wsClientError', (err, socket) => {
    assert.equal(err.message, 'Invalid or unacceptable Sec-WebSocket-Extensions header');
    assert.equal(err.code, 'WS_ERR_HANDSHAKE_EXTENSIONS_HEADER');
    assert.equal(err.status, 400);
    assert.match(err.engineMessage, /RFC 7692 §5/);
    socket.end('HTTP/1.1 418 I\'m a Teapot\r\nContent-Length: 0\r\n\r\n');
  });
  const teapot = await rawResponse(ours.address().port, head('permessage-deflate; server_max_window_bits=foo'));
  assert.equal(teapot.statusLine, "HTTP/1.1 418 I'm a Teapot");
  // Where `ws` refuses the whole request, the engine declines only the invalid offer and takes
  // the client's next one (RFC 7692 §5: the server picks an offer it supports).
  ours.removeAllListeners('connection');
  const sock = net.connect(ours.address().port, HOST);
  await once(sock, 'connect');
  sock.write(head('permessage-deflate; server_max_window_bits=foo, permessage-deflate; server_no_context_takeover'));
  const [reply] = await withTimeout(once(sock, 'data'), 5000, 'the 101');
  assert.match(reply.toString('latin1'), /^HTTP\/1\.1 101 /);
  assert.match(reply.toString('latin1'), /\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n/);
  sock.destroy();
  // an unknown extension alone is declined, not refused, by both servers
  for (const server of [ours, theirs]) {
    const raw = net.connect(server.address().port, HOST);
    await once(raw, 'connect');
    raw.write(head('x-webkit-deflate-frame'));
    const [r] = await withTimeout(once(raw, 'data'), 5000, 'the 101');
    assert.match(r.toString('latin1'), /^HTTP\/1\.1 101 /);
    assert.doesNotMatch(r.toString('latin1'), /Sec-WebSocket-Extensions/i);
    raw.destroy();
  }
  ours.close();
  theirs.close();
});

test('maxHeadersCount: only the header lines Node gives the app are judged, server and client side, as ws', T, async () => {
  const results = [];
  for (const [name, Server] of [['wsprism', WebSocketServer], ['ws', WS.WebSocketServer]]) {
    const server = http.createServer();
    server.maxHeadersCount = 1;
    const wss = new Server({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      assert.deepEqual(req.headers, { foo: 'bar' });
      wss.handleUpgrade(req, socket, head, () => assert.fail(`${name}: no connection`));
    });
    await listening(server, 0, HOST);
    const req = http.get({ host: HOST, port: server.address().port, headers: { foo: 'bar', bar: 'baz', Connection: 'Upgrade', Upgrade: 'websocket' } });
    const [res] = await once(req, 'response');
    let body = '';
    for await (const c of res) body += c;
    results.push([res.statusCode, body]);
    await closeAll(server);
  }
  assert.deepEqual(results[0], [400, 'Invalid Upgrade header']);
  assert.deepEqual(results[0], results[1]);
  // client side: a 101 whose Upgrade line is past the request's maxHeadersCount
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'));
  });
  await listening(server, 0, HOST);
  for (const Client of [WebSocket, WS]) {
    const ws = new Client(`ws://${HOST}:${server.address().port}/`);
    ws._req.maxHeadersCount = 1;
    const error = failed(ws);
    const [res] = await once(ws, 'upgrade');
    assert.deepEqual(res.headers, { connection: 'Upgrade' });
    const err = await error;
    assert.equal(err.message, 'Invalid Upgrade header');
  }
  await closeAll(server);
});

// ------------------------------------------------------------------------------------------
// Error messages, classes and codes: the same bytes to our client and to `ws`'s

/** A server that completes the handshake, then writes `bytes` (server frames are unmasked). */
async function evilServer(bytes, { extensions } = {}) {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', (d) => {
      const key = /Sec-WebSocket-Key: (\S+)/i.exec(d.toString())[1];
      const accept = crypto.createHash('sha1').update(key + GUID).digest('base64');
      s.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n` +
          (extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : '') +
          '\r\n'
      );
      s.write(bytes);
      s.on('data', () => {});
    });
  });
  await listening(server, 0, HOST);
  return server;
}

/** The first error each client reports, with the close code its 'close' gives. */
async function errorOf(Client, port, options) {
  const ws = new Client(`ws://${HOST}:${port}/`, options);
  const [err] = await withTimeout(once(ws, 'error'), 5000, 'a protocol error');
  const [code] = await withTimeout(once(ws, 'close'), 5000, 'close after the error');
  return { err, code };
}

const frameCases = [
  ['reserved opcode', Buffer.from([0x85, 0x00]), 1002, 'WS_ERR_INVALID_OPCODE'],
  ['unexpected continuation', Buffer.from([0x80, 0x00]), 1002, 'WS_ERR_INVALID_OPCODE'],
  ['data frame inside a fragmented message', Buffer.from([0x01, 0x01, 0x61, 0x81, 0x01, 0x62]), 1002, 'WS_ERR_INVALID_OPCODE'],
  ['RSV1 without permessage-deflate', Buffer.from([0xc1, 0x01, 0x61]), 1002, 'WS_ERR_UNEXPECTED_RSV_1'],
  ['RSV2', Buffer.from([0xa1, 0x01, 0x61]), 1002, 'WS_ERR_UNEXPECTED_RSV_2_3'],
  ['fragmented ping', Buffer.from([0x09, 0x00]), 1002, 'WS_ERR_EXPECTED_FIN'],
  ['ping of 126 bytes', Buffer.concat([Buffer.from([0x89, 0x7e, 0x00, 0x7e]), Buffer.alloc(126)]), 1002, 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH'],
  ['close payload of 1 byte', Buffer.from([0x88, 0x01, 0x03]), 1002, 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH'],
  ['masked frame from a server', Buffer.from([0x81, 0x81, 1, 2, 3, 4, 0x60]), 1002, 'WS_ERR_UNEXPECTED_MASK'],
  ['invalid UTF-8 text', Buffer.from([0x81, 0x02, 0xc3, 0x28]), 1007, 'WS_ERR_INVALID_UTF8'],
  ['close code 1005 on the wire', Buffer.from([0x88, 0x02, 0x03, 0xed]), 1002, 'WS_ERR_INVALID_CLOSE_CODE'],
  ['close code 999', Buffer.from([0x88, 0x02, 0x03, 0xe7]), 1002, 'WS_ERR_INVALID_CLOSE_CODE'],
  // ws's words; the close frame says 1002, not ws's 1009: a 64-bit length with its top bit set
  // breaks RFC 6455 §5.2 ("the most significant bit MUST be 0") whatever the size limit
  ['a 2^63-byte length', Buffer.from([0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0]), 1002, 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH'],
  ['a 2^62-byte length', Buffer.from([0x82, 0x7f, 0x40, 0, 0, 0, 0, 0, 0, 0]), 1009, 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH'],
  ['over maxPayload', Buffer.concat([Buffer.from([0x82, 0x7e, 0x04, 0x01]), Buffer.alloc(1025)]), 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', { maxPayload: 1024 }],
  // four data frames (two of them empty) of one message, three allowed
  ['over maxFragments', Buffer.from([0x02, 0x01, 0x61, 0x00, 0x00, 0x00, 0x00, 0x80, 0x01, 0x62]), 1008, 'WS_ERR_TOO_MANY_BUFFERED_PARTS', { maxFragments: 3 }]
];

for (const [what, bytes, closeCode, code, options] of frameCases) {
  test(`client error for ${what}: ws's class, message and code; close code ${closeCode} sent, 1006 reported`, T, async () => {
    const server = await evilServer(bytes);
    const port = server.address().port;
    const ours = await errorOf(WebSocket, port, { perMessageDeflate: false, ...options });
    const theirs = await errorOf(WS, port, { perMessageDeflate: false, ...options });
    assert.equal(ours.err.constructor, theirs.err.constructor, 'class');
    assert.equal(ours.err.message, theirs.err.message, 'message');
    assert.equal(ours.err.code, theirs.err.code, 'code');
    assert.equal(ours.err.code, code);
    assert.equal(ours.code, theirs.code, "the 'close' code");
    assert.equal(ours.code, 1006);
    // the engine's facts ride along
    assert.equal(ours.err.closeCode, closeCode);
    assert.match(ours.err.rfcSection, /^RFC (6455|7692) §/);
    assert.equal(typeof ours.err.offset, 'number');
    assert.equal(typeof ours.err.engineMessage, 'string');
    await closeAll(server);
  });
}

test('server error for an unmasked client frame: ws\'s message and code, 1002 sent', T, async () => {
  const errors = [];
  for (const Server of [WebSocketServer, WS.WebSocketServer]) {
    const wss = new Server({ host: HOST, port: 0 });
    await once(wss, 'listening');
    const got = new Promise((resolve) => wss.on('connection', (ws) => ws.on('error', resolve)));
    const sock = net.connect(wss.address().port, HOST);
    sock.on('error', () => {});
    await once(sock, 'connect');
    const chunks = [];
    sock.on('data', (c) => chunks.push(c));
    sock.write(
      `GET / HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'
    );
    sock.write(Buffer.from([0x81, 0x02, 0x68, 0x69])); // unmasked
    errors.push(await withTimeout(got, 5000, 'server error'));
    await withTimeout(once(sock, 'close'), 5000, 'closed');
    const out = Buffer.concat(chunks);
    const frame = out.subarray(out.indexOf('\r\n\r\n') + 4);
    assert.deepEqual([...frame.subarray(0, 4)], [0x88, 0x02, 0x03, 0xea], 'close frame with 1002');
    wss.close();
  }
  const [ours, theirs] = errors;
  assert.equal(ours.constructor, theirs.constructor);
  assert.equal(ours.message, theirs.message);
  assert.equal(ours.message, 'Invalid WebSocket frame: MASK must be set');
  assert.equal(ours.code, 'WS_ERR_EXPECTED_MASK');
});

test('per-send mask: false: the client\'s frame goes out unmasked, as ws\'s, and the server fails it with 1002', T, async () => {
  const seen = [];
  for (const Client of [WebSocket, WS]) {
    const wss = new WebSocketServer({ host: HOST, port: 0 });
    await once(wss, 'listening');
    const server = new Promise((resolve) =>
      wss.on('connection', (ws) => {
        const chunks = [];
        ws._socket.prependListener('data', (c) => chunks.push(c));
        ws.on('error', (err) => ws.on('close', (code) => resolve({ err, code, bytes: Buffer.concat(chunks) })));
      })
    );
    const ws = new Client(`ws://${HOST}:${wss.address().port}`);
    ws.on('open', () => ws.send('hi', { mask: false }));
    try {
      const [code] = await withTimeout(once(ws, 'close'), 5000, 'client close');
      const s = await withTimeout(server, 5000, 'server close');
      seen.push({ client: code, server: s.code, head: s.bytes.subarray(0, 4).toString('hex'), message: s.err.message, code: s.err.code, range: s.err instanceof RangeError });
    } finally {
      ws.terminate();
      for (const c of wss.clients) c.terminate();
      wss.close();
    }
  }
  assert.deepEqual(seen[0], { client: 1002, server: 1006, head: '81026869', message: 'Invalid WebSocket frame: MASK must be set', code: 'WS_ERR_EXPECTED_MASK', range: true });
  assert.deepEqual(seen[0], seen[1], 'the same as ws');
});

test('handshake response errors: ws\'s messages for the same bad 101', T, async () => {
  const cases = [
    ['bad accept', () => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n', []],
    ['bad Upgrade', (a) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${a}\r\n\r\n`, []],
    ['subprotocol not requested', (a) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${a}\r\nSec-WebSocket-Protocol: chat\r\n\r\n`, []],
    ['subprotocol not offered', (a) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${a}\r\nSec-WebSocket-Protocol: other\r\n\r\n`, ['chat']],
    ['empty subprotocol', (a) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${a}\r\nSec-WebSocket-Protocol:\r\n\r\n`, ['chat']],
    ['no subprotocol', (a) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${a}\r\n\r\n`, ['chat']],
    ['extension not requested', (a) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${a}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`, []],
    ['403', () => 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n', []]
  ];
  for (const [what, response, protocols] of cases) {
    const server = net.createServer((s) => {
      s.on('error', () => {});
      s.once('data', (d) => {
        const key = /Sec-WebSocket-Key: (\S+)/i.exec(d.toString())[1];
        s.end(response(crypto.createHash('sha1').update(key + GUID).digest('base64')));
      });
    });
    await listening(server, 0, HOST);
    const url = `ws://${HOST}:${server.address().port}/`;
    const opts = { perMessageDeflate: false };
    const ours = await failed(new WebSocket(url, protocols, opts), what);
    const theirs = await failed(new WS(url, protocols, opts), what);
    assert.equal(ours.message, theirs.message, what);
    assert.equal(ours.constructor, theirs.constructor, what);
    await closeAll(server);
  }
});

test('API errors: ws\'s classes and messages for bad arguments', T, async () => {
  const wss = new WebSocketServer({ host: HOST, port: 0 });
  await once(wss, 'listening');
  const url = `ws://${HOST}:${wss.address().port}/`;
  const pairs = [];
  for (const Client of [WebSocket, WS]) {
    const got = [];
    const grab = (fn) => {
      try {
        fn();
        got.push(null);
      } catch (e) {
        got.push([e.constructor.name, e.message]);
      }
    };
    grab(() => new Client('ftp://x'));
    grab(() => new Client('ws://x/#frag'));
    grab(() => new Client(url, ['a', 'a']));
    grab(() => new Client(url, ['a b']));
    const ws = new Client(url);
    grab(() => ws.send('too early'));
    grab(() => ws.ping());
    await opened(ws);
    grab(() => ws.ping(Buffer.alloc(126)));
    grab(() => ws.close(1005));
    grab(() => ws.close(1000, 'x'.repeat(124)));
    grab(() => ws.close('1000'));
    ws.terminate();
    pairs.push(got);
  }
  assert.deepEqual(pairs[0], pairs[1]);
  wss.close();
});

/**
 * A wsprism server reached through a Duplex (each write arrives as its own chunk): writes the
 * upgrade request, then `chunks` one per turn; resolves with the server side's error and the
 * first bytes it wrote after the 101, or its messages when it reports no error.
 */
async function dribble(options, chunks) {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, ...options });
  const [clientEnd, serverEnd] = duplexPair();
  const out = [];
  clientEnd.on('data', (c) => out.push(c));
  clientEnd.on('end', () => clientEnd.end()); // the server ended its side: end ours (TCP would)
  const result = new Promise((resolve) => {
    wss.on('connection', (ws) => {
      const messages = [];
      ws.on('message', (d) => messages.push(d.length));
      ws.on('error', (err) => resolve({ err }));
      ws.on('close', (code) => resolve({ messages, code }));
    });
  });
  server.emit('connection', serverEnd);
  clientEnd.write(
    `GET / HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'
  );
  for (const c of chunks) {
    await new Promise((r) => setImmediate(r));
    clientEnd.write(c);
  }
  const r = await withTimeout(result, 5000, 'the server side ends');
  const bytes = Buffer.concat(out);
  r.frame = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
  wss.close();
  return r;
}

/** `frame` cut into pieces of `size` bytes. */
function pieces(frame, size) {
  const p = [];
  for (let i = 0; i < frame.length; i += size) p.push(frame.subarray(i, i + size));
  return p;
}

test('maxBufferedChunks and maxFragments: the engine enforces them, 1008 and ws\'s error; 0 is no limit', T, async () => {
  const close = [0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8];
  // A 100-byte frame (a small one, assembled by the engine) and a 40,000-byte one (joined by
  // the binding, which counts its pieces with the engine) in 10 chunks, 9 ending inside the frame.
  for (const size of [100, 40000]) {
    const frame = maskedFrame(2, Buffer.alloc(size, 7));
    const cut = pieces(frame, Math.ceil(frame.length / 10));
    assert.equal(cut.length, 10);
    const over = await dribble({ maxBufferedChunks: 8 }, cut);
    assert.ok(over.err, `a ${size}-byte frame in 10 chunks with maxBufferedChunks 8`);
    assert.equal(over.err.constructor, RangeError);
    assert.equal(over.err.message, 'Too many buffered chunks');
    assert.equal(over.err.code, 'WS_ERR_TOO_MANY_BUFFERED_PARTS');
    assert.equal(over.err.closeCode, 1008);
    assert.deepEqual([...over.frame.subarray(0, 4)], [0x88, 0x02, 0x03, 0xf0], 'close frame with 1008');
    const within = await dribble({ maxBufferedChunks: 9 }, [...cut, Buffer.from(close)]);
    assert.deepEqual(within.messages, [size]);
    const unlimited = await dribble({ maxBufferedChunks: 0 }, [...pieces(frame, 3), Buffer.from(close)]);
    assert.deepEqual(unlimited.messages, [size]);
  }
  // maxFragments: the default (131072) lets 1000 fragments through, 1000 is allowed, 999 not.
  const frags = [maskedFrame(2, 'a')];
  frags[0][0] = 0x02; // FIN clear
  for (let i = 0; i < 998; i++) {
    const f = maskedFrame(0, '');
    f[0] = 0x00;
    frags.push(f);
  }
  frags.push(maskedFrame(0, 'z'));
  const message = Buffer.concat([...frags, Buffer.from(close)]);
  assert.deepEqual((await dribble({}, [message])).messages, [2]);
  assert.deepEqual((await dribble({ maxFragments: 1000 }, [message])).messages, [2]);
  const few = await dribble({ maxFragments: 999 }, [message]);
  assert.equal(few.err.message, 'Too many message fragments');
  assert.equal(few.err.code, 'WS_ERR_TOO_MANY_BUFFERED_PARTS');
  assert.equal(few.err.constructor, RangeError);
  assert.deepEqual([...few.frame.subarray(0, 4)], [0x88, 0x02, 0x03, 0xf0]);
  // ws's reading of the option: `| 0`, 0 or less for none
  assert.deepEqual((await dribble({ maxFragments: -1 }, [message])).messages, [2]);
});
