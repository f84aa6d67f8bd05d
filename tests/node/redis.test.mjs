// wsprism/redis (issue 13): RedisPubSub against a real Redis (Debian's redis-server on a free
// 127.0.0.1 port, started here and killed after; see redis-helpers.mjs).
//  - In this process, two servers each with an adapter: text, binary and the compress option
//    survive the trip (the receiving server's frame has RSV1 or not), the publisher's own
//    subscribers get a message once, order is kept, a topic is subscribed on Redis only while a
//    local subscriber exists, foreign messages on a channel are counted and dropped.
//  - Three server processes (fixtures/redis-server.mjs) sharing one Redis, clients on each:
//    every message reaches every subscriber in order; one process killed mid-run, the others go
//    on; Redis killed and restarted: local publish goes on while it is down, nothing published
//    meanwhile reaches the other processes (stated behaviour), the adapters resume.
// Deterministic: every wait is on an event or a condition, bounded by a timeout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { withTimeout } from './helpers.mjs';
import { startRedis } from './redis-helpers.mjs';

const require = createRequire(import.meta.url);
const { WebSocketServer, WebSocket, inspectStream } = require('../../packages/wsprism');
const { RedisPubSub } = require('../../packages/wsprism/redis');
const { createClient } = require('redis');

const HOST = '127.0.0.1';
const T = { timeout: 90_000 };
const NODE_MODULES = fileURLToPath(new URL('../node_modules', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/redis-server.mjs', import.meta.url));

let redis; // { port, url, proc, stop }
let admin; // a plain node-redis client of the test (PUBSUB NUMSUB, foreign PUBLISHes)

before(async () => {
  redis = await startRedis();
  admin = createClient({ url: redis.url });
  admin.on('error', () => {});
  await admin.connect();
});
after(async () => {
  if (admin) await admin.close().catch(() => {});
  if (redis) await redis.stop();
});

const until = (pred, what, ms = 20_000) =>
  withTimeout(
    new Promise((resolve, reject) => {
      const tick = async () => {
        try {
          if (await pred()) return resolve();
        } catch (err) {
          return reject(err);
        }
        setTimeout(tick, 5);
      };
      tick();
    }),
    ms,
    what
  );
const numsub = async (channel) => Number((await admin.sendCommand(['PUBSUB', 'NUMSUB', channel]))[1]);

async function server(pubsub, options = {}) {
  const wss = new WebSocketServer({ host: HOST, port: 0, pubsub, ...options });
  await once(wss, 'listening');
  wss.on('connection', (ws, req) => {
    const topics = new URL(req.url, 'http://x').searchParams.get('sub');
    if (topics) for (const t of topics.split(',')) ws.subscribe(t);
    ws.send('subscribed');
  });
  return { wss, url: `ws://${HOST}:${wss.address().port}` };
}

/** A client subscribed (server side) to `topics`; `got` collects [text or hex, binary]. */
async function client(url, topics) {
  const c = new WebSocket(`${url}/?sub=${topics.join(',')}`);
  c.got = [];
  await new Promise((resolve, reject) => {
    c.once('error', reject);
    c.once('message', (m) => (String(m) === 'subscribed' ? resolve() : reject(new Error(`first: ${m}`))));
  });
  c.on('message', (m, binary) => c.got.push([binary ? Buffer.from(m).toString('hex') : String(m), binary]));
  return c;
}

/** A raw TCP client offering permessage-deflate; `frames()` reports what the server sent. */
async function rawDeflateClient(url, topic) {
  const { port } = new URL(url);
  const s = net.connect(Number(port), HOST);
  let bytes = Buffer.alloc(0);
  let head = null;
  s.on('data', (d) => {
    bytes = Buffer.concat([bytes, d]);
    if (head === null) {
      const i = bytes.indexOf('\r\n\r\n');
      if (i >= 0) {
        head = bytes.subarray(0, i).toString();
        bytes = bytes.subarray(i + 4);
      }
    }
  });
  s.write(
    `GET /?sub=${topic} HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
      'Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n'
  );
  const frames = () => inspectStream(bytes, { role: 'client', perMessageDeflate: true }).frames;
  await until(() => head !== null && frames().length >= 1, 'raw client: 101 and "subscribed"');
  assert.match(head, /^HTTP\/1.1 101/);
  assert.match(head, /permessage-deflate/i);
  return { socket: s, frames };
}

test('two servers in one process: text, binary, compress survive; own subscribers once; order; subscribe only while needed', T, async () => {
  const pA = new RedisPubSub({ client: createClient({ url: redis.url }), channelPrefix: 'ip:' });
  const pB = new RedisPubSub({ client: createClient({ url: redis.url }), channelPrefix: 'ip:' });
  const a = await server(pA, { perMessageDeflate: { threshold: 0 } });
  const b = await server(pB, { perMessageDeflate: { threshold: 0 } });
  await Promise.all([pA.connected || once(pA, 'ready'), pB.connected || once(pB, 'ready')]);
  assert.equal(await numsub('ip:t'), 0, 'no local subscriber: no Redis subscription');

  const ca = await client(a.url, ['t']);
  const cb = await client(b.url, ['t']);
  const raw = await rawDeflateClient(b.url, 't');
  await until(async () => (await numsub('ip:t')) === 2, 'both processes subscribed to ip:t');
  assert.equal(await pA.processCount('t'), 2);
  assert.equal(a.wss.subscriberCount('t'), 1, 'subscriberCount stays local');
  assert.equal(b.wss.subscriberCount('t'), 2);

  const big = 'x'.repeat(2000);
  assert.equal(a.wss.publish('t', 'hello'), 1, 'counts the local receivers');
  a.wss.publish('t', Buffer.from([0, 0xff, 1, 0x80]));
  a.wss.publish('t', 'as binary', { binary: true });
  a.wss.publish('t', big, { compress: false });
  a.wss.publish('t', big);
  for (let i = 0; i < 200; i++) a.wss.publish('t', `m${i}`);
  const want = [
    ['hello', false],
    ['00ff0180', true],
    [Buffer.from('as binary').toString('hex'), true],
    [big, false],
    [big, false],
    ...Array.from({ length: 200 }, (_, i) => [`m${i}`, false])
  ];
  await until(() => cb.got.length >= want.length && ca.got.length >= want.length, 'every message on both servers');
  assert.deepEqual(cb.got, want, 'the other process: every message once, in order, text/binary kept');
  assert.deepEqual(ca.got, want, 'the publishing process: served locally, not again through Redis');
  await until(() => raw.frames().length >= 1 + want.length, 'raw deflate client');
  const f = raw.frames().slice(1);
  assert.equal(f[3].rsv1, false, 'compress: false crossed Redis: sent uncompressed');
  assert.equal(f[4].rsv1, true, 'compress (default) crossed Redis: compressed');
  assert.equal(f[3].payload_len, 2000);
  assert.ok(f[4].payload_len < 100);
  assert.equal(pA.stats.received, 0, 'A dropped its own echo');
  assert.equal(pB.stats.received, want.length);

  // ws.publish: every subscriber but the sender, on every process.
  const [wsA] = a.wss.clients;
  wsA.publish('t', 'from a connection');
  await until(() => cb.got.length === want.length + 1, 'ws.publish reached B');
  assert.deepEqual(cb.got.at(-1), ['from a connection', false]);
  assert.equal(ca.got.length, want.length, 'not to the publishing connection itself');

  // Foreign or malformed messages on the channel: counted and dropped, nothing crashes.
  const foreignBefore = pB.stats.foreign;
  await admin.publish('ip:t', 'not a wsprism message');
  await admin.publish('ip:t', Buffer.from([0x77, 0x73, 1, 0]));
  const badText = Buffer.alloc(22);
  badText.set([0x77, 0x73, 1, 0]); // text, origin zeros
  badText.set([0xc3, 0x28], 20); // not UTF-8
  await admin.publish('ip:t', badText);
  const badFlags = Buffer.alloc(21);
  badFlags.set([0x77, 0x73, 1, 0x80]);
  await admin.publish('ip:t', badFlags);
  a.wss.publish('t', 'after the junk');
  await until(() => cb.got.length === want.length + 2, 'a message after the junk');
  assert.deepEqual(cb.got.at(-1), ['after the junk', false]);
  assert.equal(pB.stats.foreign - foreignBefore, 4);

  // The last local subscriber leaves: the process UNSUBSCRIBEs (and subscribes again later).
  cb.close();
  raw.socket.destroy();
  await until(() => b.wss.subscriberCount('t') === 0, 'B has no subscriber');
  await until(async () => (await numsub('ip:t')) === 1, 'B unsubscribed from ip:t');
  const cb2 = await client(b.url, ['t']);
  await until(async () => (await numsub('ip:t')) === 2, 'B subscribed again');
  a.wss.publish('t', 'again');
  await until(() => cb2.got.length === 1, 'B receives again');
  assert.deepEqual(cb2.got, [['again', false]]);
  assert.equal(pA.stats.received, 0, 'A never delivered its own messages a second time');
  assert.deepEqual(ca.got.slice(want.length), [['after the junk', false], ['again', false]]);

  ca.close();
  cb2.close();
  await Promise.all([new Promise((r) => a.wss.close(r)), new Promise((r) => b.wss.close(r))]);
  await until(async () => (await numsub('ip:t')) === 0, 'closing the servers ended their subscriptions');
});

test('argument checks: the pubsub option and RedisPubSub options', T, () => {
  assert.throws(() => new WebSocketServer({ noServer: true, pubsub: {} }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => new RedisPubSub({ client: {} }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => new RedisPubSub({ url: 5, client: undefined }), TypeError);
  assert.throws(() => new RedisPubSub({ client: createClient(), channelPrefix: 1 }), TypeError);
  assert.throws(() => new RedisPubSub({ client: createClient(), maxPendingBytes: -1 }), RangeError);
  const p = new RedisPubSub({ client: createClient({ url: redis.url }) });
  const w1 = new WebSocketServer({ noServer: true, pubsub: p });
  assert.throws(() => new WebSocketServer({ noServer: true, pubsub: p }), /already serves/);
  w1.close();
});

/** A server process (fixtures/redis-server.mjs) on `url`'s Redis; `next(ev)` awaits its reports. */
async function serverProcess(url, name) {
  const proc = spawn(process.execPath, [FIXTURE, url, name], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_PATH: NODE_MODULES }
  });
  const box = { proc, name, seen: [], waiters: [] };
  proc.on('message', (m) => {
    box.seen.push(m);
    box.waiters = box.waiters.filter((w) => !(w.ev === m.ev && (w.resolve(m), true)));
  });
  /** The next report `ev` not yet taken (one already received counts). */
  box.next = (ev) => {
    const i = box.seen.findIndex((m) => m.ev === ev);
    if (i >= 0) return Promise.resolve(box.seen.splice(i, 1)[0]);
    return withTimeout(new Promise((resolve) => box.waiters.push({ ev, resolve: (m) => (box.seen.splice(box.seen.indexOf(m), 1), resolve(m)) })), 30_000, `${name}: ${ev}`);
  };
  box.exited = new Promise((resolve) => proc.once('exit', resolve));
  box.kill = () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    return box.exited;
  };
  const { port } = await box.next('listening');
  box.url = `ws://${HOST}:${port}`;
  await box.next('ready');
  return box;
}

/** Messages of `client` from server `name`, as their numbers, in arrival order. */
const from = (c, name) => c.got.filter(([m]) => m.startsWith(`${name}:`)).map(([m]) => Number(m.slice(name.length + 1)));
const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i);

test('three server processes sharing one Redis: every message to every subscriber in order; a process killed; Redis restarted', T, async () => {
  const names = ['s0', 's1', 's2'];
  const procs = await Promise.all(names.map((n) => serverProcess(redis.url, n)));
  try {
    const clients = [];
    for (const p of procs) for (let k = 0; k < 2; k++) clients.push(Object.assign(await client(p.url, ['news']), { server: p.name }));
    await until(async () => (await numsub('wsprism:news')) === 3, 'three processes subscribed to wsprism:news');

    // 1. All three publish at once: 300 messages each.
    procs.forEach((p) => p.proc.send({ cmd: 'publish', topic: 'news', from: 0, to: 300 }));
    for (const p of procs) assert.equal((await p.next('published')).n, 2, 'two local receivers');
    await until(() => clients.every((c) => c.got.length >= 900), 'every client: 900 messages');
    for (const c of clients) {
      assert.equal(c.got.length, 900, `${c.server}: no duplicate`);
      for (const n of names) assert.deepEqual(from(c, n), range(0, 300), `${c.server}'s client: ${n}'s messages in order`);
      c.got = [];
    }

    // 2. All three stream; s2 is killed mid-run; s0 and s1 go on.
    procs.forEach((p) => p.proc.send({ cmd: 'stream', topic: 'news', batch: 5 }));
    const survivors = clients.filter((c) => c.server !== 's2');
    await until(() => survivors.every((c) => from(c, 's2').length >= 100), 's2 streaming to the others');
    const s2closed = clients.filter((c) => c.server === 's2').map((c) => once(c, 'close'));
    await procs[2].kill();
    await Promise.all(s2closed);
    const mark = survivors.map((c) => [from(c, 's0').length, from(c, 's1').length]);
    await until(
      () => survivors.every((c, i) => from(c, 's0').length >= mark[i][0] + 500 && from(c, 's1').length >= mark[i][1] + 500),
      's0 and s1 go on after s2 died'
    );
    procs[0].proc.send({ cmd: 'stop' });
    procs[1].proc.send({ cmd: 'stop' });
    const last = [(await procs[0].next('stopped')).last, (await procs[1].next('stopped')).last];
    await until(() => survivors.every((c) => from(c, 's0').length > last[0] && from(c, 's1').length > last[1]), 'all of s0 and s1');
    for (const c of survivors) {
      assert.deepEqual(from(c, 's0'), range(0, last[0] + 1), `${c.server}'s client: every s0 message in order`);
      assert.deepEqual(from(c, 's1'), range(0, last[1] + 1), `${c.server}'s client: every s1 message in order`);
      const s2 = from(c, 's2');
      assert.deepEqual(s2, range(0, s2.length), `${c.server}'s client: what s2 published before it died, in order`);
      c.got = [];
    }
    await until(async () => (await numsub('wsprism:news')) === 2, 'the dead process no longer subscribed');

    // 3. Redis killed: local publish goes on, nothing reaches the other process (not queued for
    // later); Redis restarted on the same port: both adapters resume.
    const [p0, p1] = procs;
    const downs = [p0.next('disconnect'), p1.next('disconnect')];
    await redis.stop();
    await Promise.all(downs);
    p0.proc.send({ cmd: 'stats' });
    const before = (await p0.next('stats')).stats;
    p0.proc.send({ cmd: 'publish', topic: 'news', from: 0, to: 50 });
    assert.equal((await p0.next('published')).n, 2, 'local publish works with Redis down');
    const c0 = survivors.filter((c) => c.server === 's0');
    const c1 = survivors.filter((c) => c.server === 's1');
    await until(() => c0.every((c) => from(c, 's0').length === 50), "s0's own clients get what it published while Redis was down");
    // Not forwarded (the publisher connection was down), or failed (a PUBLISH written as its
    // connection broke): either way not delivered elsewhere, and not queued for later.
    let down;
    await until(async () => {
      p0.proc.send({ cmd: 'stats' });
      down = await p0.next('stats');
      return down.stats.notForwarded + down.stats.failed - before.notForwarded - before.failed === 50;
    }, 'the 50 messages counted as not forwarded');
    assert.equal(down.connected, false);
    assert.equal(down.stats.forwarded, before.forwarded);

    const ups = [p0.next('ready'), p1.next('ready')];
    redis = await startRedis(redis.port);
    await Promise.all(ups);
    assert.equal(await numsub('wsprism:news'), 2, 'both resubscribed');
    p0.proc.send({ cmd: 'publish', topic: 'news', from: 50, to: 100 });
    p1.proc.send({ cmd: 'publish', topic: 'news', from: 0, to: 50 });
    await Promise.all([p0.next('published'), p1.next('published')]);
    await until(() => c1.every((c) => from(c, 's0').length >= 50) && c0.every((c) => from(c, 's1').length >= 50), 'traffic resumed');
    for (const c of c1) assert.deepEqual(from(c, 's0'), range(50, 100), "s1's clients: none of what s0 published while Redis was down, all after");
    for (const c of c0) {
      assert.deepEqual(from(c, 's0'), range(0, 100));
      assert.deepEqual(from(c, 's1'), range(0, 50));
    }
    for (const c of survivors) c.close();
  } finally {
    await Promise.all(procs.map((p) => p.kill()));
  }
});
