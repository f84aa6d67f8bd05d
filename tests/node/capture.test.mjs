// Recorded traffic → inspectCapture, checked byte for byte.
//
// tcpdump records real WebSocket conversations on 127.0.0.1 (wsprism's WebSocketServer ↔ the
// `ws` client, `ws`'s server ↔ wsprism's WebSocket client; without permessage-deflate and with
// it, context takeover on and off): text (multi-byte UTF-8 too), binary, empty, fragmented
// (a UTF-8 character split across fragments), a 1 MiB message, pings and pongs, a close with a
// code and a reason; one conversation also over IPv6 ([::1]). The pcap is then decoded by the Node package's inspectCapture, by the CLI
// (`wsprism capture FILE --json --max-bytes 0`) and by wsprism-web's inspectCapture in Node, and
// every message in the report must be what was sent, byte for byte, in its direction and order.
// A HAR file in Chrome's shape, written from the same conversation, goes through both too.
//
// Needs: tcpdump allowed to capture on lo and `any` (root or CAP_NET_RAW: there is no silent
// skip, the test fails and says why), the Node addon (scripts/build-node.sh), the wasm package
// (scripts/build-wasm.sh), the CLI (cargo build -p wsprism-cli) and tests/node_modules/ws.
// scripts/test.d/35-capture.sh prepares all of it.
//
//   WSPRISM_TCPDUMP=/path/to/tcpdump   (default: tcpdump on PATH)
//   WSPRISM_CLI=/path/to/wsprism       (default: target/debug/wsprism, else target/release/wsprism)
//   WSPRISM_CAPTURE_DIR=/some/dir      keep the capture files there (default: a temp dir, removed
//                                      when every test passed, kept and printed otherwise)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, delimiter } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { withTimeout } from './helpers.mjs';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = require(join(ROOT, 'packages/wsprism'));
const WS = require('ws');
// wsprism-web's capture functions live in its second module, the entry wsprism-web/capture.
const web = await import(pathToFileURL(join(ROOT, 'packages/wsprism-web/capture.js')).href);
web.initSync({ module: readFileSync(join(ROOT, 'packages/wsprism-web/wasm/wsprism_capture_bg.wasm')) });

const HOST = '127.0.0.1';
/** `host:port` as URLs, Host headers and the report write it (`[::1]:port` for IPv6). */
const hostPort = (host, port) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
const MiB = 1024 * 1024;
const T = { timeout: 180_000 };

// ------------------------------------------------------------------------------- tools

function which(name) {
  for (const dir of (process.env.PATH || '').split(delimiter).concat(['/usr/sbin', '/usr/bin', '/sbin'])) {
    const f = join(dir, name);
    try {
      accessSync(f, constants.X_OK);
      return f;
    } catch {
      /* next */
    }
  }
  return null;
}

const TCPDUMP = process.env.WSPRISM_TCPDUMP || which('tcpdump');
const CLI = process.env.WSPRISM_CLI
  || [join(ROOT, 'target/debug/wsprism'), join(ROOT, 'target/release/wsprism')].find((f) => existsSync(f))
  || null;

const keepDir = process.env.WSPRISM_CAPTURE_DIR;
const DIR = keepDir || mkdtempSync(join(tmpdir(), 'wsprism-capture-'));
mkdirSync(DIR, { recursive: true });
let failed = false;
after(() => {
  if (keepDir || failed) console.log(`# capture files kept in ${DIR}`);
  else rmSync(DIR, { recursive: true, force: true });
});

/** Wraps a test body: remembers failures so the capture files are kept for a look. */
function tracked(fn) {
  return async (t) => {
    try {
      await fn(t);
    } catch (e) {
      failed = true;
      throw e;
    }
  };
}


/**
 * Starts tcpdump on `iface` for the given TCP ports; resolves once it is capturing ("listening
 * on" on stderr). `stop()` ends it with SIGINT (SIGTERM, then SIGKILL if it hangs), waits for it
 * to exit so the file is complete, and returns its packet counts.
 */
async function startTcpdump(iface, ports, file) {
  if (!TCPDUMP) {
    throw new Error('tcpdump is not installed: run `bash scripts/setup/tcpdump.sh` (or set WSPRISM_TCPDUMP)');
  }
  const filter = ports.map((p) => `tcp port ${p}`).join(' or ');
  // -U + --immediate-mode: every packet reaches the file at once (without immediate mode,
  // libpcap hands packets over in blocks, and the last block is lost when tcpdump is stopped).
  // -B 65536 (KiB): room for bursts of 64 KiB loopback segments. -Z root: as root, tcpdump
  // would otherwise drop to the `tcpdump` user, which cannot write into our private temp dir.
  const args = ['-i', iface, '-w', file, '-U', '--immediate-mode', '-n', '-s', '0', '-B', '65536'];
  if (process.getuid && process.getuid() === 0) args.push('-Z', 'root');
  args.push(filter);
  const proc = spawn(TCPDUMP, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = once(proc, 'exit');
  const listening = new Promise((resolve, reject) => {
    const check = () => {
      if (/listening on/.test(stderr)) resolve();
    };
    proc.stderr.on('data', check);
    exited.then(([code, signal]) =>
      reject(new Error(
        `tcpdump could not capture on ${iface} (exit ${code ?? signal}): ${stderr.trim()}\n` +
        'Capturing needs root or CAP_NET_RAW + CAP_NET_ADMIN for tcpdump ' +
        '(e.g. `setcap cap_net_raw,cap_net_admin+eip "$(command -v tcpdump)"`); this test does not skip.'
      ))
    );
    proc.on('error', (e) => reject(new Error(`cannot run ${TCPDUMP}: ${e.message}`)));
  });
  try {
    await withTimeout(listening, 15_000, `tcpdump -i ${iface} to start (stderr so far: ${JSON.stringify(stderr)})`);
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
  return {
    file,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGINT');
        const t1 = setTimeout(() => proc.kill('SIGTERM'), 5_000);
        const t2 = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t1);
        clearTimeout(t2);
      }
      const [code, signal] = await exited;
      const num = (re) => {
        const m = re.exec(stderr);
        return m ? Number(m[1]) : NaN;
      };
      const stats = {
        code,
        signal,
        stderr,
        captured: num(/(\d+) packets? captured/),
        dropped: num(/(\d+) packets? dropped by kernel/),
      };
      if (signal === 'SIGKILL') throw new Error(`tcpdump had to be killed; the capture may be incomplete: ${stderr}`);
      return stats;
    },
  };
}

/** Runs the CLI on a file; returns the parsed JSON report. */
function cliReport(file, extra = []) {
  if (!CLI) throw new Error('the wsprism CLI is not built: run `cargo build -p wsprism-cli` (or set WSPRISM_CLI)');
  const out = execFileSync(CLI, ['capture', file, '--json', ...extra], {
    maxBuffer: 2 ** 31 - 1,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out);
}

// ------------------------------------------------------------------------------- payloads

const hex = (b) => Buffer.from(b).toString('hex');
const utf8 = (s) => Buffer.from(s, 'utf8');

/** Deterministic bytes: a repeating text with LCG noise (compressible, but not trivially). */
function pseudoRandom(n, seed) {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  const words = utf8('capture-frames-wsprism-');
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    b[i] = (x >>> 24) < 96 ? x >>> 16 : words[i % words.length];
  }
  return b;
}

/**
 * What one side sends, in order. Each entry: a data message `{ kind, data: Buffer, parts? }`
 * (parts: fragments, sent with fin: false) or a ping `{ kind: 'ping', data }`.
 */
function script(side, n) {
  const hello = utf8(`hello from the ${side} #${n}`);
  const multi = utf8(`héllo wörld — 日本語 — 🎉 ✓ (${side})`);
  // A text message in three fragments; the first cut falls inside the 4-byte 🎉.
  const fragText = utf8(`frag 🎉 text — ${side}`);
  const cut = fragText.indexOf(Buffer.from('🎉')) + 2;
  const fragBin = pseudoRandom(3000, 7 + n);
  return [
    { kind: 'text', data: hello },
    { kind: 'text', data: hello }, // the same again: context takeover makes it smaller on the wire
    { kind: 'text', data: multi },
    { kind: 'binary', data: Buffer.from(Array.from({ length: 256 }, (_, i) => i)) },
    { kind: 'text', data: Buffer.alloc(0) },
    { kind: 'binary', data: Buffer.alloc(0) },
    { kind: 'ping', data: utf8(`ping ${side} ✓`) },
    {
      kind: 'text',
      data: fragText,
      parts: [fragText.subarray(0, cut), fragText.subarray(cut, cut + 5), fragText.subarray(cut + 5)],
    },
    { kind: 'binary', data: fragBin, parts: [fragBin.subarray(0, 1000), fragBin.subarray(1000, 1001), fragBin.subarray(1001)] },
    { kind: 'binary', data: pseudoRandom(MiB, 1000 + n) },
    { kind: 'text', data: utf8(`last from the ${side}`) },
  ];
}

const dataMessages = (s) => s.filter((m) => m.kind !== 'ping');

function sendScript(ws, list, compress) {
  for (const m of list) {
    if (m.kind === 'ping') {
      ws.ping(m.data);
    } else if (m.parts) {
      m.parts.forEach((p, i) => ws.send(p, { binary: m.kind === 'binary', fin: i === m.parts.length - 1, compress }));
    } else {
      ws.send(m.data, { binary: m.kind === 'binary', compress });
    }
  }
}

// ------------------------------------------------------------------------------- conversations

const OurServer = pkg.WebSocketServer;
const OurClient = pkg.WebSocket;

const NO_TAKEOVER = { serverNoContextTakeover: true, clientNoContextTakeover: true };

/** The conversations; each gets its own server (and port), `closer` initiates the close. */
const SCENARIOS = [
  { name: 'wsprism server / ws client, no deflate', server: 'wsprism', client: 'ws', deflate: null, protocol: 'chat.v1', closer: 'client' },
  { name: 'wsprism server / ws client, deflate with context takeover', server: 'wsprism', client: 'ws', deflate: {}, closer: 'server' },
  { name: 'wsprism server / ws client, deflate without context takeover', server: 'wsprism', client: 'ws', deflate: NO_TAKEOVER, closer: 'client' },
  { name: 'ws server / wsprism client, no deflate', server: 'ws', client: 'wsprism', deflate: null, protocol: 'chat.v1', closer: 'server' },
  { name: 'ws server / wsprism client, deflate with context takeover', server: 'ws', client: 'wsprism', deflate: {}, closer: 'client' },
  { name: 'ws server / wsprism client, deflate without context takeover', server: 'ws', client: 'wsprism', deflate: NO_TAKEOVER, closer: 'server' },
];

const CLOSE = {
  client: { code: 4001, reason: 'client bye ✓' },
  server: { code: 4002, reason: 'server: done — ok' },
};

async function startServer(sc) {
  const Server = sc.server === 'wsprism' ? OurServer : WS.WebSocketServer;
  const opts = { host: sc.host ?? HOST, port: 0 };
  // threshold 0: every message is compressed, the empty ones too.
  if (sc.deflate) opts.perMessageDeflate = { ...sc.deflate, threshold: 0 };
  if (sc.protocol) opts.handleProtocols = (protocols) => (protocols.has(sc.protocol) ? sc.protocol : false);
  const server = new Server(opts);
  await once(server, 'listening');
  return server;
}

function closeServer(server) {
  return new Promise((resolve) => {
    for (const c of server.clients ?? []) c.terminate();
    server.close(() => resolve());
  });
}

/** A recorder of what one side received. */
function record(ws) {
  const got = { messages: [], pings: [], pongs: [], close: null };
  ws.on('message', (data, isBinary) => {
    const b = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    got.messages.push({ kind: isBinary ? 'binary' : 'text', data: b });
  });
  ws.on('ping', (d) => got.pings.push(Buffer.from(d)));
  ws.on('pong', (d) => got.pongs.push(Buffer.from(d)));
  ws.on('error', (e) => {
    got.error = e;
  });
  got.closed = new Promise((resolve) =>
    ws.on('close', (code, reason) => {
      got.close = { code, reason: Buffer.from(reason ?? '').toString('utf8') };
      resolve();
    })
  );
  return got;
}

async function until(cond, ms, what) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Runs one conversation against a listening server; returns what was sent and received on
 * both sides plus the endpoints and the negotiated protocol/extensions.
 */
async function converse(sc, server, n) {
  const port = server.address().port;
  const path = `/capture/${n}?q=${encodeURIComponent('ü x')}`;
  const clientScript = script('client', n);
  const serverScript = script('server', n);
  const compress = Boolean(sc.deflate);
  let serverSide = null;
  let serverGot = null;
  const accepted = new Promise((resolve) => {
    server.once('connection', (ws, req) => {
      serverSide = ws;
      serverGot = record(ws);
      resolve({ clientPort: req.socket.remotePort });
      sendScript(ws, serverScript, compress);
    });
  });
  const Client = sc.client === 'wsprism' ? OurClient : WS.WebSocket;
  const copts = {};
  if (sc.deflate) copts.perMessageDeflate = { ...sc.deflate, threshold: 0 };
  else copts.perMessageDeflate = false;
  const client = new Client(`ws://${hostPort(sc.host ?? HOST, port)}${path}`, sc.protocol ? [sc.protocol, 'other'] : [], copts);
  const clientGot = record(client);
  let responseExtensions = null;
  client.on('upgrade', (res) => {
    responseExtensions = res.headers['sec-websocket-extensions'] ?? null;
  });
  await withTimeout(once(client, 'open'), 10_000, `${sc.name}: open`);
  const { clientPort } = await withTimeout(accepted, 10_000, `${sc.name}: connection`);
  sendScript(client, clientScript, compress);
  const want = (s) => dataMessages(s).length;
  await until(
    () => serverGot.messages.length === want(clientScript) && clientGot.messages.length === want(serverScript)
      && clientGot.pongs.length === 1 && serverGot.pongs.length === 1,
    30_000,
    `${sc.name}: every message and pong delivered`
  );
  const closer = sc.closer === 'client' ? client : serverSide;
  closer.close(CLOSE[sc.closer].code, CLOSE[sc.closer].reason);
  await withTimeout(Promise.all([clientGot.closed, serverGot.closed]), 35_000, `${sc.name}: closing handshake`);
  assert.equal(clientGot.error, undefined, `${sc.name}: client error ${clientGot.error}`);
  assert.equal(serverGot.error, undefined, `${sc.name}: server error ${serverGot.error}`);
  // The libraries delivered what was sent (a sanity check of the conversation itself).
  const plain = (list) => list.map((m) => ({ kind: m.kind, data: hex(m.data) }));
  assert.deepEqual(plain(serverGot.messages), plain(dataMessages(clientScript)), `${sc.name}: server received`);
  assert.deepEqual(plain(clientGot.messages), plain(dataMessages(serverScript)), `${sc.name}: client received`);
  return {
    sc,
    host: sc.host ?? HOST,
    path,
    port,
    clientPort,
    protocol: client.protocol || null,
    extensions: responseExtensions,
    // The close frames: the closer's (what the other side's close event saw) and the reply
    // (what the closer's close event saw).
    close: {
      client_to_server: serverGot.close,
      server_to_client: clientGot.close,
    },
    sent: {
      client_to_server: clientScript,
      server_to_client: serverScript,
    },
    // A ping from one side is answered by an automatic pong from the other.
    pongs: {
      client_to_server: serverScript.filter((m) => m.kind === 'ping').map((m) => m.data),
      server_to_client: clientScript.filter((m) => m.kind === 'ping').map((m) => m.data),
    },
  };
}

/** Resolves once `file` has kept the same size for `quietMs` (at most `maxMs`). */
async function untilFileSettles(file, quietMs, maxMs) {
  const end = Date.now() + maxMs;
  let size = -1;
  let since = Date.now();
  while (Date.now() < end) {
    let now = -1;
    try {
      now = statSync(file).size;
    } catch {
      /* not created yet */
    }
    if (now !== size) {
      size = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Records the scenarios in one tcpdump run; returns the conversations and tcpdump's counts. */
async function recordRun(iface, scenarios, file) {
  const servers = [];
  try {
    for (const sc of scenarios) servers.push(await startServer(sc));
    const dump = await startTcpdump(iface, servers.map((s) => s.address().port), file);
    const convs = [];
    let stats;
    try {
      for (let i = 0; i < scenarios.length; i++) convs.push(await converse(scenarios[i], servers[i], i));
      // tcpdump loses what it has not read yet when it is stopped: wait until the file has
      // stopped growing (the last FIN/ACK segments written) before stopping it.
      await untilFileSettles(file, 400, 15_000);
    } finally {
      stats = await dump.stop();
    }
    assert.ok(stats.captured > 0, `tcpdump captured nothing: ${stats.stderr}`);
    assert.equal(stats.dropped, 0, `tcpdump dropped packets (the capture is incomplete): ${stats.stderr}`);
    return { convs, stats };
  } finally {
    await Promise.all(servers.map(closeServer));
  }
}

// ------------------------------------------------------------------------------- checks

const DIRS = ['client_to_server', 'server_to_client'];

function unmaskHex(h, key) {
  const b = Buffer.from(h, 'hex');
  const k = Buffer.from(key, 'hex');
  for (let i = 0; i < b.length; i++) b[i] ^= k[i & 3];
  return b.toString('hex');
}

/** Every check on one connection of a report against the conversation that made it. */
function checkConnection(c, conv, { t0, t1 }) {
  const what = conv.sc.name;
  assert.equal(c.client, hostPort(conv.host, conv.clientPort), `${what}: client endpoint`);
  assert.equal(c.server, hostPort(conv.host, conv.port), `${what}: server endpoint`);
  assert.deepEqual(c.errors, [], `${what}: connection errors`);
  assert.ok(c.start >= t0 - 1 && c.end <= t1 + 1 && c.start <= c.end, `${what}: start ${c.start} end ${c.end} within [${t0}, ${t1}]`);

  // The handshake.
  assert.equal(c.handshake_seen, true, `${what}: handshake_seen`);
  const hs = c.handshake;
  assert.ok(hs, `${what}: handshake`);
  assert.equal(hs.request.method, 'GET');
  assert.equal(hs.request.target, conv.path, `${what}: request target`);
  const reqHeader = (name) => hs.request.headers.find(([k]) => k.toLowerCase() === name)?.[1];
  assert.equal(reqHeader('host'), hostPort(conv.host, conv.port), `${what}: Host`);
  assert.match(reqHeader('sec-websocket-key') ?? '', /^[A-Za-z0-9+/]{22}==$/, `${what}: Sec-WebSocket-Key`);
  assert.equal(hs.response.status, 101, `${what}: status`);
  assert.equal(hs.accept_valid, true, `${what}: accept_valid`);
  assert.equal(hs.subprotocol, conv.protocol, `${what}: subprotocol`);
  assert.equal(hs.extensions, conv.extensions, `${what}: negotiated extensions`);
  if (conv.sc.deflate) {
    const noTakeover = Boolean(conv.sc.deflate.serverNoContextTakeover);
    assert.deepEqual(hs.deflate, {
      server_no_context_takeover: noTakeover,
      client_no_context_takeover: noTakeover,
      server_max_window_bits: 15,
      client_max_window_bits: 15,
    }, `${what}: deflate params`);
  } else {
    assert.equal(hs.deflate, null, `${what}: no deflate`);
  }

  // TCP.
  assert.equal(c.tcp.closed, 'fin', `${what}: closed with FIN`);
  for (const d of DIRS) assert.equal(c.tcp[d].gaps, 0, `${what}: no gaps ${d}`);

  // Frames: masking by direction, the wire bytes, contiguous stream offsets up to the end of
  // the direction's TCP stream, frame indexes in time order.
  c.frames.forEach((f, i) => assert.equal(f.index, i, `${what}: frame index`));
  for (let i = 1; i < c.frames.length; i++) assert.ok(c.frames[i].time >= c.frames[i - 1].time, `${what}: frames in time order`);
  for (const d of DIRS) {
    const fs = c.frames.filter((f) => f.direction === d);
    assert.ok(fs.length > 0, `${what}: frames ${d}`);
    assert.ok(fs[0].stream_offset > 0, `${what}: the first ${d} frame follows the HTTP head`);
    for (let i = 0; i < fs.length; i++) {
      const f = fs[i];
      assert.equal(f.truncated, false);
      assert.equal(f.masked, d === 'client_to_server', `${what}: frame ${f.index} masked`);
      assert.equal(f.raw_hex.length / 2, f.header_len + f.payload_len, `${what}: frame ${f.index} raw length`);
      assert.equal(f.payload_hex.length / 2, f.payload_len, `${what}: frame ${f.index} payload length`);
      const wirePayload = f.raw_hex.slice(f.header_len * 2);
      assert.equal(f.masked ? unmaskHex(wirePayload, f.masking_key) : wirePayload, f.payload_hex, `${what}: frame ${f.index} unmasked payload`);
      const b0 = parseInt(f.raw_hex.slice(0, 2), 16);
      assert.equal(b0 & 0x0f, f.opcode);
      assert.equal(Boolean(b0 & 0x80), f.fin);
      assert.equal(Boolean(b0 & 0x40), f.rsv1);
      if (!conv.sc.deflate) assert.equal(f.rsv1, false, `${what}: no RSV1 without deflate`);
      if (i > 0) {
        const p = fs[i - 1];
        assert.equal(f.stream_offset, p.stream_offset + p.header_len + p.payload_len, `${what}: frame ${f.index} stream offset`);
      }
    }
    const last = fs[fs.length - 1];
    assert.equal(last.stream_offset + last.header_len + last.payload_len, c.tcp[d].bytes, `${what}: frames end where the ${d} stream ends`);
  }

  // Messages, per direction: data messages in the order sent, byte for byte; pings, the
  // automatic pongs and the close frame; nothing else.
  c.messages.forEach((m, i) => assert.equal(m.index, i, `${what}: message index`));
  for (const d of DIRS) {
    const ms = c.messages.filter((m) => m.direction === d);
    const data = ms.filter((m) => m.kind === 'text' || m.kind === 'binary');
    const expected = dataMessages(conv.sent[d]);
    assert.deepEqual(
      data.map((m) => ({ kind: m.kind, length: m.length, data_hex: m.data_hex, text: m.text, truncated: m.truncated })),
      expected.map((m) => ({ kind: m.kind, length: m.data.length, data_hex: hex(m.data), text: m.kind === 'text' ? m.data.toString('utf8') : null, truncated: false })),
      `${what}: ${d} data messages`
    );
    const pings = ms.filter((m) => m.kind === 'ping').map((m) => m.data_hex);
    assert.deepEqual(pings, conv.sent[d].filter((m) => m.kind === 'ping').map((m) => hex(m.data)), `${what}: ${d} pings`);
    const pongs = ms.filter((m) => m.kind === 'pong').map((m) => m.data_hex);
    assert.deepEqual(pongs, conv.pongs[d].map(hex), `${what}: ${d} pongs`);
    const closes = ms.filter((m) => m.kind === 'close');
    assert.equal(closes.length, 1, `${what}: one ${d} close`);
    assert.equal(ms[ms.length - 1].kind, 'close', `${what}: ${d} close is last`);
    assert.equal(closes[0].close_code, conv.close[d].code, `${what}: ${d} close code`);
    assert.equal(closes[0].close_reason, conv.close[d].reason, `${what}: ${d} close reason`);
    assert.equal(ms.length, data.length + pings.length + pongs.length + 1, `${what}: ${d} no other messages`);

    // Which frames made each message.
    const frames = new Map(c.frames.map((f) => [f.index, f]));
    for (const m of ms) {
      assert.ok(Array.isArray(m.frames), `${what}: message ${m.index} frames`);
      const [a, b] = m.frames;
      const own = c.frames.filter((f) => f.index >= a && f.index <= b && f.direction === d && (f.opcode < 8) === (m.kind === 'text' || m.kind === 'binary'));
      assert.equal(own[0].index, a);
      assert.equal(own[own.length - 1].index, b);
      assert.equal(frames.get(b).fin, true, `${what}: message ${m.index} ends with FIN`);
      assert.equal(m.compressed, frames.get(a).rsv1, `${what}: message ${m.index} compressed = RSV1 of its first frame`);
      if (m.kind === 'text' || m.kind === 'binary') {
        const sentMsg = expected[data.indexOf(m)];
        assert.equal(own.length, sentMsg.parts ? sentMsg.parts.length : 1, `${what}: message ${m.index} frame count`);
        own.forEach((f, i) => assert.equal(f.opcode, i === 0 ? (m.kind === 'text' ? 1 : 2) : 0));
        if (!m.compressed) assert.equal(own.map((f) => f.payload_hex).join(''), m.data_hex, `${what}: message ${m.index} = its frames' payloads`);
      } else {
        assert.equal(a, b, `${what}: control message in one frame`);
      }
    }
    if (conv.sc.deflate) {
      // threshold 0: every data message was compressed.
      assert.ok(data.every((m) => m.compressed), `${what}: ${d} data messages compressed`);
      // The same "hello" twice: with context takeover the second costs fewer bytes on the wire;
      // without, both compress to the same bytes.
      const [h1, h2] = data.slice(0, 2).map((m) => frames.get(m.frames[0]).payload_hex);
      if (conv.sc.deflate.serverNoContextTakeover) assert.equal(h2, h1, `${what}: ${d} no context takeover`);
      else assert.ok(h2.length < h1.length, `${what}: ${d} context takeover (${h1.length / 2} then ${h2.length / 2} bytes)`);
    } else {
      assert.ok(ms.every((m) => !m.compressed), `${what}: nothing compressed`);
    }
  }
}

function checkReport(report, run, { linkType, file }) {
  assert.equal(report.format, 'pcap');
  assert.deepEqual(report.link_types, [linkType], 'link type');
  assert.deepEqual(report.errors, [], 'file-level errors');
  assert.equal(report.bytes, readFileSync(file).length, 'bytes');
  assert.equal(report.packets, run.stats.captured, 'packets = what tcpdump captured');
  assert.equal(report.connections.length, run.convs.length, 'one connection per conversation');
  report.connections.forEach((c, i) => assert.equal(c.id, i, 'connection ids'));
  for (const conv of run.convs) {
    const c = report.connections.find((x) => x.server === hostPort(conv.host, conv.port));
    assert.ok(c, `${conv.sc.name}: no connection to ${hostPort(conv.host, conv.port)} in ${report.connections.map((x) => x.server)}`);
    checkConnection(c, conv, run);
  }
  // In order of first packet: the conversations ran one after the other.
  assert.deepEqual(report.connections.map((c) => c.server), run.convs.map((c) => hostPort(c.host, c.port)), 'connection order');
}

// ------------------------------------------------------------------------------- tests

const runs = {};

async function recorded(name, iface, scenarios) {
  if (!runs[name]) {
    const file = join(DIR, `${name}.pcap`);
    const t0 = Date.now() / 1000;
    const run = await recordRun(iface, scenarios, file);
    runs[name] = { ...run, file, t0, t1: Date.now() / 1000 };
  }
  return runs[name];
}

test('tcpdump -i lo (Ethernet): six conversations, decoded by inspectCapture (Node), byte for byte', T, tracked(async () => {
  const run = await recorded('lo', 'lo', SCENARIOS);
  const t = Date.now();
  const report = pkg.inspectCapture(readFileSync(run.file), { maxBytes: 0 });
  console.log(`# lo: ${run.stats.captured} packets, ${readFileSync(run.file).length} bytes, decoded in ${Date.now() - t} ms`);
  checkReport(report, run, { linkType: 'ethernet', file: run.file });
  run.report = report;
}));

test('tcpdump -i lo: the CLI (wsprism capture --json --max-bytes 0) gives the same report', T, tracked(async () => {
  const run = await recorded('lo', 'lo', SCENARIOS);
  const report = run.report ?? pkg.inspectCapture(readFileSync(run.file), { maxBytes: 0 });
  const cli = cliReport(run.file, ['--max-bytes', '0']);
  checkReport(cli, run, { linkType: 'ethernet', file: run.file });
  assert.deepEqual(cli, report);
}));

test('tcpdump -i lo: wsprism-web (wasm in Node) gives the same report as the Node package', T, tracked(async () => {
  const run = await recorded('lo', 'lo', SCENARIOS);
  const bytes = readFileSync(run.file);
  const report = run.report ?? pkg.inspectCapture(bytes, { maxBytes: 0 });
  const t = Date.now();
  const w = web.inspectCapture(new Uint8Array(bytes), { maxBytes: 0 });
  console.log(`# wasm: decoded in ${Date.now() - t} ms`);
  assert.deepEqual(w, report);
  // Default options: frames and messages cut at 4096 bytes, on both.
  const cut = pkg.inspectCapture(bytes);
  assert.deepEqual(web.inspectCapture(bytes), cut);
  const big = cut.connections[0].messages.find((m) => m.length === MiB);
  assert.ok(big, 'the 1 MiB message');
  assert.equal(big.truncated, true);
  assert.equal(big.data_hex.length, 2 * 4096);
  assert.equal(big.data_hex, report.connections[0].messages[big.index].data_hex.slice(0, 8192));
  assert.deepEqual(cliReport(run.file), cut, 'the CLI with its default --max-bytes');
}));

test('tcpdump -i lo, cut: the same capture without its first packets (no handshake) resynchronises on the frames', T, tracked(async () => {
  const run = await recorded('lo', 'lo', SCENARIOS);
  const bytes = readFileSync(run.file);
  const full = run.report ?? pkg.inspectCapture(bytes, { maxBytes: 0 });
  // The pcap's records (tcpdump writes the native little-endian microsecond format here).
  assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4, 'a little-endian pcap');
  const records = [];
  for (let o = 24; o + 16 <= bytes.length; ) {
    const n = bytes.readUInt32LE(o + 8);
    records.push({ time: bytes.readUInt32LE(o) + bytes.readUInt32LE(o + 4) / 1e6, bytes: bytes.subarray(o, o + 16 + n) });
    o += 16 + n;
  }
  // The first conversation (no deflate) loses its handshake and its first frames.
  const first = full.connections[0];
  const from = first.frames[3].time;
  const kept = records.filter((r) => r.time >= from);
  const file = join(DIR, 'lo-cut.pcap');
  writeFileSync(file, Buffer.concat([bytes.subarray(0, 24), ...kept.map((r) => r.bytes)]));
  const cut = pkg.inspectCapture(readFileSync(file), { maxBytes: 0 });
  assert.deepEqual(web.inspectCapture(readFileSync(file), { maxBytes: 0 }), cut, 'wasm');
  assert.deepEqual(cliReport(file, ['--max-bytes', '0']), cut, 'CLI');
  assert.deepEqual(cut.errors, []);
  assert.equal(cut.packets, kept.length);
  const c = cut.connections.find((x) => x.server === first.server);
  assert.ok(c, 'the first connection is still found');
  assert.equal(c.client, first.client);
  assert.equal(c.handshake_seen, false);
  assert.equal(c.handshake, null);
  assert.ok(c.notes.includes('no handshake seen'), `notes ${JSON.stringify(c.notes)}`);
  assert.deepEqual(c.errors, []);
  for (const d of DIRS) {
    // What it decodes is the end of what the full capture holds, byte for byte, up to the close.
    const tail = (conn) => conn.messages.filter((m) => m.direction === d).map((m) => ({ kind: m.kind, data_hex: m.data_hex }));
    const got = tail(c);
    const all = tail(first);
    assert.ok(got.some((m) => m.data_hex.length === 2 * MiB), `${d}: the 1 MiB message is decoded (${got.length} of ${all.length} messages)`);
    assert.deepEqual(got, all.slice(all.length - got.length), `${d}: the last ${got.length} messages`);
    assert.equal(got[got.length - 1].kind, 'close');
  }
  // The other conversations are untouched (ids aside: the cut one is recognised later).
  const strip = ({ id, ...rest }) => rest;
  for (const o of full.connections.slice(1)) {
    assert.deepEqual(strip(cut.connections.find((x) => x.server === o.server)), strip(o), `${o.server} unchanged`);
  }
}));

test('tcpdump -i any (Linux cooked v2): two conversations, Node, wasm and the CLI agree, byte for byte', T, tracked(async () => {
  const run = await recorded('any', 'any', [SCENARIOS[1], SCENARIOS[3]]);
  const bytes = readFileSync(run.file);
  const report = pkg.inspectCapture(bytes, { maxBytes: 0 });
  assert.equal(report.link_types.length, 1);
  const lt = report.link_types[0];
  assert.match(lt, /sll.?2|cooked/i, `link type ${lt}`);
  checkReport(report, run, { linkType: lt, file: run.file });
  assert.deepEqual(web.inspectCapture(bytes, { maxBytes: 0 }), report, 'wasm');
  assert.deepEqual(cliReport(run.file, ['--max-bytes', '0']), report, 'CLI');
}));

test('tcpdump -i lo over IPv6 ([::1]): a deflate conversation, Node, wasm and the CLI agree, byte for byte', T, tracked(async () => {
  const v6 = { ...SCENARIOS[4], name: `${SCENARIOS[4].name}, over [::1]`, host: '::1' };
  const run = await recorded('lo6', 'lo', [v6]);
  const bytes = readFileSync(run.file);
  const report = pkg.inspectCapture(bytes, { maxBytes: 0 });
  checkReport(report, run, { linkType: 'ethernet', file: run.file });
  assert.deepEqual(web.inspectCapture(bytes, { maxBytes: 0 }), report, 'wasm');
  assert.deepEqual(cliReport(run.file, ['--max-bytes', '0']), report, 'CLI');
}));

// ------------------------------------------------------------------------------- HAR

/** Chrome's HAR shape for one WebSocket (plus an ordinary request, which must be ignored). */
function chromeHar(conv, c) {
  const iso = (t) => new Date(t * 1000).toISOString();
  const hdrs = (list) => list.map(([name, value]) => ({ name, value }));
  const msgs = c.messages
    .filter((m) => m.kind === 'text' || m.kind === 'binary')
    .map((m) => ({
      type: m.direction === 'client_to_server' ? 'send' : 'receive',
      time: m.time,
      opcode: m.kind === 'text' ? 1 : 2,
      data: m.kind === 'text' ? m.text : Buffer.from(m.data_hex, 'hex').toString('base64'),
    }));
  return {
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: '537.36' },
      pages: [{ startedDateTime: iso(c.start), id: 'page_1', title: `http://${HOST}:${conv.port}/`, pageTimings: { onContentLoad: 12.5, onLoad: 20.1 } }],
      entries: [
        {
          _initiator: { type: 'other' },
          _priority: 'VeryHigh',
          _resourceType: 'document',
          cache: {},
          connection: '1',
          pageref: 'page_1',
          request: {
            method: 'GET', url: `http://${HOST}:${conv.port}/`, httpVersion: 'HTTP/1.1',
            headers: [{ name: 'Host', value: `${HOST}:${conv.port}` }], queryString: [], cookies: [], headersSize: 60, bodySize: 0,
          },
          response: {
            status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [{ name: 'Content-Type', value: 'text/html' }],
            cookies: [], content: { size: 5, mimeType: 'text/html', text: 'hello' }, redirectURL: '', headersSize: 50, bodySize: 5, _transferSize: 55, _error: null,
          },
          serverIPAddress: HOST,
          startedDateTime: iso(c.start - 0.5),
          time: 3.2,
          timings: { blocked: 0.5, dns: -1, ssl: -1, connect: -1, send: 0.1, wait: 2, receive: 0.6, _blocked_queueing: 0.3 },
        },
        {
          _initiator: { type: 'script' },
          _priority: 'Medium',
          _resourceType: 'websocket',
          cache: {},
          connection: '2',
          pageref: 'page_1',
          request: {
            method: 'GET',
            url: `ws://${HOST}:${conv.port}${conv.path}`,
            httpVersion: 'HTTP/1.1',
            headers: hdrs(c.handshake.request.headers),
            queryString: [{ name: 'q', value: 'ü x' }],
            cookies: [],
            headersSize: -1,
            bodySize: 0,
          },
          response: {
            status: 101,
            statusText: 'Switching Protocols',
            httpVersion: 'HTTP/1.1',
            headers: hdrs(c.handshake.response.headers),
            cookies: [],
            content: { size: 0, mimeType: 'x-unknown' },
            redirectURL: '',
            headersSize: -1,
            bodySize: 0,
            _transferSize: 0,
            _error: null,
          },
          serverIPAddress: HOST,
          startedDateTime: iso(c.start),
          time: 0.8,
          timings: { blocked: 0.2, dns: -1, ssl: -1, connect: -1, send: 0, wait: 0.5, receive: 0.1, _blocked_queueing: -1 },
          _webSocketMessages: msgs,
        },
      ],
    },
  };
}

test('HAR (Chrome shape) written from the lo conversation: Node, wasm and the CLI decode it', T, tracked(async () => {
  const run = await recorded('lo', 'lo', SCENARIOS);
  const report = run.report ?? pkg.inspectCapture(readFileSync(run.file), { maxBytes: 0 });
  const conv = run.convs[0];
  const c = report.connections.find((x) => x.server === `${HOST}:${conv.port}`);
  const har = chromeHar(conv, c);
  const file = join(DIR, 'lo.har');
  const text = JSON.stringify(har, null, 2);
  writeFileSync(file, text);

  const r = pkg.inspectCapture(readFileSync(file), { maxBytes: 0 });
  assert.equal(r.format, 'har');
  assert.deepEqual(r.link_types, []);
  assert.equal(r.packets, 2, 'entries');
  assert.equal(r.bytes, Buffer.byteLength(text));
  assert.deepEqual(r.errors, []);
  assert.equal(r.connections.length, 1, 'only the websocket entry is a connection');
  const h = r.connections[0];
  assert.deepEqual(h.frames, []);
  assert.ok(h.notes.includes('from HAR: messages only, no frame bits'), `notes ${JSON.stringify(h.notes)}`);
  assert.deepEqual(h.errors, []);
  assert.ok(h.handshake, 'handshake from the entry');
  assert.deepEqual(h.handshake.request.headers, c.handshake.request.headers, 'request headers');
  assert.deepEqual(h.handshake.response.headers, c.handshake.response.headers, 'response headers');
  assert.equal(h.handshake.response.status, 101);
  assert.equal(h.handshake.accept_valid, true);
  assert.equal(h.handshake.subprotocol, conv.protocol);
  const want = c.messages
    .filter((m) => m.kind === 'text' || m.kind === 'binary')
    .map((m) => ({ direction: m.direction, kind: m.kind, length: m.length, data_hex: m.data_hex, text: m.text, frames: null, truncated: false }));
  assert.deepEqual(
    h.messages.map((m) => ({ direction: m.direction, kind: m.kind, length: m.length, data_hex: m.data_hex, text: m.text, frames: m.frames, truncated: m.truncated })),
    want,
    'HAR messages = the captured data messages, in order'
  );
  h.messages.forEach((m, i) => {
    assert.equal(m.index, i);
    assert.equal(m.time, har.log.entries[1]._webSocketMessages[i].time, 'message time');
  });

  // The same from the CLI, from wsprism-web, and from the text as a string.
  assert.deepEqual(cliReport(file, ['--max-bytes', '0']), r, 'CLI');
  assert.deepEqual(web.inspectCapture(readFileSync(file), { maxBytes: 0 }), r, 'wasm');
  assert.deepEqual(pkg.inspectCapture(text, { maxBytes: 0 }), r, 'Node, HAR text as a string');
  assert.deepEqual(web.inspectCapture(text, { maxBytes: 0 }), r, 'wasm, HAR text as a string');
}));

// ------------------------------------------------------------------------------- arguments

test('inspectCapture: the same errors from both packages', tracked(async () => {
  const cases = [
    [() => [42], TypeError, 'ERR_INVALID_ARG_TYPE'],
    [() => [null], TypeError, 'ERR_INVALID_ARG_TYPE'],
    [() => [new Uint8Array(0), 'x'], TypeError, 'ERR_INVALID_ARG_TYPE'],
    [() => [new Uint8Array(0), { maxBytes: '1' }], TypeError, 'ERR_INVALID_ARG_TYPE'],
    [() => [new Uint8Array(0), { maxBytes: -1 }], RangeError, 'ERR_OUT_OF_RANGE'],
    [() => [new Uint8Array(0), { maxFrameSize: 1.5 }], RangeError, 'ERR_OUT_OF_RANGE'],
    [() => [new Uint8Array(0), { maxMessageSize: NaN }], RangeError, 'ERR_OUT_OF_RANGE'],
  ];
  for (const [args, Cls, code] of cases) {
    for (const [name, lib] of [['node', pkg], ['wasm', web]]) {
      let err;
      try {
        lib.inspectCapture(...args());
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof Cls, `${name} ${JSON.stringify(args())}: ${err}`);
      assert.equal(err.code, code, `${name} ${JSON.stringify(args())}: ${err}`);
    }
  }
  // Not a capture at all: an Error with the capture crate's code, the same from both.
  const codes = [];
  for (const lib of [pkg, web]) {
    for (const b of [Buffer.alloc(0), Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.from('{"log":1}')]) {
      let err;
      try {
        lib.inspectCapture(b);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof Error, `${b}: ${err}`);
      assert.match(err.code, /^CAPTURE_/, `${b}: ${err.message}`);
      codes.push(err.code);
    }
  }
  assert.deepEqual(codes.slice(0, 3), codes.slice(3), 'the same codes from both packages');
  assert.equal(codes[0], codes[1]);
}));
