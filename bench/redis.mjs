// Cross-process publish through Redis (issue 13): messages/s and latency percentiles of
// wss.publish reaching subscribers on another server process through a RedisPubSub adapter,
// beside the same publish with publisher and subscribers on one server (no Redis), in the same
// run. Two server processes (tests/node/fixtures/redis-server.mjs, `redis` from
// tests/node_modules) share a private redis-server (Debian's; tests/node/redis-helpers.mjs
// starts it on a free 127.0.0.1 port and kills it after). The subscribers are `ws` clients in
// this process, connected to server B. Each message carries its send time (process.hrtime, the
// same monotonic clock in every process); a round publishes --count messages of --size bytes,
// 1000 per event-loop turn, and ends when every subscriber has every message.
//
//   node bench/redis.mjs [--subs 10] [--count 20000] [--size 64]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/args.mjs';
import { startRedis } from '../tests/node/redis-helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const require = createRequire(import.meta.url);
const { WebSocket } = require('ws');
const { opt } = parseArgs();
const SUBS = Number(opt('--subs', 10));
const COUNT = Number(opt('--count', 20000));
const SIZE = Math.max(8, Number(opt('--size', 64)));
const ROUND_MS = 120_000; // every round is bounded

const FIXTURE = path.join(root, 'tests/node/fixtures/redis-server.mjs');
const NODE_MODULES = path.join(root, 'tests/node_modules');

function serverProcess(url, name) {
  const proc = spawn(process.execPath, [FIXTURE, url, name], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_PATH: NODE_MODULES }
  });
  const waiters = [];
  const seen = [];
  proc.on('message', (m) => {
    const i = waiters.findIndex((w) => w.ev === m.ev);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(m);
    else seen.push(m);
  });
  const next = (ev) => {
    const i = seen.findIndex((m) => m.ev === ev);
    if (i >= 0) return Promise.resolve(seen.splice(i, 1)[0]);
    return new Promise((resolve) => waiters.push({ ev, resolve }));
  };
  return { proc, next, send: (m) => proc.send(m) };
}

async function subscribers(port, topic) {
  const list = await Promise.all(
    Array.from({ length: SUBS }, () => new Promise((resolve, reject) => {
      const c = new WebSocket(`ws://127.0.0.1:${port}/?sub=${topic}`, { perMessageDeflate: false });
      c.once('message', () => resolve(c)); // "subscribed"
      c.once('error', reject);
    }))
  );
  return list;
}

async function round(publisher, subs, topic) {
  const lat = new Float64Array(COUNT * subs.length);
  let got = 0;
  let last = 0n;
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`round timed out: ${got} of ${lat.length} deliveries`)), ROUND_MS);
    for (const c of subs) {
      c.removeAllListeners('message');
      c.on('message', (d) => {
        const now = process.hrtime.bigint();
        lat[got++] = Number(now - d.readBigUInt64LE(0)) / 1e6;
        if (got === lat.length) {
          last = now;
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
  const t0 = process.hrtime.bigint();
  publisher.send({ cmd: 'bench', topic, count: COUNT, size: SIZE });
  await done;
  const secs = Number(last - t0) / 1e9;
  lat.sort();
  const pct = (p) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))];
  return { msgs: COUNT / secs, deliveries: lat.length / secs, p50: pct(0.5), p99: pct(0.99), max: lat[lat.length - 1] };
}

const redis = await startRedis();
const a = serverProcess(redis.url, 'A');
const b = serverProcess(redis.url, 'B');
try {
  await Promise.all([a.next('ready'), b.next('ready')]);
  const { port } = await b.next('listening');
  const subs = await subscribers(port, 'bench');
  const rows = [];
  for (const [name, pub] of [['local: publisher on the subscribers\' server', b], ['through Redis: publisher on another process', a]]) {
    await round(pub, subs, 'bench'); // warm-up
    rows.push({ name, ...(await round(pub, subs, 'bench')) });
  }
  for (const c of subs) c.terminate();
  console.log(`# wss.publish, ${COUNT} messages of ${SIZE} B to ${SUBS} subscribers on server B (redis-server ${redis.url})`);
  console.log('| publish | messages/s | deliveries/s | p50 ms | p99 ms | max ms | vs local |\n| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(`| ${r.name} | ${Math.round(r.msgs).toLocaleString('en-US')} | ${Math.round(r.deliveries).toLocaleString('en-US')} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(2)} | ${(r.msgs / rows[0].msgs).toFixed(2)}x |`);
  }
} finally {
  a.proc.kill();
  b.proc.kill();
  await redis.stop();
}
