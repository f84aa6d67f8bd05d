// App callbacks of the ws-compatible WebSocketServer that throw, reject or return bad values
// (handleProtocols, verifyClient sync and async, 'headers' listeners, a bad perMessageDeflate
// object): the process stays up, that handshake fails with the right HTTP status, the server
// emits 'error' with the app's error (or a typed one naming the bad value), nothing the app
// returned reaches the wire unchecked, and the next client is served. 127.0.0.1 only; every wait
// is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { withTimeout } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { WebSocketServer, WebSocket } = require('../../packages/wsprism');

const HOST = '127.0.0.1';
const T = { timeout: 30_000 };
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';


async function listen(options = {}) {
  const wss = new WebSocketServer({ host: HOST, port: 0, ...options });
  await once(wss, 'listening');
  return wss;
}

function close(wss) {
  return new Promise((resolve) => {
    for (const c of wss.clients) c.terminate();
    wss.close(() => resolve());
  });
}

/** Sends an upgrade request; resolves with the raw bytes the server answered until it closed. */
async function rawUpgrade(port, extraHeaders = '') {
  const sock = net.connect(port, HOST);
  sock.on('error', () => {});
  await once(sock, 'connect');
  const chunks = [];
  sock.on('data', (c) => {
    chunks.push(c);
    // a 101 keeps the connection open: the head is all we need
    if (/^HTTP\/1\.1 101 [\s\S]*\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1'))) sock.destroy();
  });
  sock.write(
    `GET / HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`
  );
  await withTimeout(once(sock, 'close'), 5000, 'the server answers and closes');
  const text = Buffer.concat(chunks).toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const [statusLine, ...lines] = head.split('\r\n');
  return { text, statusLine, lines, body: end === -1 ? '' : text.slice(end + 4) };
}

/** A real client exchanging a message: the server is still serving. */
async function assertServing(wss) {
  const ws = new WebSocket(`ws://${HOST}:${wss.address().port}/`);
  ws.on('error', () => {});
  await withTimeout(once(ws, 'open'), 5000, 'a later client connects');
  ws.close();
  await withTimeout(once(ws, 'close'), 5000, 'a later client closes');
}

/** The server's 'error' for the next failed handshake. */
function nextError(wss) {
  return withTimeout(once(wss, 'error').then(([e]) => e), 5000, "the server's 'error'");
}

test('handleProtocols that throws: 500, the thrown error on the server, next client served', T, async () => {
  const boom = new Error('boom');
  const wss = await listen({
    handleProtocols(protocols) {
      if (protocols.has('explode')) throw boom;
      return false;
    }
  });
  const err = nextError(wss);
  const r = await rawUpgrade(wss.address().port, 'Sec-WebSocket-Protocol: explode\r\n');
  assert.equal(r.statusLine, 'HTTP/1.1 500 Internal Server Error');
  assert.ok(r.lines.includes('Connection: close'));
  assert.equal(await err, boom);
  await assertServing(wss);
  await close(wss);
});

test('handleProtocols returning CR/LF, a non-token or a non-string: 500 + typed error, never sent', T, async () => {
  for (const [value, code] of [
    ['chat\r\nSet-Cookie: stolen=1', 'ERR_INVALID_HTTP_TOKEN'],
    ['two words', 'ERR_INVALID_HTTP_TOKEN'],
    [42, 'ERR_INVALID_RETURN_VALUE'],
    [{ toString: () => 'chat' }, 'ERR_INVALID_RETURN_VALUE']
  ]) {
    const wss = await listen({ handleProtocols: () => value });
    const err = nextError(wss);
    const r = await rawUpgrade(wss.address().port, 'Sec-WebSocket-Protocol: chat\r\n');
    assert.equal(r.statusLine, 'HTTP/1.1 500 Internal Server Error', JSON.stringify(value));
    assert.ok(!/stolen|words/.test(r.text), r.text);
    const e = await err;
    assert.ok(e instanceof TypeError);
    assert.equal(e.code, code);
    await assertServing(wss);
    await close(wss);
  }
  // a token the client did not offer is sent, as ws sends it (the client fails the connection)
  const other = await listen({ handleProtocols: () => 'superchat' });
  const sent = await rawUpgrade(other.address().port, 'Sec-WebSocket-Protocol: chat\r\n');
  assert.equal(sent.statusLine, 'HTTP/1.1 101 Switching Protocols');
  assert.ok(sent.lines.includes('Sec-WebSocket-Protocol: superchat'));
  const client = new WebSocket(`ws://${HOST}:${other.address().port}/`, ['chat']);
  const [clientErr] = await withTimeout(once(client, 'error'), 5000, 'the client refuses it');
  assert.equal(clientErr.message, 'Server sent an invalid subprotocol');
  await close(other);
  // a good choice still works
  const wss = await listen({ handleProtocols: (p) => (p.has('b') ? 'b' : false) });
  const r = await rawUpgrade(wss.address().port, 'Sec-WebSocket-Protocol: a, b\r\n');
  assert.equal(r.statusLine, 'HTTP/1.1 101 Switching Protocols');
  assert.ok(r.lines.includes('Sec-WebSocket-Protocol: b'));
  await close(wss);
});

test('verifyClient (sync) that throws: 500 + error; returning false: 401 as in ws', T, async () => {
  let mode = 'throw';
  const boom = new TypeError('cannot read the cookie');
  const wss = await listen({
    verifyClient() {
      if (mode === 'throw') throw boom;
      return mode === 'accept';
    }
  });
  const err = nextError(wss);
  let r = await rawUpgrade(wss.address().port);
  assert.equal(r.statusLine, 'HTTP/1.1 500 Internal Server Error');
  assert.equal(await err, boom);
  mode = 'refuse';
  r = await rawUpgrade(wss.address().port);
  assert.equal(r.statusLine, 'HTTP/1.1 401 Unauthorized');
  assert.equal(r.body, 'Unauthorized');
  mode = 'accept';
  await assertServing(wss);
  await close(wss);
});

test('verifyClient (async callback): refusal with status, message and headers; bad ones fail with 500', T, async () => {
  let answer;
  const wss = await listen({ verifyClient: (info, cb) => answer(info, cb) });
  const port = wss.address().port;

  answer = (info, cb) => setImmediate(() => cb(false, 403, 'Forbidden here', { 'X-Reason': 'origin', 'Retry-After': 120 }));
  let r = await rawUpgrade(port);
  assert.equal(r.statusLine, 'HTTP/1.1 403 Forbidden');
  assert.ok(r.lines.includes('X-Reason: origin'));
  assert.ok(r.lines.includes('Retry-After: 120'));
  assert.equal(r.body, 'Forbidden here');

  // a header value with CR/LF: not written (no injected Set-Cookie), 500, the engine's code
  answer = (info, cb) => cb(false, 403, 'no', { 'X-A': 'b\r\nSet-Cookie: stolen=1' });
  let err = nextError(wss);
  r = await rawUpgrade(port);
  assert.equal(r.statusLine, 'HTTP/1.1 500 Internal Server Error');
  assert.ok(!/stolen/i.test(r.text), r.text);
  let e = await err;
  assert.ok(e instanceof TypeError);
  assert.equal(e.code, 'ERR_INVALID_CHAR');

  // a header name that is not a token
  answer = (info, cb) => cb(false, 403, 'no', { 'Bad Name': 'x' });
  err = nextError(wss);
  r = await rawUpgrade(port);
  assert.equal(r.statusLine, 'HTTP/1.1 500 Internal Server Error');
  assert.equal((await err).code, 'ERR_INVALID_HTTP_TOKEN');

  // a status that is not an HTTP error status
  for (const code of [99, 101, 1000, 403.5, '403']) {
    answer = (info, cb) => cb(false, code);
    err = nextError(wss);
    r = await rawUpgrade(port);
    assert.equal(r.statusLine, 'HTTP/1.1 500 Internal Server Error', String(code));
    e = await err;
    assert.ok(e instanceof RangeError);
    assert.equal(e.code, 'ERR_HTTP_INVALID_STATUS_CODE');
  }

  // a callback that throws before answering, and one answering twice (the second is ignored)
  const boom = new Error('database down');
  answer = () => {
    throw boom;
  };
  err = nextError(wss);
  r = await rawUpgrade(port);
  assert.equal(r.statusLine, 'HTTP/1.1 500 Internal Server Error');
  assert.equal(await err, boom);
  answer = (info, cb) => {
    cb(false, 403);
    cb(true);
  };
  r = await rawUpgrade(port);
  assert.equal(r.statusLine, 'HTTP/1.1 403 Forbidden');

  // an async function that rejects (an unhandled rejection would end the process)
  answer = async () => {
    await null;
    throw boom;
  };
  err = nextError(wss);
  r = await rawUpgrade(port);
  assert.equal(r.statusLine, 'HTTP/1.1 500 Internal Server Error');
  assert.equal(await err, boom);

  answer = (info, cb) => setImmediate(() => cb(true));
  await assertServing(wss);
  await close(wss);
});

test('verifyClient returning a promise (one argument): its value decides, its rejection is a 500', T, async () => {
  let next;
  const wss = await listen({ verifyClient: async () => next() });
  const port = wss.address().port;
  next = () => false; // `ws` would treat the (truthy) promise as an acceptance
  let r = await rawUpgrade(port);
  assert.equal(r.statusLine, 'HTTP/1.1 401 Unauthorized');
  const boom = new Error('rejected');
  next = () => {
    throw boom;
  };
  const err = nextError(wss);
  r = await rawUpgrade(port);
  assert.equal(r.statusLine, 'HTTP/1.1 500 Internal Server Error');
  assert.equal(await err, boom);
  next = () => true;
  await assertServing(wss);
  await close(wss);
});

test("'headers' listeners: added lines are sent; a throw, a non-header or CR/LF fails with 500", T, async () => {
  let listener;
  const wss = await listen();
  wss.on('headers', (lines, req) => listener(lines, req));
  const port = wss.address().port;

  listener = (lines, req) => {
    assert.equal(lines[0], 'HTTP/1.1 101 Switching Protocols');
    assert.ok(req instanceof http.IncomingMessage);
    lines.push('Set-Cookie: session=1');
  };
  let r = await rawUpgrade(port);
  assert.equal(r.statusLine, 'HTTP/1.1 101 Switching Protocols');
  assert.ok(r.lines.includes(`Sec-WebSocket-Accept: ${ACCEPT}`));
  assert.ok(r.lines.includes('Set-Cookie: session=1'));

  const boom = new Error('listener failed');
  for (const [bad, code] of [
    [() => { throw boom; }, undefined],
    [(lines) => lines.push('X-Evil: a\r\nSet-Cookie: stolen=1'), 'ERR_INVALID_CHAR'],
    [(lines) => lines.push('no colon here'), 'ERR_INVALID_ARG_VALUE'],
    [(lines) => lines.push(42), 'ERR_INVALID_ARG_VALUE'],
    [(lines) => lines.push('Bad Name: x'), 'ERR_INVALID_HTTP_TOKEN']
  ]) {
    listener = bad;
    const err = nextError(wss);
    r = await rawUpgrade(port);
    assert.equal(r.statusLine, 'HTTP/1.1 500 Internal Server Error');
    assert.ok(!/stolen/.test(r.text), r.text);
    const e = await err;
    if (code === undefined) assert.equal(e, boom);
    else assert.equal(e.code, code);
  }
  listener = () => {};
  await assertServing(wss);
  await close(wss);
});

test('a bad perMessageDeflate object: 500 + RangeError for clients that offer compression, others served', T, async () => {
  const wss = await listen({ perMessageDeflate: { serverMaxWindowBits: 99 } });
  const port = wss.address().port;
  const err = nextError(wss);
  const r = await rawUpgrade(port, 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n');
  assert.equal(r.statusLine, 'HTTP/1.1 500 Internal Server Error');
  const e = await err;
  assert.ok(e instanceof RangeError);
  assert.equal(e.code, 'ERR_OUT_OF_RANGE');
  assert.match(e.message, /serverMaxWindowBits/);
  // a client that does not offer permessage-deflate never reaches the bad option
  const plain = await rawUpgrade(port);
  assert.equal(plain.statusLine, 'HTTP/1.1 101 Switching Protocols');
  await close(wss);
});

test("with no 'error' listener the failure is a process warning, not a crash", T, async () => {
  const wss = await listen({
    handleProtocols() {
      throw new Error('unlistened');
    }
  });
  const warned = withTimeout(once(process, 'warning'), 5000, 'a process warning');
  const r = await rawUpgrade(wss.address().port, 'Sec-WebSocket-Protocol: chat\r\n');
  assert.equal(r.statusLine, 'HTTP/1.1 500 Internal Server Error');
  const [w] = await warned;
  assert.equal(w.message, 'unlistened');
  await close(wss);
});
