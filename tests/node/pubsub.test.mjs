// Topics and publish (issue 13): ws.subscribe/unsubscribe/isSubscribed/topics/publish,
// wss.publish/subscriberCount, plain and permessage-deflate (dedicated and shared compressor),
// publish from inside a message handler, a subscriber gone mid-publish, 10,000 subscribers
// (a child process holds the clients), and heartbeats (idleTimeout, sendPings, maxLifetime).
// Deterministic: outcomes and order are asserted; time only as generous upper bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { withTimeout } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { WebSocketServer, WebSocket, Encoder, liveStates } = require('../../packages/wsprism');
const WS = require('ws');

const HOST = '127.0.0.1';
const T = { timeout: 60_000 };

async function server(options = {}) {
  const wss = new WebSocketServer({ host: HOST, port: 0, ...options });
  await once(wss, 'listening');
  return { wss, url: `ws://${HOST}:${wss.address().port}` };
}
const stop = (wss) => new Promise((resolve) => wss.close(() => resolve()));

/** `n` clients of `Client`, each subscribed (server side) to `topics`; resolves when all are. */
async function clients(s, n, topics, Client = WebSocket, opts = {}) {
  const list = [];
  const subscribed = new Promise((resolve) => {
    let k = 0;
    const on = (ws) => {
      for (const t of topics) ws.subscribe(t);
      if (++k === n) {
        s.wss.off('connection', on);
        resolve();
      }
    };
    s.wss.on('connection', on);
  });
  for (let i = 0; i < n; i++) {
    const c = new Client(s.url, opts);
    c.got = [];
    c.on('message', (m, binary) => c.got.push([String(m), binary]));
    // The server's Sec-WebSocket-Extensions answer (ws's `extensions` has only the names).
    c.on('upgrade', (res) => (c.agreed = res.headers['sec-websocket-extensions'] || ''));
    list.push(c);
  }
  await Promise.all(list.map((c) => once(c, 'open')));
  await subscribed;
  return list;
}
const until = (pred, what) =>
  withTimeout(
    new Promise((resolve) => {
      const t = setInterval(() => pred() && (clearInterval(t), resolve()), 5);
    }),
    20_000,
    what
  );

test('topics: subscribe, unsubscribe, isSubscribed, topics, subscriberCount; ended by close', T, async () => {
  const s = await server();
  const seen = new Promise((resolve) => s.wss.once('connection', resolve));
  const c = new WebSocket(s.url);
  const ws = await seen;
  assert.equal(ws.subscribe('a'), true);
  assert.equal(ws.subscribe('a'), false);
  assert.equal(ws.subscribe('b'), true);
  assert.deepEqual(ws.topics, ['a', 'b']);
  assert.equal(ws.isSubscribed('a'), true);
  assert.equal(s.wss.subscriberCount('a'), 1);
  assert.equal(ws.unsubscribe('a'), true);
  assert.equal(ws.unsubscribe('a'), false);
  assert.equal(s.wss.subscriberCount('a'), 0);
  assert.throws(() => ws.subscribe(1), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => s.wss.publish(null, 'x'), TypeError);
  assert.throws(() => s.wss.publish('b', {}), TypeError);
  await once(c, 'open');
  assert.throws(() => c.subscribe('a'), { code: 'ERR_INVALID_STATE' }); // a client connection
  c.close();
  await once(ws, 'close');
  assert.equal(s.wss.subscriberCount('b'), 0);
  assert.deepEqual(ws.topics, []);
  assert.equal(ws.subscribe('b'), false);
  assert.equal(s.wss.publish('b', 'x'), 0);
  await stop(s.wss);
});

const DEFLATE = {
  plain: false,
  'deflate (context takeover)': { threshold: 0 },
  'deflate (no context takeover)': { threshold: 0, serverNoContextTakeover: true },
  'deflate (shared compressor)': { threshold: 0, compressor: 'shared' }
};
for (const [name, perMessageDeflate] of Object.entries(DEFLATE)) {
  test(`publish from a message handler reaches every other subscriber in order: ${name}`, T, async () => {
    const s = await server({ perMessageDeflate });
    s.wss.on('connection', (ws) => {
      ws.on('message', (m) => {
        const n = ws.publish('room', m, { binary: false });
        ws.send(`sent to ${n}`);
      });
    });
    // Both clients: ours and `ws` (its own inflater checks the bytes).
    const ours = await clients(s, 3, ['room'], WebSocket, { perMessageDeflate: { threshold: 0 } });
    const theirs = await clients(s, 3, ['room'], WS, { perMessageDeflate: { threshold: 0 } });
    const all = [...ours, ...theirs];
    if (perMessageDeflate) for (const c of all) assert.match(c.extensions, /permessage-deflate/);
    if (name.includes('shared')) for (const c of ours) assert.match(c.extensions, /server_no_context_takeover/);
    const big = 'abc'.repeat(2000);
    for (let i = 0; i < 5; i++) all[0].send(`m${i} ${big}`);
    assert.equal(s.wss.publish('room', Buffer.from('from server')), 6);
    await until(() => all.every((c, i) => c.got.length >= (i === 0 ? 5 : 6)), 'every message');
    for (let i = 1; i < all.length; i++) {
      const got = all[i].got.map(([m, b]) => (b ? 'B:' : 'T:') + m.slice(0, 3));
      // The server's own publish went out first; the relayed ones in the order sent.
      assert.deepEqual(got, ['B:fro', 'T:m0 ', 'T:m1 ', 'T:m2 ', 'T:m3 ', 'T:m4 ']);
      assert.equal(all[i].got[1][0], `m0 ${big}`);
    }
    assert.deepEqual(all[0].got.map(([m]) => m).filter((m) => m.startsWith('sent')), Array(5).fill('sent to 5'));
    for (const c of all) c.close();
    await stop(s.wss);
  });
}

test('a subscriber that goes mid-publish is skipped; the rest receive it', T, async () => {
  const s = await server({ perMessageDeflate: { threshold: 0 } });
  const conns = [];
  s.wss.on('connection', (ws) => conns.push(ws));
  const list = await clients(s, 4, ['t']);
  const closed = once(conns[1], 'close');
  conns[1].terminate(); // its socket is destroyed; 'close' comes later
  conns[2].close(1000); // closing: its close frame went, nothing may follow it
  assert.equal(s.wss.publish('t', 'hello'), 2);
  await closed;
  assert.equal(conns[1].topics.length, 0); // its subscriptions ended with it
  await until(() => list[0].got.length === 1 && list[3].got.length === 1, 'two receivers');
  assert.equal(list[1].got.length, 0);
  assert.equal(list[2].got.length, 0);
  for (const c of list) c.close();
  await stop(s.wss);
});

test('a fragmented message in progress: a published frame waits for its end', T, async () => {
  const s = await server();
  const seen = new Promise((resolve) => s.wss.once('connection', resolve));
  const [c] = await clients(s, 1, []);
  const ws = await seen;
  ws.subscribe('t');
  ws.send('part1 ', { fin: false });
  assert.equal(s.wss.publish('t', 'published'), 1);
  ws.send('part2', { fin: true });
  await until(() => c.got.length === 2, 'two messages');
  assert.deepEqual(c.got.map(([m]) => m), ['part1 part2', 'published']);
  c.close();
  await stop(s.wss);
});

test('10,000 subscribers get the same bytes, framed once', { timeout: 120_000 }, async () => {
  const N = 10_000;
  const s = await server({ clientTracking: false });
  s.wss.on('connection', (ws) => ws.subscribe('all'));
  const msg = 'x'.repeat(100);
  const expected = new Encoder({ role: 'server' }).message(msg);
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('./fixtures/subscribers.mjs', import.meta.url)), String(s.wss.address().port), String(N), expected.toString('hex')],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await withTimeout(until(() => out.includes('ready') || out.includes('fail'), 'handshakes'), 90_000, 'ready');
  assert.equal(out.trim(), 'ready');
  await until(() => s.wss.subscriberCount('all') === N, 'all subscribed');
  const t0 = process.hrtime.bigint();
  const n = s.wss.publish('all', msg);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.equal(n, N);
  const [code] = await withTimeout(once(child, 'exit'), 60_000, 'child');
  assert.match(out, /ok 10000/);
  assert.equal(code, 0);
  console.log(`# wss.publish to ${N} subscribers: ${ms.toFixed(1)} ms`);
  await stop(s.wss);
});

test('shared compressor: one process-wide compressor, not one per connection', T, async () => {
  const s = await server({ perMessageDeflate: { threshold: 0, compressor: 'shared' } });
  s.wss.on('connection', (ws) => ws.on('message', (m) => ws.send(m)));
  const list = await clients(s, 20, [], WS, { perMessageDeflate: { threshold: 0 } });
  const before = liveStates();
  for (const c of list) c.send('hello hello hello hello');
  await until(() => list.every((c) => c.got.length === 1), 'echoes');
  assert.ok(liveStates().deflaters <= before.deflaters + 1, `${before.deflaters} -> ${liveStates().deflaters}`);
  for (const c of list) assert.equal(c.got[0][0], 'hello hello hello hello');
  // The server asked the clients to reset their context too, so each connection's inflate
  // state is freed once a message is in: none is held between messages.
  for (const c of list) assert.match(c.agreed, /client_no_context_takeover/);
  assert.equal(liveStates().inflaters, before.inflaters, 'no inflate state held after the messages');
  assert.throws(() => new WebSocketServer({ noServer: true, perMessageDeflate: { compressor: 'x' } }), TypeError);
  for (const c of list) c.close();
  await stop(s.wss);
});

test('shared compressor with clientNoContextTakeover: false keeps the client\'s context (and its inflate state)', T, async () => {
  const s = await server({ perMessageDeflate: { threshold: 0, compressor: 'shared', clientNoContextTakeover: false } });
  s.wss.on('connection', (ws) => ws.on('message', (m) => ws.send(m)));
  const list = await clients(s, 5, [], WS, { perMessageDeflate: { threshold: 0 } });
  const before = liveStates().inflaters;
  for (const c of list) c.send('hello hello hello hello');
  await until(() => list.every((c) => c.got.length === 1), 'echoes');
  for (const c of list) assert.doesNotMatch(c.agreed, /client_no_context_takeover/);
  assert.equal(liveStates().inflaters, before + 5, 'each connection keeps its window');
  for (const c of list) c.close();
  await stop(s.wss);
});

test('idleTimeout: a dead peer (no pong, no data) is closed within it; a healthy one stays', T, async () => {
  const idle = 1.6; // seconds
  const s = await server({ idleTimeout: idle });
  const closes = [];
  s.wss.on('connection', (ws) => {
    const t0 = Date.now();
    ws.on('close', (code) => closes.push({ code, ms: Date.now() - t0 }));
  });
  const healthy = new WebSocket(s.url);
  let pings = 0;
  healthy.on('ping', () => pings++);
  await once(healthy, 'open');
  const dead = new WebSocket(s.url, { autoPong: false });
  await once(dead, 'open');
  // The dead peer's close frame arrives (1001) and it is closed; it never answers.
  dead._socket.removeAllListeners('data');
  const [code] = await withTimeout(once(s.wss.clients.size && [...s.wss.clients][1], 'close'), 20_000, 'dead peer closed');
  assert.equal(code, 1006); // no close frame came back: terminated
  assert.ok(closes[0].ms >= idle * 1000 * 0.75, `closed after ${closes[0].ms} ms`);
  // Meanwhile the healthy peer answered pings and is still open after twice the timeout.
  await new Promise((r) => setTimeout(r, idle * 2000));
  assert.equal(healthy.readyState, WebSocket.OPEN);
  assert.ok(pings >= 2, `pings: ${pings}`);
  healthy.close();
  await stop(s.wss);
  dead.terminate();
});

test('maxLifetime: a connection is closed (1001) after it; options are checked', T, async () => {
  const s = await server({ maxLifetime: 0.5 / 60 });
  const c = new WebSocket(s.url);
  const [code, reason] = await withTimeout(once(c, 'close'), 20_000, 'lifetime close');
  assert.equal(code, 1001);
  assert.equal(String(reason), 'max lifetime');
  assert.throws(() => new WebSocketServer({ noServer: true, idleTimeout: -1 }), RangeError);
  assert.throws(() => new WebSocketServer({ noServer: true, maxLifetime: 'x' }), RangeError);
  await stop(s.wss);
});

for (const closeOnBackpressureLimit of [false, true]) {
  test(`backpressureLimit: a subscriber that never reads stays bounded (closeOnBackpressureLimit ${closeOnBackpressureLimit})`, T, async () => {
    const limit = 1024 * 1024;
    const s = await server({ backpressureLimit: limit, closeOnBackpressureLimit, closeTimeout: 500 });
    const conns = [];
    s.wss.on('connection', (ws) => conns.push(ws));
    const [reader, stalled] = await clients(s, 2, ['t']);
    stalled._socket.pause(); // never reads: the server's buffer for it fills
    const chunk = Buffer.alloc(64 * 1024, 7);
    let reached = 0;
    let max = 0;
    for (let i = 0; i < 400; i++) {
      reached += s.wss.publish('t', chunk);
      max = Math.max(max, conns[1].bufferedAmount);
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
      while (reader.got.length < i - 3) await new Promise((r) => setTimeout(r, 1));
    }
    // 400 × 64 KiB = 25 MiB published; what waits for the stalled one stays under the limit
    // plus one message.
    assert.ok(max < limit + chunk.length + 16, `buffered ${max}`);
    assert.ok(reached < 800, `reached ${reached}`);
    await until(() => reader.got.length === 400, 'the reader gets every message');
    if (closeOnBackpressureLimit) {
      const [code] = await withTimeout(once(conns[1], 'close'), 20_000, 'closed at the limit');
      assert.equal(conns[1]._closeFrameSent, true); // close 1008 was sent (terminated after closeTimeout)
      assert.equal(typeof code, 'number');
    } else {
      assert.equal(conns[1].readyState, WebSocket.OPEN);
    }
    reader.close();
    stalled.terminate();
    await stop(s.wss);
  });
}

for (const closeOnBackpressureLimit of [false, true]) {
  test(`send() status: bytes, 0 over half the limit, -1 dropped at it (closeOnBackpressureLimit ${closeOnBackpressureLimit})`, T, async () => {
    const limit = 1024 * 1024;
    const s = await server({ backpressureLimit: limit, closeOnBackpressureLimit, closeTimeout: 500 });
    const connected = once(s.wss, 'connection');
    const stalled = new WebSocket(s.url);
    await once(stalled, 'open');
    const [conn] = await connected;
    stalled._socket.pause(); // never reads: the server's buffer for it fills
    const chunk = Buffer.alloc(64 * 1024, 7);
    const statuses = [];
    let droppedAt = -1;
    let dropError = null;
    for (let i = 0; i < 4000 && droppedAt < 0; i++) {
      const st = conn.send(chunk, (err) => {
        if (err && dropError === null) dropError = err;
      });
      statuses.push(st);
      if (st === -1) droppedAt = conn.bufferedAmount;
      if (i % 16 === 0) await new Promise((r) => setImmediate(r));
    }
    // 65,536 bytes of payload need the 64-bit length: a 10-byte server header. The first send
    // reports its frame's bytes.
    assert.equal(statuses[0], chunk.length + 10);
    const firstZero = statuses.indexOf(0);
    const firstDrop = statuses.indexOf(-1);
    assert.ok(firstZero > 0, 'a send queued over half the limit returns 0');
    assert.ok(firstDrop > firstZero, `dropped (-1) only after 0s: ${statuses.slice(-5)}`);
    assert.ok(droppedAt >= limit, `dropped with ${droppedAt} bytes buffered`);
    await new Promise((r) => setImmediate(r));
    assert.equal(dropError && dropError.code, 'WS_ERR_BACKPRESSURE_LIMIT');
    if (closeOnBackpressureLimit) {
      await withTimeout(once(conn, 'close'), 20_000, 'closed at the limit');
      assert.equal(conn._closeFrameSent, true); // close 1008 was sent (terminated after closeTimeout)
    } else {
      assert.equal(conn.readyState, WebSocket.OPEN);
    }
    stalled.terminate();
    await stop(s.wss);
  });
}

test('send() status on a client: the frame bytes; -1 once closed', T, async () => {
  const s = await server();
  const c = new WebSocket(s.url);
  await once(c, 'open');
  assert.equal(c.send('hello'), 2 + 4 + 5); // masked: 2-byte header, 4-byte key, payload
  assert.equal(c.send(Buffer.alloc(200)), 4 + 4 + 200);
  c.close();
  let err = null;
  assert.equal(c.send('late', (e) => (err = e)), -1);
  await once(c, 'close');
  assert.ok(err instanceof Error);
  await stop(s.wss);
});

test('published frames of one tick keep their order with send(), ping and close, and count in bufferedAmount', T, async () => {
  const s = await server();
  let serverSide = null;
  s.wss.on('connection', (ws) => (serverSide = ws));
  const [c] = await clients(s, 1, ['t'], WS);
  const pings = [];
  c.on('ping', (d) => pings.push([String(d), c.got.length]));
  const closed = new Promise((resolve) => c.on('close', (code, reason) => resolve([code, String(reason), c.got.length])));
  const before = serverSide.bufferedAmount;
  assert.equal(s.wss.publish('t', 'one'), 1);
  assert.ok(serverSide.bufferedAmount >= before + 5, 'a queued published frame counts in bufferedAmount');
  serverSide.send('two');
  s.wss.publish('t', Buffer.from('three'));
  s.wss.publish('t', 'x'.repeat(70 * 1024)); // over the join size: written as is, not copied
  serverSide.ping('p');
  s.wss.publish('t', 'four');
  serverSide.close(1000, 'bye');
  s.wss.publish('t', 'after close'); // CLOSING: not written
  const [code, reason, n] = await withTimeout(closed, 20_000, 'close');
  assert.deepEqual([code, reason, n], [1000, 'bye', 5]);
  assert.deepEqual(c.got.map(([m, b]) => [m.length > 10 ? m.length : m, b]), [
    ['one', false], ['two', false], ['three', true], [70 * 1024, false], ['four', false]
  ]);
  assert.deepEqual(pings, [['p', 4]]);
  await stop(s.wss);
});
