// Misbehaving peers: the server answers with the right close code, stays up, and stays bounded.
// Every server listens on 127.0.0.1, port 0; every wait is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import net from 'node:net';
import crypto from 'node:crypto';
import { withTimeout } from './helpers.mjs';

const require = createRequire(import.meta.url);
const pkg = require('../../packages/wsprism');
const OurServer = pkg.WebSocketServer ?? require('../../packages/wsprism/lib/websocket-server.js');
const OurClient = pkg.WebSocket ?? require('../../packages/wsprism/lib/websocket.js');
const WsClient = require('ws').WebSocket;

const HOST = '127.0.0.1';
const T = { timeout: 30_000 };
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';


/** Like events.once, but does not reject on 'error' (peers here are expected to fail). */
function on(emitter, name) {
  return new Promise((resolve) => emitter.once(name, (...args) => resolve(args)));
}

async function listen(options = {}) {
  const server = new OurServer({ host: HOST, port: 0, ...options });
  await once(server, 'listening');
  return server;
}

function closeServer(server) {
  return new Promise((resolve) => {
    for (const c of server.clients ?? []) c.terminate();
    server.close(() => resolve());
  });
}

const upgradeHead =
  `GET / HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`;

/** A raw TCP peer that completes the handshake; `rest()` gives what the server sent afterwards. */
async function rawPeer(port) {
  const sock = net.connect(port, HOST);
  sock.on('error', () => {});
  await once(sock, 'connect');
  let buf = Buffer.alloc(0);
  let headDone = false;
  let closed = false;
  const frames = [];
  sock.on('data', (c) => {
    buf = Buffer.concat([buf, c]);
    if (!headDone) {
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      assert.match(buf.subarray(0, i).toString('latin1'), /^HTTP\/1\.1 101 /);
      headDone = true;
      buf = buf.subarray(i + 4);
      sock.emit('handshake');
    }
    frames.push(buf);
    buf = Buffer.alloc(0);
  });
  sock.on('close', () => (closed = true));
  sock.write(upgradeHead);
  await withTimeout(once(sock, 'handshake'), 5000, 'handshake');
  return {
    sock,
    rest: () => Buffer.concat(frames),
    isClosed: () => closed,
    async closedByServer(ms = 5000) {
      if (!closed) await withTimeout(on(sock, 'close'), ms, 'server closes the connection');
      return Buffer.concat(frames);
    }
  };
}

/** A masked client frame. */
function frame(opcode, payload, { fin = true, rsv = 0, mask = true } = {}) {
  const len = payload.length;
  const head = [((fin ? 0x80 : 0) | rsv | opcode) & 0xff];
  let ext = Buffer.alloc(0);
  const m = mask ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) {
    head.push(m | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(len);
  } else {
    head.push(m | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(len));
  }
  const key = crypto.randomBytes(4);
  const body = Buffer.from(payload);
  if (mask) for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
  return Buffer.concat([Buffer.from(head), ext, mask ? key : Buffer.alloc(0), body]);
}

/** The close code in the first frame the server sent (an unmasked close frame). */
function closeCodeOf(bytes) {
  assert.ok(bytes.length >= 4, `expected a close frame, got ${bytes.toString('hex')}`);
  assert.equal(bytes[0], 0x88, `expected a close frame, got ${bytes.toString('hex')}`);
  return bytes.readUInt16BE(2);
}

async function assertServing(server) {
  const ws = new WsClient(`ws://${HOST}:${server.address().port}/`);
  ws.on('error', () => {});
  await withTimeout(once(ws, 'open'), 5000, 'a new connection after the bad peer');
  const got = once(ws, 'message');
  ws.send('still here');
  const [data] = await withTimeout(got, 5000, 'echo');
  assert.equal(data.toString(), 'still here');
  ws.close();
  await withTimeout(once(ws, 'close'), 5000, 'close');
}

function echo(server, { errorListener = true } = {}) {
  const seen = { closes: [], errors: [] };
  server.on('connection', (ws) => {
    if (errorListener) ws.on('error', (e) => seen.errors.push(e));
    ws.on('message', (d, b) => ws.send(d, { binary: b }));
    ws.on('close', (code) => seen.closes.push(code));
  });
  return seen;
}

test('garbage after a valid handshake: close 1002, server keeps serving', T, async () => {
  const server = await listen();
  const seen = echo(server);
  for (let i = 0; i < 5; i++) {
    const p = await rawPeer(server.address().port);
    // reserved opcode 0xF then random bytes
    p.sock.write(Buffer.concat([Buffer.from([0x8f, 0x80, 1, 2, 3, 4]), crypto.randomBytes(512)]));
    const out = await p.closedByServer();
    assert.equal(closeCodeOf(out), 1002);
  }
  // pure random garbage (whatever the first byte says, it is a protocol error or needs more)
  for (let i = 0; i < 10; i++) {
    const p = await rawPeer(server.address().port);
    p.sock.end(crypto.randomBytes(4096));
    await p.closedByServer();
  }
  await assertServing(server);
  assert.ok(seen.errors.every((e) => /^WS_ERR_/.test(e.code)), 'errors carry WS_ERR_* codes');
  assert.ok(seen.errors.length >= 5);
  assert.ok(seen.errors.filter((e) => e.closeCode === 1002).length >= 5, 'the code sent is on the error');
  // The failing side never received a close frame: its 'close' code is 1006 (RFC 6455 §7.1.5).
  // (1005: assertServing's clean close)
  assert.ok(seen.closes.filter((c) => c === 1006).length >= 5, String(seen.closes));
  assert.ok(seen.closes.every((c) => c === 1006 || c === 1005), String(seen.closes));
  await closeServer(server);
});

test('unmasked client frame -> 1002; invalid UTF-8 -> 1007; bad close code -> 1002', T, async () => {
  const server = await listen();
  echo(server);
  const port = server.address().port;
  let p = await rawPeer(port);
  p.sock.write(frame(1, Buffer.from('hi'), { mask: false }));
  assert.equal(closeCodeOf(await p.closedByServer()), 1002);
  p = await rawPeer(port);
  p.sock.write(frame(1, Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xed, 0xa0, 0x80])));
  assert.equal(closeCodeOf(await p.closedByServer()), 1007);
  p = await rawPeer(port);
  p.sock.write(frame(8, Buffer.from([0x03, 0xed]))); // 1005 may not be sent
  assert.equal(closeCodeOf(await p.closedByServer()), 1002);
  await assertServing(server);
  await closeServer(server);
});

test('a frame declaring 2^63 bytes -> 1002; 2^62 bytes -> 1009 (over maxPayload)', T, async () => {
  const server = await listen({ maxPayload: 1024 * 1024 });
  const seen = echo(server);
  const port = server.address().port;
  let p = await rawPeer(port);
  p.sock.write(Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]));
  assert.equal(closeCodeOf(await p.closedByServer()), 1002);
  p = await rawPeer(port);
  p.sock.write(Buffer.from([0x82, 0xff, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]));
  assert.equal(closeCodeOf(await p.closedByServer()), 1009);
  // just over maxPayload in many small fragments: 1009 too, memory bounded by maxPayload
  p = await rawPeer(port);
  const piece = Buffer.alloc(64 * 1024, 0x61);
  p.sock.write(frame(2, piece, { fin: false }));
  for (let i = 0; i < 20 && !p.isClosed(); i++) p.sock.write(frame(0, piece, { fin: false }));
  assert.equal(closeCodeOf(await p.closedByServer()), 1009);
  await assertServing(server);
  // sent 1002, 1009, 1009 (checked above, byte for byte); each side that fails reports 1006
  assert.deepEqual(seen.closes.slice(0, 3), [1006, 1006, 1006]);
  assert.deepEqual(seen.errors.slice(0, 3).map((e) => e.closeCode), [1002, 1009, 1009]);
  assert.equal(seen.errors[0].code, 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH');
  // 2^62 is past 2^53 - 1: ws's "unsupported" code; over maxPayload in fragments: ws's "max payload"
  assert.equal(seen.errors[1].code, 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH');
  assert.equal(seen.errors[2].code, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
  await closeServer(server);
});

test('a peer dribbling the upgrade request one byte at a time is cut off; server stays up', T, async () => {
  const server = await listen({ handshakeTimeout: 1500 });
  echo(server);
  const sock = net.connect(server.address().port, HOST);
  sock.on('error', () => {});
  await once(sock, 'connect');
  const bytes = Buffer.from(upgradeHead.replace('\r\n\r\n', '\r\nX-Pad: ' + 'p'.repeat(200) + '\r\n\r\n'));
  let i = 0;
  let closed = false;
  sock.on('close', () => (closed = true));
  const started = Date.now();
  const timer = setInterval(() => {
    if (closed || sock.destroyed || i >= bytes.length) return clearInterval(timer);
    sock.write(bytes.subarray(i, i + 1));
    i++;
  }, 20);
  // meanwhile, others are served
  await assertServing(server);
  await withTimeout(on(sock, 'close'), 8000, 'the dribbling peer is disconnected');
  clearInterval(timer);
  const elapsed = Date.now() - started;
  assert.ok(i < bytes.length, `cut off before the head was complete (${i}/${bytes.length} bytes)`);
  assert.ok(elapsed < 6000, `within the limit (${elapsed} ms)`);
  await assertServing(server);
  await closeServer(server);
});

test('an upgrade whose verifyClient never answers is cut off by handshakeTimeout', T, async () => {
  const server = await listen({ handshakeTimeout: 1000, verifyClient: (info, cb) => {} });
  const sock = net.connect(server.address().port, HOST);
  sock.on('error', () => {});
  await once(sock, 'connect');
  sock.write(upgradeHead);
  await withTimeout(on(sock, 'close'), 5000, 'hanging handshake cut off');
  await closeServer(server);
});

test('an oversized upgrade header is refused (431), server stays up', T, async () => {
  const server = await listen();
  echo(server);
  const sock = net.connect(server.address().port, HOST);
  sock.on('error', () => {});
  await once(sock, 'connect');
  const chunks = [];
  sock.on('data', (c) => chunks.push(c));
  sock.write(upgradeHead.replace('\r\n\r\n', `\r\nX-Big: ${'b'.repeat(12 * 1024)}\r\n\r\n`));
  await withTimeout(on(sock, 'close'), 5000, 'oversized header refused');
  assert.match(Buffer.concat(chunks).toString('latin1'), /^HTTP\/1\.1 431 /);
  await assertServing(server);
  await closeServer(server);
});

test('an app with no error listener survives protocol errors (server and client)', T, async () => {
  const server = await listen();
  const seen = echo(server, { errorListener: false });
  const port = server.address().port;
  const sent = [];
  for (const bad of [
    Buffer.from([0x83, 0x80, 0, 0, 0, 0]), // reserved opcode
    frame(1, Buffer.from([0xff])), // invalid UTF-8
    frame(9, Buffer.alloc(126)), // ping too long
    Buffer.from([0xc1, 0x80, 0, 0, 0, 0]) // RSV1 without deflate
  ]) {
    const p = await rawPeer(port);
    p.sock.write(bad);
    sent.push(closeCodeOf(await p.closedByServer()));
  }
  await assertServing(server);
  assert.deepEqual(sent, [1002, 1007, 1002, 1002]);
  assert.deepEqual(seen.closes.slice(0, 4), [1006, 1006, 1006, 1006]);

  // our client, no 'error' listener, against a server that sends a masked frame
  const evil = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', (d) => {
      const key = /Sec-WebSocket-Key: (\S+)/i.exec(d.toString())[1];
      const accept = crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      s.write(Buffer.from([0x81, 0x82, 1, 2, 3, 4, 0x69, 0x6b])); // masked text from a server
      s.on('data', () => {});
    });
  });
  await new Promise((r) => evil.listen(0, HOST, r));
  const ws = new OurClient(`ws://${HOST}:${evil.address().port}/`);
  const [code] = await withTimeout(on(ws, 'close'), 5000, 'client close');
  assert.equal(code, 1006); // it sent 1002 and never received a close frame
  // a refused connection with no error listener does not crash either
  const port2 = evil.address().port;
  await new Promise((r) => evil.close(r));
  const ws2 = new OurClient(`ws://${HOST}:${port2}/`);
  const [code2] = await withTimeout(on(ws2, 'close'), 5000, 'refused');
  assert.equal(code2, 1006);
  await closeServer(server);
});

test('many bad peers at once: bounded, server keeps serving', T, async () => {
  const server = await listen({ maxPayload: 64 * 1024 });
  echo(server);
  const port = server.address().port;
  const peers = await Promise.all(Array.from({ length: 20 }, () => rawPeer(port)));
  // half declare 2^63 bytes, half send random bytes and their FIN
  peers.forEach((p, i) => (i % 2 ? p.sock.write(Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])) : p.sock.end(crypto.randomBytes(2048))));
  await Promise.all(peers.map((p) => p.closedByServer(10_000)));
  await assertServing(server);
  await closeServer(server);
});
