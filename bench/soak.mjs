// Soak: a WebSocket server's memory over time while clients come and go, next to steady traffic
// and 2,000 slowloris sockets; wsprism's WebSocketServer beside `ws` in the same run.
//
//   npm run bench:soak                  # plain and permessage-deflate, wsprism and ws (~9 min)
//   npm run bench:soak -- --quick       # 25 s per run (~2 min), for development
//   npm run bench:soak -- --smoke       # 4 s per run, 200 slowloris sockets: checks, saves nothing
//   options: --duration-s N --warmup-s N --churn-rate N (connections/s) --churn-concurrency N
//            --steady N (connections) --slowloris N --servers wsprism,ws --modes plain,deflate
//            --no-build --no-save --out DIR
//
// Each run starts the echo server of bench/servers/ in a fresh process (pinned to CPU 0, this
// driver to CPU 1 when taskset works) and, for --duration-s, drives at once:
// - churn: new connections at --churn-rate, at most --churn-concurrency at a time; each sends
//   one to three 200-byte messages (text and binary), checks every echo, then ends in turn with a
//   close handshake, terminate() or a TCP reset;
// - steady traffic: --steady connections open for the whole run, each sending a 1 KiB message
//   every 100 ms once the previous one came back;
// - slowloris: --slowloris sockets that each write a valid upgrade request one byte per second;
//   whenever the server drops one (its handshake timeout) another takes its place.
// The server's RSS (VmRSS) is read every second. After the warm-up (--warmup-s, default a quarter
// of the run) the least-squares slope of RSS over time is the figure that says whether memory
// grows. Results: bench/results/<date>/soak.json, soak.md and soak.svg.
// The run fails (exit 1) if an echo is wrong, a legitimate client is not served (no open within
// 10 s, an error) or a server dies: slowloris sockets must not starve real clients.

import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/args.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const { args, flag, opt } = parseArgs();
const smoke = flag('--smoke');
const quick = flag('--quick');
const DURATION_S = Number(opt('--duration-s', smoke ? 4 : quick ? 25 : 120));
const WARMUP_S = Number(opt('--warmup-s', Math.max(1, Math.round(DURATION_S / 4))));
const CHURN_RATE = Number(opt('--churn-rate', smoke ? 50 : 150));
const CHURN_CONC = Number(opt('--churn-concurrency', 50));
const STEADY = Number(opt('--steady', smoke ? 10 : 100));
const SLOWLORIS = Number(opt('--slowloris', smoke ? 200 : 2000));
const COST_CONNS = Number(opt('--cost-conns', smoke ? 100 : 1000));
const CHURN_COUNT = Number(opt('--churn-count', 0));
const OPEN_TIMEOUT_MS = 10000;
const SERVERS = (opt('--servers', 'wsprism,ws') || '').split(',').filter(Boolean);
const MODES = (opt('--modes', 'plain,deflate') || '').split(',').filter(Boolean);
for (const [what, list, known] of [['--servers', SERVERS, ['wsprism', 'ws']], ['--modes', MODES, ['plain', 'deflate']]]) {
  const bad = list.filter((x) => !known.includes(x));
  if (bad.length || list.length === 0) {
    console.error(`bench:soak: ${what} takes ${known.join(', ')} (got ${list.join(',') || 'nothing'})`);
    process.exit(2);
  }
}
for (const [name, v] of Object.entries({ DURATION_S, WARMUP_S, CHURN_RATE, CHURN_CONC, STEADY, SLOWLORIS, COST_CONNS, CHURN_COUNT })) {
  if (!Number.isFinite(v) || v < 0 || (name === 'DURATION_S' && v <= 0)) {
    console.error(`bench:soak: bad value for ${name}: ${v}`);
    process.exit(2);
  }
}
if (WARMUP_S >= DURATION_S) {
  console.error(`bench:soak: --warmup-s (${WARMUP_S}) must be shorter than --duration-s (${DURATION_S})`);
  process.exit(2);
}

// Every socket needs a descriptor here and one in the server: ask for room up front.
const needFds = SLOWLORIS + STEADY + CHURN_CONC + 256;
const softFds = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()) || 0;
if (softFds && softFds < needFds && !process.env.WSPRISM_SOAK_REEXEC) {
  const hard = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
  const want = hard === 'unlimited' ? needFds : Math.min(Number(hard), needFds * 2);
  if (hard !== 'unlimited' && Number(hard) < needFds) {
    console.error(`bench:soak: needs ${needFds} open files, the hard limit is ${hard}; lower --slowloris`);
    process.exit(2);
  }
  const argv = [process.execPath, fileURLToPath(import.meta.url), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`);
  const r = spawnSync('sh', ['-c', `ulimit -n ${want} && exec ${argv.join(' ')}`], {
    stdio: 'inherit',
    env: { ...process.env, WSPRISM_SOAK_REEXEC: '1' }
  });
  process.exit(r.status ?? 1);
}

const req = createRequire(path.join(here, 'package.json'));

function sh(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`bench:soak: ${cmd} ${argv.join(' ')} failed (${r.status})`);
    process.exit(1);
  }
}

const pin = os.cpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
if (pin) spawnSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);

/** A memory figure of `/proc/<pid>/status` in MB: `VmRSS` (resident) or `RssAnon` (heap and
 * stacks, without file-backed pages such as the code of node and the addon); NaN once gone. */
function statusMB(pid, field) {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}
const rssMB = (pid) => statusMB(pid, 'VmRSS');
const anonMB = (pid) => statusMB(pid, 'RssAnon');

function cpuSeconds(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return NaN;
  }
}

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  if (n < 2) return NaN;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const d = n * sxx - sx * sx;
  return d === 0 ? NaN : (n * sxy - sx * sy) / d;
}

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function startServer(lib, deflate) {
  const script = path.join(here, 'servers', lib === 'ws' ? 'ws-echo.mjs' : 'wsprism-echo.mjs');
  const argv = [process.execPath, script, ...(deflate ? ['--deflate'] : [])];
  const [cmd, rest] = pin ? ['taskset', ['-c', '0', ...argv]] : [argv[0], argv.slice(1)];
  const child = spawn(cmd, rest, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${lib} server did not start in 15 s`)), 15000);
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /READY (\d+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code, sig) => reject(new Error(`${lib} server exited (${code ?? sig}) before READY`)));
  });
  child.stdout.resume();
  return { child, port, exited: null };
}

async function stopServer(s) {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const gone = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await Promise.race([gone, sleep(5000)]);
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
}

const SLOW_REQUEST = (port) =>
  Buffer.from(
    `GET /slow HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    'latin1'
  );

/** Open `n` connections to `url` (ws clients), `par` at a time; resolves with them, open. */
async function openMany(WebSocket, url, n, deflate, par = 100) {
  const conns = [];
  for (let i = 0; i < n; i += par) {
    await Promise.all(
      Array.from({ length: Math.min(par, n - i) }, () =>
        new Promise((resolve, reject) => {
          const c = new WebSocket(url, { perMessageDeflate: deflate });
          c.on('open', () => resolve(conns.push(c)));
          c.on('error', reject);
        })
      )
    );
  }
  return conns;
}

/** Send one 200-byte message on every connection and wait for every echo. */
function echoAll(conns) {
  return Promise.all(
    conns.map(
      (c, i) =>
        new Promise((resolve, reject) => {
          const text = `${i} `.padEnd(200, 'cost ');
          c.once('message', (d) => (d.toString() === text ? resolve() : reject(new Error('bad echo'))));
          c.send(text);
        })
    )
  );
}

/**
 * What a connection costs the server, idle and active: RssAnon with 10% of `COST_CONNS`
 * connections open, then all of them (idle: the slope), then after each has echoed one message
 * (active: with deflate, both directions' compression state now exist).
 */
async function cost(lib, deflate) {
  const { WebSocket } = req('ws');
  const server = await startServer(lib, deflate);
  const url = `ws://127.0.0.1:${server.port}/`;
  const settle = () => sleep(smoke ? 100 : 500);
  try {
    const first = await openMany(WebSocket, url, COST_CONNS / 10, deflate);
    await settle();
    const a = anonMB(server.child.pid);
    const rest = await openMany(WebSocket, url, COST_CONNS - first.length, deflate);
    await settle();
    const b = anonMB(server.child.pid);
    await echoAll([...first, ...rest]);
    await settle();
    const c = anonMB(server.child.pid);
    for (const x of [...first, ...rest]) x.terminate();
    const n = rest.length;
    return {
      server: lib,
      deflate,
      conns: COST_CONNS,
      idle_kb: +(((b - a) * 1024) / n).toFixed(1),
      // every connection, the first tenth too, became active between b and c
      active_kb: +(((b - a) * 1024) / n + ((c - b) * 1024) / COST_CONNS).toFixed(1),
      anon_mb: { at_10pct: +a.toFixed(1), idle: +b.toFixed(1), active: +c.toFixed(1) }
    };
  } finally {
    await stopServer(server);
  }
}

/**
 * The churn of the issue report: `CHURN_COUNT` connections, 50 at a time, as fast as they go, each
 * echoing one 200-byte message, then closing (even) or terminating (odd); RSS after each tenth.
 */
async function churnCount(lib) {
  const { WebSocket } = req('ws');
  const server = await startServer(lib, true);
  const url = `ws://127.0.0.1:${server.port}/`;
  const marks = [];
  const every = Math.max(50, Math.round(CHURN_COUNT / 10 / 50) * 50);
  const t0 = performance.now();
  let n = 0;
  let failed = 0;
  try {
    while (n < CHURN_COUNT) {
      await Promise.all(
        Array.from({ length: Math.min(50, CHURN_COUNT - n) }, (_, i) =>
          new Promise((resolve) => {
            const c = new WebSocket(url, { perMessageDeflate: true });
            const text = `${n + i} `.padEnd(200, 'churn ');
            c.on('error', () => failed++);
            c.on('close', resolve);
            c.on('open', () => c.send(text));
            c.on('message', (d) => {
              if (d.toString() !== text) failed++;
              if ((n + i) % 2) c.terminate();
              else c.close();
            });
          })
        )
      );
      n += Math.min(50, CHURN_COUNT - n);
      if (n % every === 0 || n === CHURN_COUNT) {
        marks.push([n, +rssMB(server.child.pid).toFixed(0)]);
      }
    }
  } finally {
    await stopServer(server);
  }
  return { server: lib, connections: n, failed, seconds: +((performance.now() - t0) / 1000).toFixed(1), rss_mb: marks };
}

/** One run: a server, DURATION_S of churn + steady traffic + slowloris, RSS every second. */
async function run(lib, deflate) {
  const { WebSocket } = req('ws');
  const server = await startServer(lib, deflate);
  const { port, child } = server;
  const url = `ws://127.0.0.1:${port}/`;
  let serverDied = null;
  child.once('exit', (code, sig) => {
    serverDied = `${code ?? sig}`;
  });
  const stats = {
    churn_started: 0,
    churn_done: 0,
    churn_failed: 0,
    churn_ends: { close: 0, terminate: 0, reset: 0 },
    handshake_ms: [],
    steady_msgs: 0,
    steady_failed: 0,
    mismatches: 0,
    slow_opened: 0,
    slow_dropped: 0,
    slow_answers: {},
    failures: []
  };
  const fail = (what) => {
    if (stats.failures.length < 10) stats.failures.push(what);
  };
  let running = true;
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;

  // --- slowloris: SLOWLORIS sockets, each writing one byte of an upgrade request per second
  const request = SLOW_REQUEST(port);
  const slow = new Set();
  function openSlow() {
    const s = net.connect(port, '127.0.0.1');
    s.pos = 0;
    s.setNoDelay(true);
    stats.slow_opened++;
    slow.add(s);
    s.on('data', (d) => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(d.toString('latin1', 0, 16));
      if (m && !s.answered) {
        s.answered = true;
        stats.slow_answers[m[1]] = (stats.slow_answers[m[1]] || 0) + 1;
      }
    });
    s.on('error', () => {});
    s.on('close', () => {
      slow.delete(s);
      if (!running || serverDied !== null) return;
      stats.slow_dropped++;
      openSlow();
    });
  }
  let slowTick = 0;
  const slowTimer = setInterval(() => {
    // 20 ticks a second, each writing to a twentieth of the sockets: one byte per socket per second.
    const k = slowTick++ % 20;
    let i = 0;
    for (const s of slow) {
      if (i++ % 20 !== k || s.pos >= request.length || !s.writable) continue;
      s.write(request.subarray(s.pos, s.pos + 1));
      s.pos++;
    }
  }, 50);
  for (let i = 0; i < SLOWLORIS; i++) {
    openSlow();
    if (i % 200 === 199) await sleep(20);
  }

  // --- steady traffic: STEADY long-lived connections, a 1 KiB message every 100 ms each
  const steady = [];
  await Promise.all(
    Array.from({ length: STEADY }, (_, i) =>
      new Promise((resolve) => {
        const c = new WebSocket(url, { perMessageDeflate: deflate });
        c.seq = 0;
        c.pending = null;
        const timer = setTimeout(() => {
          stats.steady_failed++;
          fail(`steady connection ${i}: no open in ${OPEN_TIMEOUT_MS} ms`);
          c.terminate();
          resolve();
        }, OPEN_TIMEOUT_MS);
        c.on('open', () => {
          clearTimeout(timer);
          steady.push(c);
          resolve();
        });
        c.on('message', (data) => {
          if (c.pending === null || data.toString() !== c.pending) {
            stats.mismatches++;
            fail(`steady connection ${i}: unexpected echo`);
          } else stats.steady_msgs++;
          c.pending = null;
        });
        c.on('error', (e) => {
          stats.steady_failed++;
          fail(`steady connection ${i}: ${e.message}`);
        });
        c.on('close', () => {
          if (running) {
            stats.steady_failed++;
            fail(`steady connection ${i} closed during the run`);
          }
        });
      })
    )
  );
  const steadyTimer = setInterval(() => {
    for (const c of steady) {
      if (c.pending !== null || c.readyState !== WebSocket.OPEN) continue;
      c.pending = `${c.seq++} `.padEnd(1024, 'steady traffic ');
      c.send(c.pending);
    }
  }, 100);

  // --- churn: CHURN_RATE new connections a second, at most CHURN_CONC at a time
  const ENDS = ['close', 'terminate', 'reset'];
  let active = 0;
  function churnOne(id) {
    active++;
    stats.churn_started++;
    const started = performance.now();
    const c = new WebSocket(url, { perMessageDeflate: deflate });
    const count = 1 + (id % 3);
    const sent = [];
    let got = 0;
    let ended = false;
    const timer = setTimeout(() => {
      fail(`churn connection ${id}: no open in ${OPEN_TIMEOUT_MS} ms`);
      stats.churn_failed++;
      ended = true;
      c.terminate();
    }, OPEN_TIMEOUT_MS);
    c.on('open', () => {
      clearTimeout(timer);
      stats.handshake_ms.push(performance.now() - started);
      for (let k = 0; k < count; k++) {
        const text = `${id}.${k} `.padEnd(200, 'churn ');
        const binary = k % 2 === 1;
        sent.push({ text, binary });
        c.send(binary ? Buffer.from(text) : text, { binary });
      }
    });
    c.on('message', (data, isBinary) => {
      const want = sent[got++];
      if (!want || want.binary !== isBinary || data.toString() !== want.text) {
        stats.mismatches++;
        fail(`churn connection ${id}: unexpected echo ${got}`);
      }
      if (got < count || ended) return;
      ended = true;
      const how = ENDS[id % ENDS.length];
      stats.churn_ends[how]++;
      if (how === 'close') c.close(1000, 'bye');
      else if (how === 'terminate') c.terminate();
      else c._socket.resetAndDestroy();
    });
    c.on('error', (e) => {
      if (ended) return; // a reset we made may surface as ECONNRESET
      stats.churn_failed++;
      fail(`churn connection ${id}: ${e.message}`);
    });
    c.on('close', () => {
      clearTimeout(timer);
      if (!ended) {
        stats.churn_failed++;
        fail(`churn connection ${id}: closed before its echoes`);
      } else if (got === count) stats.churn_done++;
      active--;
    });
  }
  let nextId = 0;
  const churnTimer = setInterval(() => {
    const due = Math.floor(elapsed() * CHURN_RATE) - nextId;
    for (let k = 0; k < due && active < CHURN_CONC; k++) churnOne(nextId++);
  }, 10);

  // --- RSS every second
  const samples = [];
  const cpu0 = cpuSeconds(child.pid);
  await new Promise((resolve) => {
    const tick = () => {
      const t = elapsed();
      if (serverDied !== null) return resolve();
      samples.push([+t.toFixed(2), +rssMB(child.pid).toFixed(1)]);
      if (t >= DURATION_S) return resolve();
      setTimeout(tick, Math.max(0, (samples.length * 1000) - (performance.now() - t0)));
    };
    tick();
  });
  const wall = elapsed();
  const cpu = cpuSeconds(child.pid) - cpu0;
  const slowOpenAtEnd = slow.size;
  running = false;
  clearInterval(churnTimer);
  clearInterval(steadyTimer);
  clearInterval(slowTimer);
  for (let i = 0; i < 500 && active > 0; i++) await sleep(10);
  for (const c of steady) c.terminate();
  for (const s of slow) s.destroy();
  if (serverDied !== null) fail(`${lib} server exited (${serverDied})`);
  await stopServer(server);

  const after = samples.filter(([t]) => t >= WARMUP_S);
  const rss = samples.map(([, r]) => r);
  const hs = stats.handshake_ms.sort((a, b) => a - b);
  return {
    server: lib,
    deflate,
    duration_s: +wall.toFixed(1),
    samples,
    rss_mb: {
      start: rss[0],
      after_warmup: after.length ? after[0][1] : NaN,
      max: Math.max(...rss),
      end: rss[rss.length - 1],
      slope_mb_per_min: +(slope(after) * 60).toFixed(2)
    },
    server_cpu_pct: +((cpu / wall) * 100).toFixed(0),
    churn: {
      connections: stats.churn_done,
      per_s: +(stats.churn_done / wall).toFixed(1),
      failed: stats.churn_failed,
      ends: stats.churn_ends,
      handshake_ms: { p50: +quantile(hs, 0.5).toFixed(2), p99: +quantile(hs, 0.99).toFixed(2), max: +(hs[hs.length - 1] ?? NaN).toFixed(2) }
    },
    steady: { connections: steady.length, messages: stats.steady_msgs, per_s: +(stats.steady_msgs / wall).toFixed(0), failed: stats.steady_failed },
    slowloris: { sockets: SLOWLORIS, open_at_end: slowOpenAtEnd, opened: stats.slow_opened, dropped_by_server: stats.slow_dropped, answers: stats.slow_answers },
    mismatches: stats.mismatches,
    failures: stats.failures
  };
}

// ---------------------------------------------------------------------------------------------
// output

const COLORS = { wsprism: '#2563eb', ws: '#f97316' };
const LABELS = { wsprism: 'wsprism', ws: 'ws + bufferutil' };
const mode = (r) => (r.deflate ? 'deflate' : 'plain');
const f1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-');
const slopeTxt = (v) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}` : '-');

function table(results) {
  const head = '| mode | server | RSS start | after warm-up | max | end | slope after warm-up (MB/min) | churned conns (/s) | handshake p50 / p99 | steady msgs/s | slowloris open / dropped by server | server CPU | failures |';
  const rows = results.map(
    (r) =>
      `| ${mode(r)} | ${LABELS[r.server]} | ${f1(r.rss_mb.start)} MB | ${f1(r.rss_mb.after_warmup)} MB | ${f1(r.rss_mb.max)} MB | ${f1(r.rss_mb.end)} MB | ` +
      `${slopeTxt(r.rss_mb.slope_mb_per_min)} | ${r.churn.connections} (${r.churn.per_s}) | ${r.churn.handshake_ms.p50} / ${r.churn.handshake_ms.p99} ms | ` +
      `${r.steady.per_s} | ${r.slowloris.open_at_end} / ${r.slowloris.dropped_by_server} | ${r.server_cpu_pct}% | ${r.churn.failed + r.steady.failed + r.mismatches} |`
  );
  return [head, '|' + ' --- |'.repeat(13), ...rows].join('\n');
}

/** RSS over time per run, as rows of block characters scaled to the largest RSS of the mode. */
function textChart(results, width = 60) {
  const bars = '▁▂▃▄▅▆▇█';
  const out = [];
  for (const m of MODES) {
    const rs = results.filter((r) => mode(r) === m);
    if (!rs.length) continue;
    const top = Math.max(...rs.map((r) => r.rss_mb.max));
    out.push(`RSS over time, ${m} (full block = ${top.toFixed(0)} MB; ${DURATION_S} s, warm-up ${WARMUP_S} s)`);
    for (const r of rs) {
      let line = '';
      for (let i = 0; i < width; i++) {
        const t = ((i + 0.5) / width) * r.duration_s;
        const near = r.samples.reduce((a, b) => (Math.abs(b[0] - t) < Math.abs(a[0] - t) ? b : a));
        line += bars[Math.min(7, Math.max(0, Math.round((near[1] / top) * 8) - 1))];
      }
      out.push(`  ${r.server.padEnd(8)} ${line}  ${f1(r.rss_mb.end)} MB, slope ${slopeTxt(r.rss_mb.slope_mb_per_min)} MB/min`);
    }
  }
  return out.join('\n');
}

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function chartSvg(results, meta) {
  const panelW = 420;
  const plotH = 240;
  const left = 56;
  const top = 84;
  const gap = 90;
  const width = left + MODES.length * (panelW + gap);
  const height = top + plotH + 84;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${left}" y="20" font-size="15" font-weight="600">Soak: server RSS over time under churn + steady traffic + ${SLOWLORIS} slowloris sockets (lower and flatter is better)</text>`);
  out.push(`<text x="${left}" y="38" fill="#444">${esc(meta)}</text>`);
  let lx = left;
  for (const s of SERVERS) {
    out.push(`<rect x="${lx}" y="47" width="10" height="10" fill="${COLORS[s]}"/><text x="${lx + 14}" y="56">${esc(LABELS[s])}</text>`);
    lx += 30 + LABELS[s].length * 6.2;
  }
  out.push(`<rect x="${lx}" y="47" width="10" height="10" fill="#eee"/><text x="${lx + 14}" y="56">warm-up (not in the slope)</text>`);
  MODES.forEach((m, pi) => {
    const rs = results.filter((r) => mode(r) === m);
    if (!rs.length) return;
    const x0 = left + pi * (panelW + gap);
    const yMax = Math.max(50, ...rs.map((r) => r.rss_mb.max)) * 1.1;
    const step = Math.pow(10, Math.floor(Math.log10(yMax / 2)));
    const tick = [1, 2, 5].map((k) => k * step).find((k) => yMax / k <= 6) || step * 10;
    const xs = (t) => x0 + (t / DURATION_S) * panelW;
    const ys = (v) => top + plotH - (v / yMax) * plotH;
    out.push(`<rect x="${x0}" y="${top}" width="${((WARMUP_S / DURATION_S) * panelW).toFixed(1)}" height="${plotH}" fill="#eee"/>`);
    for (let v = 0; v <= yMax; v += tick) {
      out.push(`<line x1="${x0}" x2="${x0 + panelW}" y1="${ys(v).toFixed(1)}" y2="${ys(v).toFixed(1)}" stroke="#ddd"/>`);
      out.push(`<text x="${x0 - 6}" y="${(ys(v) + 4).toFixed(1)}" text-anchor="end" fill="#444">${v}</text>`);
    }
    for (let t = 0; t <= DURATION_S; t += DURATION_S >= 60 ? 30 : DURATION_S >= 20 ? 5 : 1) {
      out.push(`<text x="${xs(t).toFixed(1)}" y="${top + plotH + 14}" text-anchor="middle" fill="#444">${t}</text>`);
    }
    out.push(`<text x="${x0 + panelW / 2}" y="${top + plotH + 30}" text-anchor="middle" fill="#444">seconds</text>`);
    out.push(`<text x="${x0}" y="${top - 8}" font-weight="600">${m === 'deflate' ? 'permessage-deflate' : 'no compression'} — RSS in MB</text>`);
    out.push(`<line x1="${x0}" x2="${x0}" y1="${top}" y2="${top + plotH}" stroke="#888"/>`);
    rs.forEach((r, i) => {
      const pts = r.samples.map(([t, v]) => `${xs(Math.min(t, DURATION_S)).toFixed(1)},${ys(v).toFixed(1)}`).join(' ');
      out.push(`<polyline fill="none" stroke="${COLORS[r.server]}" stroke-width="2" points="${pts}"><title>${esc(`${LABELS[r.server]}, ${m}: end ${f1(r.rss_mb.end)} MB, slope ${slopeTxt(r.rss_mb.slope_mb_per_min)} MB/min`)}</title></polyline>`);
      out.push(`<text x="${x0}" y="${top + plotH + 48 + i * 14}" fill="${COLORS[r.server]}">${esc(`${LABELS[r.server]}: end ${f1(r.rss_mb.end)} MB, slope ${slopeTxt(r.rss_mb.slope_mb_per_min)} MB/min, ${r.churn.connections} churned`)}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------

async function churnOnly(wsVersion, outDir, t0) {
  console.log(`# churn: ${CHURN_COUNT} connections with permessage-deflate, 50 at a time, one 200-byte echo each, close or terminate`);
  const rows = [];
  for (const lib of SERVERS) {
    const r = await churnCount(lib);
    rows.push(r);
    console.log(`${lib.padEnd(8)} ${r.rss_mb.map(([, v]) => v).join(' ')}   (RSS MB after each ${r.rss_mb[0][0]}; ${r.seconds} s, ${r.failed} failed)`);
  }
  const md = [
    `Server RSS in MB after every ${rows[0].rss_mb[0][0]} connections (\`npm run bench:soak -- --churn-count ${CHURN_COUNT}\`, Node ${process.version}, ws ${wsVersion}):`,
    '',
    `| server | ${rows[0].rss_mb.map(([n]) => n).join(' | ')} |`,
    `| --- |${' --- |'.repeat(rows[0].rss_mb.length)}`,
    ...rows.map((r) => `| ${LABELS[r.server]} | ${r.rss_mb.map(([, v]) => v).join(' | ')} |`)
  ].join('\n');
  console.log('\n' + md + '\n');
  console.log(`# total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (!flag('--no-save') && !smoke) {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'churn.json'), JSON.stringify({ command: `npm run bench:soak -- --churn-count ${CHURN_COUNT}`, node: process.version, ws: wsVersion, rows }, null, 1) + '\n');
    fs.writeFileSync(path.join(outDir, 'churn.md'), md + '\n');
    console.log(`# wrote ${path.relative(root, outDir)}/churn.json, churn.md`);
  }
  if (rows.some((r) => r.failed > 0)) process.exitCode = 1;
}

async function main() {
  if (opt('--replot', '')) {
    // Redraw soak.svg from a saved soak.json (same options as the run that wrote it).
    const file = path.resolve(opt('--replot', ''));
    const { meta, results } = JSON.parse(fs.readFileSync(file, 'utf8'));
    const la = meta.machine.loadavg_1m;
    const line = `${meta.date.slice(0, 10)}, ${meta.machine.nproc} CPUs, Node ${meta.node}, ws ${meta.ws}; churn ${meta.churn_rate}/s, ${meta.steady} steady conns, load average ${Math.min(...la)}-${Math.max(...la)}`;
    fs.writeFileSync(path.join(path.dirname(file), 'soak.svg'), chartSvg(results.filter((r) => !r.error), line));
    return;
  }
  const started = new Date();
  const t0 = Date.now();
  if (!flag('--no-build')) {
    console.log('# building the addon, installing bench/ dependencies');
    sh('bash', ['scripts/build-node.sh']);
    sh('npm', ['install', '--no-audit', '--no-fund', '--silent'], { cwd: here });
  }
  const wsVersion = JSON.parse(fs.readFileSync(req.resolve('ws/package.json'), 'utf8')).version;
  const day = started.toISOString().slice(0, 10);
  const outDir = path.resolve(opt('--out', path.join(here, 'results', day)));
  if (CHURN_COUNT > 0) return churnOnly(wsVersion, outDir, t0);

  console.log(`# cost per connection: ${COST_CONNS} connections, idle then each echoing one 200-byte message (RssAnon slope)`);
  const costs = [];
  for (const m of MODES) {
    for (const lib of SERVERS) {
      const c = await cost(lib, m === 'deflate');
      costs.push(c);
      console.log(`${m.padEnd(8)} ${lib.padEnd(8)} idle ${c.idle_kb} KB/conn, active ${c.active_kb} KB/conn`);
    }
  }
  const runs = MODES.length * SERVERS.length;
  console.log(
    `# ${runs} runs of ${DURATION_S} s (warm-up ${WARMUP_S} s): churn ${CHURN_RATE}/s (<= ${CHURN_CONC} at a time), ` +
      `${STEADY} steady connections (1 KiB / 100 ms), ${SLOWLORIS} slowloris sockets (1 byte/s)`
  );
  console.log(`# server on CPU 0, driver on CPU 1: ${pin ? 'taskset' : 'not pinned (no taskset or < 2 CPUs)'}`);
  const load = [loadavg()];
  const results = [];
  for (const m of MODES) {
    for (const lib of SERVERS) {
      let r;
      try {
        r = await run(lib, m === 'deflate');
      } catch (e) {
        r = { server: lib, deflate: m === 'deflate', error: e.message };
      }
      results.push(r);
      load.push(loadavg());
      if (r.error) {
        console.log(`${m.padEnd(8)} ${lib.padEnd(8)} ERROR ${r.error}`);
        continue;
      }
      console.log(
        `${m.padEnd(8)} ${lib.padEnd(8)} RSS ${f1(r.rss_mb.start)} -> ${f1(r.rss_mb.end)} MB (max ${f1(r.rss_mb.max)}), ` +
          `slope ${slopeTxt(r.rss_mb.slope_mb_per_min)} MB/min; churn ${r.churn.connections} (${r.churn.per_s}/s, ` +
          `handshake p99 ${r.churn.handshake_ms.p99} ms), steady ${r.steady.per_s} msg/s, slowloris ${r.slowloris.open_at_end} open / ` +
          `${r.slowloris.dropped_by_server} dropped, cpu ${r.server_cpu_pct}%` +
          (r.failures.length ? `\n  FAILURES: ${r.failures.join('; ')}` : '')
      );
    }
  }
  const ok = results.filter((r) => !r.error);
  const totalS = (Date.now() - t0) / 1000;
  const la = load.map((l) => l[0]);
  const meta = {
    date: started.toISOString(),
    command: `npm run bench:soak${args.length ? ' -- ' + args.join(' ') : ''}`,
    machine: { nproc: os.cpus().length, cpu: os.cpus()[0]?.model, memory_gb: +(os.totalmem() / 2 ** 30).toFixed(1), kernel: os.release(), loadavg_1m: la },
    node: process.version,
    ws: wsVersion,
    pinned: pin,
    duration_s: DURATION_S,
    warmup_s: WARMUP_S,
    churn_rate: CHURN_RATE,
    churn_concurrency: CHURN_CONC,
    steady: STEADY,
    slowloris: SLOWLORIS,
    total_s: +totalS.toFixed(1)
  };
  const metaLine = `${day}, ${meta.machine.nproc} CPUs, Node ${process.version}, ws ${wsVersion}; churn ${CHURN_RATE}/s, ${STEADY} steady conns, load average ${Math.min(...la)}-${Math.max(...la)}`;
  const tbl = table(ok);
  const chart = textChart(ok);
  const costTbl = [
    `| mode | server | idle KB/conn | active KB/conn (after one message each way) |`,
    '| --- | --- | --- | --- |',
    ...costs.map((c) => `| ${c.deflate ? 'deflate' : 'plain'} | ${LABELS[c.server]} | ${c.idle_kb} | ${c.active_kb} |`)
  ].join('\n');
  console.log('\n' + costTbl + '\n\n' + tbl + '\n\n' + chart + '\n');
  console.log(`# total ${totalS.toFixed(0)} s; load average (1 min) during: ${la.join(' ')}`);
  if (!flag('--no-save') && !smoke) {
    const dir = outDir;
    fs.mkdirSync(dir, { recursive: true });
    const md = [
      `# Soak: ${day}`,
      '',
      `Command: \`${meta.command}\` — total ${totalS.toFixed(0)} s. Node ${process.version}, ws ${wsVersion}, ` +
        `${meta.machine.nproc} CPUs (${meta.machine.cpu}), load average (1 min) ${la.join(' ')}; server pinned to CPU 0, driver to CPU 1: ${pin ? 'yes' : 'no'}.`,
      '',
      `Each run: ${DURATION_S} s; churn ${CHURN_RATE} connections/s (at most ${CHURN_CONC} at a time; 1-3 messages of 200 bytes; ` +
        `close, terminate and reset in turn), ${STEADY} steady connections (1 KiB every 100 ms), ${SLOWLORIS} slowloris sockets ` +
        `(an upgrade request at one byte per second, replaced when dropped). Slope: least squares over the samples after ${WARMUP_S} s.`,
      '',
      tbl,
      '',
      `What a connection costs the server (RssAnon slope over ${COST_CONNS} connections, each idle, then after one 200-byte echo):`,
      '',
      costTbl,
      '',
      '```',
      chart,
      '```',
      '',
      '![RSS over time](soak.svg)',
      ''
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'soak.json'), JSON.stringify({ meta, costs, results }, null, 1) + '\n');
    fs.writeFileSync(path.join(dir, 'soak.md'), md);
    fs.writeFileSync(path.join(dir, 'soak.svg'), chartSvg(ok, metaLine));
    console.log(`# wrote ${path.relative(root, dir)}/soak.json, soak.md, soak.svg`);
  }
  const bad = results.filter((r) => r.error || r.failures.length || r.mismatches || r.churn.connections === 0 || r.steady.messages === 0);
  for (const r of bad) {
    console.error(`bench:soak: ${mode(r)} ${r.server}: ${r.error || [...r.failures, `${r.churn?.connections} churned, ${r.steady?.messages} steady messages`].join('; ')}`);
  }
  if (bad.length) process.exitCode = 1;
  else console.log(`# ok: ${results.length} runs, every echo intact, every legitimate client served`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
