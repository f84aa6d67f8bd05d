// End-to-end echo load test: wsprism's WebSocketServer against `ws` (with and without its
// native addons) and a pure-Rust reference echo, driven by bench/loadgen (Rust, wsprism engine,
// one epoll thread) over plain TCP on 127.0.0.1.
//
//   npm run bench                       # the whole matrix (~8 min), prints the table
//   npm run bench -- --quick            # 1 s windows (~4 min), for development
//   npm run bench -- --only 20B,c100    # a subset: sizes (20B 1KiB 16KiB 1MiB), c1 c100 c1000,
//                                       # plain deflate, servers (wsprism wsprism-wasm ws
//                                       # ws-noaddons rust);
//                                       # tokens of one kind are alternatives, kinds combine
//   npm run bench -- --smoke            # a few 0.3 s runs; fails if an echo is wrong or missing
//   options: --duration-ms N --warmup-ms N --idle-ms N --servers a,b --no-build --no-save --out DIR
//
// Every scenario (size x connections x deflate) runs each server in turn, each in a fresh
// process pinned to CPU 0 (taskset), with the load generator pinned to CPU 1. The load
// generator opens a tenth of the connections, then all of them, reading the server's memory
// after each step (per-connection cost = the slope), runs a warm-up, then measures for
// --duration-ms or a message cap, whichever comes first, and reports messages/s, latency
// percentiles, the server's peak RSS and both processes' CPU time.
// Results: bench/results/<date>/results.json, results.md (tables) and chart.svg.

import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/args.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const { args, flag, opt } = parseArgs();
const smoke = flag('--smoke'); // npm test: a few short runs, checks that every echo came back intact
const quick = flag('--quick') || smoke;
const DURATION_MS = Number(opt('--duration-ms', smoke ? 300 : quick ? 1000 : 3000));
const WARMUP_MS = Number(opt('--warmup-ms', smoke ? 100 : quick ? 300 : 500));
const IDLE_MS = Number(opt('--idle-ms', smoke ? 100 : 300));
const only = (opt('--only', smoke ? '20B,c1,c100,wsprism,ws,rust' : '') || '').split(',').filter(Boolean);
const startedAt = new Date();
const t0 = Date.now();

const SERVERS = [
  {
    name: 'wsprism',
    label: 'wsprism (Node)',
    cmd: () => [process.execPath, path.join(here, 'servers/wsprism-echo.mjs')],
    env: { WSPRISM_BACKEND: 'native' }
  },
  {
    // The same server on the package's WebAssembly backend (the fallback where no prebuilt
    // addon loads).
    name: 'wsprism-wasm',
    label: 'wsprism (Node, wasm backend)',
    cmd: () => [process.execPath, path.join(here, 'servers/wsprism-echo.mjs')],
    env: { WSPRISM_BACKEND: 'wasm' }
  },
  {
    name: 'ws',
    label: 'ws + bufferutil',
    cmd: () => [process.execPath, path.join(here, 'servers/ws-echo.mjs')],
    env: {}
  },
  {
    name: 'ws-noaddons',
    label: 'ws, no addons',
    cmd: () => [process.execPath, path.join(here, 'servers/ws-echo.mjs')],
    env: { WS_NO_BUFFER_UTIL: '1', WS_NO_UTF_8_VALIDATE: '1' }
  },
  {
    name: 'rust',
    label: 'Rust echo (engine, mio)',
    cmd: () => [path.join(here, 'loadgen/target/release/rust-echo')],
    env: {}
  }
];
const serverFilter = (opt('--servers', '') || '').split(',').filter(Boolean);

const SIZES = [
  { name: '20B', bytes: 20 },
  { name: '1KiB', bytes: 1024 },
  { name: '16KiB', bytes: 16384 },
  { name: '1MiB', bytes: 1 << 20 }
];
const CONNS = [1, 100, 1000];

/**
 * Load shape per scenario: messages in flight per connection (window), an optional cap on the
 * total in flight, and a message cap for the measured window. 1 MiB messages keep at most 16
 * in flight in total (16 MiB) so that 1000 connections do not queue 1 GiB.
 */
function shape(size, conns) {
  if (size.bytes >= 1 << 20) {
    return { window: conns === 1 ? 2 : 1, maxInflight: conns === 1 ? 0 : 16, maxMsgs: 5000 };
  }
  if (size.bytes >= 16384) {
    return { window: conns === 1 ? 16 : conns === 100 ? 4 : 1, maxInflight: 0, maxMsgs: 500000 };
  }
  return { window: conns === 1 ? 32 : conns === 100 ? 16 : 4, maxInflight: 0, maxMsgs: 5000000 };
}

function selected(parts) {
  if (only.length === 0) return true;
  // Every --only token of a kind present must match: "20B,c100" = 20B and 100 connections.
  const kinds = {
    size: SIZES.map((s) => s.name),
    conns: CONNS.map((c) => `c${c}`),
    mode: ['plain', 'deflate']
  };
  for (const [kind, names] of Object.entries(kinds)) {
    const want = only.filter((o) => names.includes(o));
    if (want.length && !want.includes(parts[kind])) return false;
  }
  return true;
}

function sh(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`bench: ${cmd} ${argv.join(' ')} failed (${r.status})`);
    process.exit(1);
  }
}

function haveTaskset() {
  if (os.cpus().length < 2) return false;
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}
const pin = haveTaskset();
const pinned = (cpu, argv) => (pin ? ['taskset', ['-c', String(cpu), ...argv]] : [argv[0], argv.slice(1)]);

function loadavg() {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

function cpuModel() {
  try {
    const m = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/);
    return m ? m[1].trim() : os.cpus()[0].model;
  } catch {
    return os.cpus()[0].model;
  }
}

function startServer(srv, deflate) {
  return new Promise((resolve, reject) => {
    const argv = srv.cmd();
    if (deflate) argv.push('--deflate');
    const [cmd, rest] = pinned(0, argv);
    const child = spawn(cmd, rest, {
      cwd: here,
      env: { ...process.env, ...srv.env },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${srv.name}: no READY line in 15 s\n${err}`));
    }, 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/READY (\d+)(.*)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), info: m[2].trim(), stderr: () => err });
      }
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${srv.name} exited (${code}) before READY\n${err}`));
    });
  });
}

function stopServer(s) {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
    const k = setTimeout(() => s.child.kill('SIGKILL'), 3000);
    s.child.once('exit', () => {
      clearTimeout(k);
      resolve();
    });
    s.child.kill('SIGTERM');
  });
}

function runLoadgen(port, pid, sc) {
  return new Promise((resolve) => {
    const bin = path.join(here, 'loadgen/target/release/loadgen');
    const a = [
      bin,
      '--port', String(port),
      '--server-pid', String(pid),
      '--conns', String(sc.conns),
      '--size', String(sc.size.bytes),
      '--window', String(sc.window),
      '--warmup-ms', String(WARMUP_MS),
      '--duration-ms', String(DURATION_MS),
      '--idle-ms', String(IDLE_MS),
      '--max-msgs', String(sc.maxMsgs),
      '--timeout-ms', String(30000 + DURATION_MS)
    ];
    if (sc.maxInflight) a.push('--max-inflight', String(sc.maxInflight));
    if (sc.deflate) a.push('--deflate');
    const [cmd, rest] = pinned(1, a);
    const child = spawn(cmd, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const kill = setTimeout(() => child.kill('SIGKILL'), 45000 + DURATION_MS);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      clearTimeout(kill);
      try {
        const j = JSON.parse(out.trim().split('\n').pop());
        if (j.error) resolve({ error: j.error });
        else resolve(j);
      } catch {
        resolve({ error: `loadgen exited ${code}: ${err.trim().slice(0, 300)}` });
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// formatting

function fmtRate(v) {
  if (v === undefined || v === null || Number.isNaN(v)) return '–';
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(0)} k`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k`;
  return v.toFixed(v >= 100 ? 0 : 1);
}
function fmtUs(us) {
  if (us === undefined) return '–';
  if (us >= 1e6) return `${(us / 1e6).toFixed(2)} s`;
  if (us >= 1e4) return `${(us / 1e3).toFixed(0)} ms`;
  if (us >= 1e3) return `${(us / 1e3).toFixed(1)} ms`;
  return `${us} µs`;
}
// Server CPU time per echoed message: steadier than messages/s when other jobs share the CPU.
const cpuUs = (x) => (x && !x.error && x.messages > 0 ? (x.server_cpu_s * 1e6) / x.messages : undefined);
function cpuPerMsg(x) {
  const v = cpuUs(x);
  if (v === undefined) return '–';
  return v >= 1000 ? `${(v / 1000).toFixed(1)} ms` : `${v.toFixed(v >= 100 ? 0 : 1)} µs`;
}
const fmtRatio = (r) => (r === undefined || !Number.isFinite(r) ? '–' : `${r.toFixed(2)}x`);
const fmtMB = (kb) => (kb ? `${(kb / 1024).toFixed(0)}` : '–');
const fmtKB = (kb) => (kb === undefined ? '–' : kb.toFixed(1));
const scenarioName = (s) => `${s.size.name} × ${s.conns} ${s.deflate ? 'deflate' : 'plain'}`;

function summaryTable(scenarios, results, servers) {
  const has = (n) => servers.some((s) => s.name === n);
  const head = ['scenario', 'window'];
  for (const s of servers) head.push(`${s.name} msg/s`);
  if (has('wsprism') && has('ws')) head.push('wsprism / ws');
  if (has('wsprism') && has('ws-noaddons')) head.push('wsprism / ws-noaddons');
  if (has('wsprism') && has('ws')) head.push('CPU/msg ws / wsprism');
  if (has('wsprism')) head.push('wsprism p50 / p99');
  if (has('ws')) head.push('ws p50 / p99');
  if (has('wsprism')) head.push('wsprism idle KB/conn', 'wsprism peak RSS MB');
  if (has('ws')) head.push('ws idle KB/conn', 'ws peak RSS MB');
  // idle KB/conn: RssAnon slope between conns/10 and conns idle connections.
  const rows = [head];
  for (const sc of scenarios) {
    const r = results.filter((x) => x.scenario === sc.id);
    const by = (n) => r.find((x) => x.server === n);
    const rate = (n) => (by(n) && !by(n).error ? by(n).msgs_per_s : undefined);
    const row = [scenarioName(sc), `${sc.window}${sc.maxInflight ? ` (≤${sc.maxInflight} total)` : ''}`];
    for (const s of servers) row.push(by(s.name) && by(s.name).error ? 'error' : fmtRate(rate(s.name)));
    if (has('wsprism') && has('ws')) row.push(fmtRatio(rate('wsprism') / rate('ws')));
    if (has('wsprism') && has('ws-noaddons')) row.push(fmtRatio(rate('wsprism') / rate('ws-noaddons')));
    if (has('wsprism') && has('ws')) row.push(fmtRatio(cpuUs(by('ws')) / cpuUs(by('wsprism'))));
    const lat = (n) => {
      const x = by(n);
      return x && !x.error ? `${fmtUs(x.latency_us.p50)} / ${fmtUs(x.latency_us.p99)}` : '–';
    };
    const mem = (n) => {
      const x = by(n);
      return x && !x.error ? [sc.conns > 1 ? fmtKB(x.anon_per_conn_kb) : '–', fmtMB(x.server_rss_peak_kb)] : ['–', '–'];
    };
    if (has('wsprism')) row.push(lat('wsprism'));
    if (has('ws')) row.push(lat('ws'));
    if (has('wsprism')) row.push(...mem('wsprism'));
    if (has('ws')) row.push(...mem('ws'));
    rows.push(row);
  }
  return mdTable(rows);
}

function detailTable(scenarios, results, servers) {
  const rows = [
    ['scenario', 'server', 'msg/s', 'p50', 'p99', 'server CPU', 'server µs CPU/msg', 'loadgen CPU', 'idle RSS MB', 'idle KB/conn (RSS / anon)', 'peak RSS MB', 'stop (messages)']
  ];
  for (const sc of scenarios) {
    for (const s of servers) {
      const x = results.find((y) => y.scenario === sc.id && y.server === s.name);
      if (!x) continue;
      if (x.error) {
        rows.push([scenarioName(sc), s.name, 'error: ' + String(x.error).slice(0, 60), '', '', '', '', '', '', '', '', '']);
        continue;
      }
      rows.push([
        scenarioName(sc),
        s.name,
        fmtRate(x.msgs_per_s),
        fmtUs(x.latency_us.p50),
        fmtUs(x.latency_us.p99),
        `${x.server_cpu_pct.toFixed(0)}%`,
        cpuPerMsg(x),
        `${x.loadgen_cpu_pct.toFixed(0)}%`,
        fmtMB(x.server_rss_idle_kb),
        sc.conns > 1 ? `${fmtKB(x.rss_per_conn_kb)} / ${fmtKB(x.anon_per_conn_kb)}` : '–',
        fmtMB(x.server_rss_peak_kb),
        `${x.stop} (${x.messages})`
      ]);
    }
  }
  return mdTable(rows);
}

function mdTable(rows) {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => '| ' + r.map((c, i) => String(c).padEnd(w[i])).join(' | ') + ' |';
  return [line(rows[0]), '|' + w.map((n) => '-'.repeat(n + 2)).join('|') + '|', ...rows.slice(1).map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// chart: grouped bars of messages/s per scenario and server, log scale

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function chartSvg(scenarios, results, servers, meta) {
  const colors = { wsprism: '#2563eb', ws: '#f97316', 'ws-noaddons': '#fbbf24', rust: '#6b7280' };
  const barW = 11;
  const step = barW + 1;
  const groupW = step * servers.length + 12;
  const left = 70;
  const top = 64;
  const plotH = 300;
  const bottom = 110;
  const width = left + scenarios.length * groupW + 20;
  const height = top + plotH + bottom;
  const rates = results.filter((r) => !r.error).map((r) => r.msgs_per_s).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.max(1, Math.min(...rates, 10)))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...rates, 10))));
  const y = (v) => top + plotH - (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * plotH;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${left}" y="20" font-size="15" font-weight="600">WebSocket echo: messages/s per scenario (log scale; higher is better)</text>`);
  out.push(`<text x="${left}" y="38" fill="#444">${esc(meta)}</text>`);
  // legend
  let lx = left;
  for (const s of servers) {
    out.push(`<rect x="${lx}" y="46" width="10" height="10" fill="${colors[s.name] || '#999'}"/>`);
    out.push(`<text x="${lx + 14}" y="55">${esc(s.label)}</text>`);
    lx += 24 + s.label.length * 6.2;
  }
  // grid
  for (let v = lo; v <= hi; v *= 10) {
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${left}" x2="${width - 20}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${(+yy + 4).toFixed(1)}" text-anchor="end" fill="#444">${v >= 1e6 ? `${v / 1e6} M` : v >= 1e3 ? `${v / 1e3} k` : v}</text>`);
  }
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#888"/>`);
  scenarios.forEach((sc, gi) => {
    const gx = left + gi * groupW + 6;
    if (gi > 0 && scenarios[gi - 1].size.name !== sc.size.name) {
      out.push(`<line x1="${gx - 6}" x2="${gx - 6}" y1="${top}" y2="${top + plotH + 70}" stroke="#bbb" stroke-dasharray="3,3"/>`);
    }
    servers.forEach((s, si) => {
      const r = results.find((x) => x.scenario === sc.id && x.server === s.name);
      if (!r || r.error) return;
      const yy = y(r.msgs_per_s);
      const x = gx + si * step;
      out.push(`<rect x="${x}" y="${yy.toFixed(1)}" width="${barW}" height="${(top + plotH - yy).toFixed(1)}" fill="${colors[s.name] || '#999'}"><title>${esc(`${scenarioName(sc)} — ${s.label}: ${fmtRate(r.msgs_per_s)} msg/s, p50 ${fmtUs(r.latency_us.p50)}, p99 ${fmtUs(r.latency_us.p99)}`)}</title></rect>`);
    });
    const cx = gx + (servers.length * step) / 2;
    const ratioR = results.find((x) => x.scenario === sc.id && x.server === 'wsprism');
    const ratioW = results.find((x) => x.scenario === sc.id && x.server === 'ws');
    if (ratioR && ratioW && !ratioR.error && !ratioW.error) {
      out.push(`<text x="${cx}" y="${top + plotH + 14}" text-anchor="middle" font-weight="600" fill="#2563eb">${(ratioR.msgs_per_s / ratioW.msgs_per_s).toFixed(1)}x</text>`);
    }
    out.push(`<text x="${cx}" y="${top + plotH + 28}" text-anchor="middle">${sc.conns}c</text>`);
    out.push(`<text x="${cx}" y="${top + plotH + 41}" text-anchor="middle" fill="#555">${sc.deflate ? 'defl' : 'plain'}</text>`);
    if (gi === 0 || scenarios[gi - 1].size.name !== sc.size.name) {
      out.push(`<text x="${gx}" y="${top + plotH + 62}" font-size="13" font-weight="600">${esc(sc.size.name)}</text>`);
    }
  });
  out.push(`<text x="${left}" y="${height - 12}" fill="#444">Blue figures under the bars: wsprism / ws (with bufferutil) messages/s, same run. c = connections, defl = permessage-deflate.</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const onlyServers = only.filter((o) => SERVERS.some((s) => s.name === o));
  const want = serverFilter.length ? serverFilter : onlyServers;
  const servers = SERVERS.filter((s) => want.length === 0 || want.includes(s.name));
  if (!flag('--no-build')) {
    console.log('# building the addon and the load generator, installing bench/ dependencies');
    sh('bash', ['scripts/build-node.sh']);
    if (servers.some((s) => s.name === 'wsprism-wasm')) sh('bash', ['scripts/build-wasm.sh']);
    sh('cargo', ['build', '--release', '--quiet', '--manifest-path', 'bench/loadgen/Cargo.toml']);
    sh('npm', ['install', '--no-audit', '--no-fund', '--silent'], { cwd: here });
  }
  const buildS = (Date.now() - t0) / 1000;
  const req = createRequire(path.join(here, 'package.json'));
  const wsVersion = JSON.parse(fs.readFileSync(req.resolve('ws/package.json'), 'utf8')).version;

  const scenarios = [];
  for (const size of SIZES) {
    for (const deflate of [false, true]) {
      for (const conns of CONNS) {
        const parts = { size: size.name, conns: `c${conns}`, mode: deflate ? 'deflate' : 'plain' };
        if (!selected(parts)) continue;
        scenarios.push({ id: `${size.name}-c${conns}-${deflate ? 'deflate' : 'plain'}`, size, conns, deflate, ...shape(size, conns) });
      }
    }
  }
  const runs = scenarios.length * servers.length;
  const perRun = (WARMUP_MS + DURATION_MS + 2 * IDLE_MS) / 1000 + 0.6;
  console.log(
    `# ${scenarios.length} scenarios x ${servers.length} servers = ${runs} runs; ` +
      `~${Math.round(runs * perRun)} s planned (${perRun.toFixed(1)} s each: warm-up ${WARMUP_MS} ms, ` +
      `window ${DURATION_MS} ms, 2 x idle ${IDLE_MS} ms, start/connect/stop ~0.6 s)`
  );
  console.log(`# server on CPU 0, load generator on CPU 1: ${pin ? 'taskset' : 'not pinned (no taskset or < 2 CPUs)'}`);
  const load = [loadavg()];
  const results = [];
  for (const sc of scenarios) {
    for (const srv of servers) {
      let s;
      const rt0 = Date.now();
      let r;
      try {
        s = await startServer(srv, sc.deflate);
        r = await runLoadgen(s.port, s.child.pid, sc);
      } catch (e) {
        r = { error: e.message.split('\n')[0] };
      }
      if (s) await stopServer(s);
      r = { scenario: sc.id, server: srv.name, size: sc.size.bytes, conns: sc.conns, deflate: sc.deflate, run_s: (Date.now() - rt0) / 1000, ...r };
      if (s && s.info) r.server_info = s.info;
      results.push(r);
      const line = r.error
        ? `ERROR ${r.error}`
        : `${fmtRate(r.msgs_per_s).padStart(7)} msg/s  p50 ${fmtUs(r.latency_us.p50).padStart(7)}  p99 ${fmtUs(r.latency_us.p99).padStart(7)}  ` +
          `cpu srv ${r.server_cpu_pct.toFixed(0).padStart(3)}% (${cpuPerMsg(r).padStart(7)}/msg) gen ${r.loadgen_cpu_pct.toFixed(0).padStart(3)}%  ` +
          `idle ${fmtKB(r.anon_per_conn_kb).padStart(6)} KB/conn (anon)  peak ${fmtMB(r.server_rss_peak_kb).padStart(5)} MB` +
          (r.mismatches ? `  MISMATCHES ${r.mismatches}` : '');
      console.log(`${scenarioName(sc).padEnd(24)} ${srv.name.padEnd(12)} ${line}`);
    }
    load.push(loadavg());
  }
  const totalS = (Date.now() - t0) / 1000;
  const la = load.map((l) => l[0]);
  const meta = {
    date: startedAt.toISOString(),
    command: `npm run bench${args.length ? ' -- ' + args.join(' ') : ''}`,
    machine: {
      nproc: os.cpus().length,
      cpu: cpuModel(),
      memory_gb: +(os.totalmem() / 2 ** 30).toFixed(1),
      kernel: os.release(),
      loadavg_start: load[0],
      loadavg_end: load[load.length - 1],
      loadavg_1m_during: { min: Math.min(...la), max: Math.max(...la), mean: +(la.reduce((a, b) => a + b, 0) / la.length).toFixed(2) }
    },
    node: process.version,
    ws: wsVersion,
    pinned: pin,
    warmup_ms: WARMUP_MS,
    duration_ms: DURATION_MS,
    build_s: +buildS.toFixed(1),
    total_s: +totalS.toFixed(1)
  };
  const summary = summaryTable(scenarios, results, servers);
  const detail = detailTable(scenarios, results, servers);
  const day = startedAt.toISOString().slice(0, 10);
  const laTxt = `load average (1 min) ${meta.machine.loadavg_1m_during.min}-${meta.machine.loadavg_1m_during.max}`;
  const metaLine = `${day}, ${meta.machine.nproc} CPUs (${meta.machine.cpu}), Node ${process.version}, ws ${wsVersion}, ${laTxt}`;
  const md = [
    `# End-to-end echo: ${day}`,
    '',
    `Command: \`${meta.command}\` — total ${totalS.toFixed(0)} s (build ${buildS.toFixed(0)} s).`,
    `Machine: ${meta.machine.nproc} CPUs, ${meta.machine.cpu}, ${meta.machine.memory_gb} GB, Linux ${meta.machine.kernel}; ` +
      `${laTxt} during the run (start ${load[0].join(' ')}). Node ${process.version}, ws ${wsVersion}.`,
    `Server pinned to CPU 0, load generator to CPU 1: ${pin ? 'yes (taskset)' : 'no'}. Warm-up ${WARMUP_MS} ms, then ${DURATION_MS} ms or the message cap.`,
    '',
    '## Summary (messages/s; ratios within this run)',
    '',
    summary,
    '',
    '## Every run',
    '',
    detail,
    ''
  ].join('\n');
  console.log('\n' + summary + '\n');
  console.log(`# total ${totalS.toFixed(1)} s (build ${buildS.toFixed(1)} s, ${runs} runs); load average during: ${la.join(' ')}`);
  if (!flag('--no-save') && !smoke) {
    const dir = path.resolve(opt('--out', path.join(here, 'results', day)));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify({ meta, scenarios: scenarios.map((s) => ({ ...s, size: s.size.bytes })), results }, null, 1) + '\n');
    fs.writeFileSync(path.join(dir, 'results.md'), md);
    fs.writeFileSync(path.join(dir, 'chart.svg'), chartSvg(scenarios, results, servers, metaLine));
    console.log(`# wrote ${path.relative(root, dir)}/results.json, results.md, chart.svg`);
  }
  const bad = results.filter((r) => r.error || r.mismatches > 0 || !(r.messages > 0));
  for (const r of bad) console.error(`bench: ${r.scenario} ${r.server}: ${r.error || `${r.mismatches} bad echoes, ${r.messages} messages`}`);
  if (bad.length) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
