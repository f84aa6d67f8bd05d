// Memory per connection on the server, for each permessage-deflate choice (issue 13): plain,
// deflate with a dedicated compressor per connection (the default), deflate with the shared
// compressor (perMessageDeflate.compressor 'shared'); `ws` plain and with deflate as the anchor. The method of bench/soak.mjs's cost():
// the server (bench/servers/wsprism-echo.mjs) in its own process; RssAnon with a tenth of
// --conns connections open, then all of them (idle: the slope per connection), then after each
// connection sent a 16 KiB message and received its echo (active). Each reading follows a
// full garbage collection in the server (--expose-gc): retained memory, not uncollected garbage.
//
//   node bench/pmd-memory.mjs [--conns 1000] [--size 16384]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/args.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { WebSocket } = require('ws');
const { opt } = parseArgs();
const CONNS = Number(opt('--conns', 1000));
const SIZE = Number(opt('--size', 16384));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Asks the server to collect its garbage (bench/servers/wsprism-echo.mjs with --expose-gc) and
// waits for its answer, then a moment for freed pages to go back to the system.
async function collect(child) {
  await new Promise((resolve) => {
    const on = (d) => {
      if (String(d).includes('GC')) {
        child.stdout.off('data', on);
        resolve();
      }
    };
    child.stdout.on('data', on);
    child.stdin.write('gc\n');
  });
  await sleep(300);
}

function anonMB(pid) {
  const m = /RssAnon:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) / 1024;
}

async function start(server, args, env) {
  const child = spawn(process.execPath, ['--expose-gc', path.join(here, 'servers', server), ...args], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const port = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /READY (\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error('server exited')));
  });
  return { child, port };
}

async function openMany(url, n, deflate) {
  const conns = [];
  for (let i = 0; i < n; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, n - i) }, () =>
        new Promise((resolve, reject) => {
          const c = new WebSocket(url, { perMessageDeflate: deflate ? { threshold: 0 } : false });
          c.on('open', () => resolve(conns.push(c)));
          c.on('error', reject);
        })
      )
    );
  }
  return conns;
}

async function measure(name, args, deflate, server, env) {
  const s = await start(server, args, env);
  const url = `ws://127.0.0.1:${s.port}/`;
  try {
    const first = await openMany(url, CONNS / 10, deflate);
    await collect(s.child);
    const a = anonMB(s.child.pid);
    const rest = await openMany(url, CONNS - first.length, deflate);
    await collect(s.child);
    const b = anonMB(s.child.pid);
    const all = [...first, ...rest];
    // Text that compresses like real payloads (not one repeated byte).
    const msg = Array.from({ length: SIZE / 8 }, (_, i) => (i * 2654435761 >>> 0).toString(16).padStart(8, '0')).join('').slice(0, SIZE);
    for (let i = 0; i < all.length; i += 100) {
      await Promise.all(
        all.slice(i, i + 100).map(
          (c) => new Promise((resolve, reject) => {
            c.once('message', (d) => (d.toString() === msg ? resolve() : reject(new Error('bad echo'))));
            c.send(msg);
          })
        )
      );
    }
    await collect(s.child);
    const c = anonMB(s.child.pid);
    for (const x of all) x.terminate();
    const idle = ((b - a) * 1024) / rest.length;
    const active = idle + ((c - b) * 1024) / CONNS;
    return { name, idle_kb: +idle.toFixed(1), active_kb: +active.toFixed(1) };
  } finally {
    s.child.kill('SIGTERM');
  }
}

// glibc's malloc keeps freed memory for reuse, so RSS after activity counts what was freed too.
// With jemalloc (Debian's libjemalloc2, which redis-server brings) told to return freed pages at
// once, RSS is what is still allocated: the "retained" columns.
const JEMALLOC = ['/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2'].find((f) => fs.existsSync(f));
const RETAINED = JEMALLOC ? { LD_PRELOAD: JEMALLOC, MALLOC_CONF: 'dirty_decay_ms:0,muzzy_decay_ms:0' } : null;
const SERVERS = [
  ['wsprism, plain', [], false, 'wsprism-echo.mjs'],
  ['wsprism, deflate, dedicated compressor', ['--deflate'], true, 'wsprism-echo.mjs'],
  ['wsprism, deflate, shared compressor', ['--deflate', '--compressor', 'shared'], true, 'wsprism-echo.mjs'],
  ['ws 8, plain', [], false, 'ws-echo.mjs'],
  ['ws 8, deflate', ['--deflate'], true, 'ws-echo.mjs']
];
const rows = [];
for (const [name, args, deflate, server] of SERVERS) {
  const rss = await measure(name, args, deflate, server, {});
  const kept = RETAINED ? await measure(name, args, deflate, server, RETAINED) : null;
  rows.push({ name, rss, kept });
}
const f = (r) => (r ? `${r.idle_kb} | ${r.active_kb}` : 'n/a | n/a');
console.log(`# server memory per connection (RssAnon slope after a forced GC, ${CONNS} connections; active: after a ${SIZE}-byte message each way), client: ws`);
console.log(`# retained: the same under jemalloc with decay 0 (${JEMALLOC ?? 'libjemalloc not found'})`);
console.log('| server | idle KB/conn | active KB/conn | retained idle | retained active |\n| --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.name} | ${f(r.rss)} | ${f(r.kept)} |`);
