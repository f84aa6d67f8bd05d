// Native state under connection churn (issue: a server whose clients come and go must not hold
// their decoders, encoders and permessage-deflate state until V8 happens to collect them).
//
// Deterministic: no timing and no RSS figures. `liveStates()` counts the engine's live decoders,
// encoders and allocated inflate/deflate states; after connections end in every way a connection
// can end, it must be back where it started. Every WebSocket object (both sides) is kept
// reachable until the check, so a garbage collection cannot free anything behind the test's
// back: only the deterministic release on close can bring the counts down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { once } from 'node:events';

const require = createRequire(import.meta.url);
const pkg = require('../../packages/wsprism');
const { WebSocketServer, WebSocket, liveStates, Decoder, Encoder } = pkg;
const WS = require('ws');

const HOST = '127.0.0.1';
const T = { timeout: 120_000 };
const keep = []; // every socket object of every test, so nothing is collected early
let active = null; // liveStates() while the last connection was open, after its echo

async function server(options = {}) {
  const wss = new WebSocketServer({
    host: HOST,
    port: 0,
    perMessageDeflate: { threshold: 0 },
    verifyClient: (info) => !info.req.url.startsWith('/refuse'),
    ...options,
  });
  await once(wss, 'listening');
  const ended = [];
  wss.on('connection', (ws) => {
    keep.push(ws);
    ws.on('error', () => {});
    ended.push(new Promise((resolve) => ws.once('close', resolve)));
    ws.on('message', (data, binary) => {
      if (ws.readyState === ws.OPEN) ws.send(data, { binary });
    });
  });
  return { wss, url: `ws://${HOST}:${wss.address().port}`, ended };
}

function stop(wss) {
  return new Promise((resolve) => wss.close(() => resolve()));
}

/** One client connection of `kind`; resolves when the client side has closed. */
async function connect(url, kind, Client = WebSocket) {
  const path = kind === 'refused' ? '/refuse' : '/';
  const ws = new Client(url + path, { perMessageDeflate: { threshold: 0 } });
  keep.push(ws);
  ws.on('error', () => {});
  // Not once(): it rejects on an 'error' event, which a refused handshake emits first.
  const closed = new Promise((resolve) => ws.once('close', resolve));
  if (kind === 'refused') {
    await closed;
    return;
  }
  await once(ws, 'open');
  // A compressed message each way, so both sides allocate their inflate and deflate state.
  ws.send('x'.repeat(200));
  await once(ws, 'message');
  active = liveStates();
  switch (kind) {
    case 'close':
      ws.close(1000, 'bye');
      break;
    case 'server-close':
      ws.send('please close');
      break;
    case 'terminate':
      ws.terminate();
      break;
    case 'reset':
      ws._socket.resetAndDestroy();
      break;
    case 'protocol-error':
      // A masked frame with the reserved opcode 0x5: the server fails the connection (1002).
      ws._socket.write(Buffer.from([0x85, 0x80, 1, 2, 3, 4]));
      break;
    default:
      throw new Error(kind);
  }
  await closed;
}

const KINDS = ['close', 'server-close', 'terminate', 'reset', 'protocol-error', 'refused'];

test('Decoder and Encoder free() release native state at once; use after free throws', () => {
  const start = liveStates();
  const d = new Decoder({ perMessageDeflate: {} });
  const e = new Encoder({ perMessageDeflate: {} });
  assert.equal(liveStates().decoders, start.decoders + 1);
  assert.equal(liveStates().encoders, start.encoders + 1);
  const wire = new Encoder({ role: 'client', perMessageDeflate: {} });
  const frame = wire.message('hello hello hello', { compress: true });
  wire.free();
  assert.equal(d.push(frame)[0].data.toString(), 'hello hello hello');
  e.message('hello', { compress: true });
  assert.equal(liveStates().inflaters, start.inflaters + 1);
  assert.equal(liveStates().deflaters, start.deflaters + 1);
  d.free();
  e.free();
  d.free(); // idempotent
  assert.deepEqual(liveStates(), start);
  assert.throws(() => d.push(Buffer.alloc(2)), { code: 'ERR_INVALID_STATE' });
  assert.throws(() => e.message('x'), { code: 'ERR_INVALID_STATE' });
  assert.throws(() => d.offset, { code: 'ERR_INVALID_STATE' });
  // Symbol.dispose (explicit resource management) frees too.
  const d2 = new Decoder();
  d2[Symbol.dispose]();
  assert.deepEqual(liveStates(), start);
});

test('a close frame releases the compression state even before the object is freed', () => {
  const start = liveStates();
  const enc = new Encoder({ perMessageDeflate: {} });
  enc.message('abc', { compress: true });
  assert.equal(liveStates().deflaters, start.deflaters + 1);
  enc.close(1000, '');
  assert.equal(liveStates().deflaters, start.deflaters);
  enc.free();
  assert.deepEqual(liveStates(), start);
});

for (const kind of KINDS) {
  test(`connections ending by '${kind}' release every native state (both sides)`, T, async () => {
    const start = liveStates();
    const s = await server();
    s.wss.on('connection', (ws) => ws.on('message', (m) => String(m) === 'please close' && ws.close(1001)));
    active = null;
    for (let i = 0; i < 20; i++) await connect(s.url, kind);
    await Promise.all(s.ended);
    await stop(s.wss);
    if (kind !== 'refused') {
      assert.equal(s.ended.length, 20);
      // While open, both sides held an inflate and a deflate state (the test is not vacuous).
      assert.ok(active.inflaters >= start.inflaters + 2, JSON.stringify(active));
      assert.ok(active.deflaters >= start.deflaters + 2, JSON.stringify(active));
    } else {
      assert.equal(s.ended.length, 0);
    }
    assert.deepEqual(liveStates(), start, `live native states after 20 '${kind}' connections`);
  });
}

test('the client side against a `ws` server releases its state too', T, async () => {
  const start = liveStates();
  const wss = new WS.WebSocketServer({ host: HOST, port: 0, perMessageDeflate: { threshold: 0 } });
  await once(wss, 'listening');
  wss.on('connection', (ws) => ws.on('message', (d, binary) => ws.send(d, { binary })));
  const url = `ws://${HOST}:${wss.address().port}`;
  for (const kind of ['close', 'terminate', 'reset']) {
    for (let i = 0; i < 10; i++) {
      await connect(url, kind);
      assert.ok(active.inflaters >= start.inflaters + 1 && active.deflaters >= start.deflaters + 1);
    }
  }
  await new Promise((resolve) => wss.close(resolve));
  assert.deepEqual(liveStates(), start);
});

test('churn: 3,000 connections with permessage-deflate, 50 at a time, leave no native state', T, async () => {
  const start = liveStates();
  const s = await server();
  let peak = 0;
  const kinds = ['close', 'terminate', 'reset'];
  for (let batch = 0; batch < 60; batch++) {
    const clients = [];
    for (let i = 0; i < 50; i++) clients.push(connect(s.url, kinds[(batch + i) % kinds.length], WS.WebSocket));
    await Promise.all(clients);
    peak = Math.max(peak, active.deflaters - start.deflaters);
  }
  await Promise.all(s.ended);
  await stop(s.wss);
  assert.equal(s.ended.length, 3000);
  // The server did compress (its deflate states existed), and all of them are gone.
  assert.ok(peak >= 1, `peak live deflaters ${peak}`);
  assert.deepEqual(liveStates(), start);
});
