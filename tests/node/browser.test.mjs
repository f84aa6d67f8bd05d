// A real browser (Debian's headless Chromium driven by playwright-core) talks to our
// WebSocketServer with permessage-deflate. The page is served over http by the same test, on
// 127.0.0.1, port 0. Chromium's path comes from scripts/setup/chromium.sh (or WSPRISM_CHROMIUM).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import http from 'node:http';

const require = createRequire(import.meta.url);
const pkg = require('../../packages/wsprism');
const OurServer = pkg.WebSocketServer ?? require('../../packages/wsprism/lib/websocket-server.js');
const { chromium } = require('playwright-core');

const HOST = '127.0.0.1';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function chromiumPath() {
  if (process.env.WSPRISM_CHROMIUM) return process.env.WSPRISM_CHROMIUM;
  const out = execFileSync('bash', [path.join(root, 'scripts/setup/chromium.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 600_000
  });
  return out.trim().split('\n').pop();
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>wsprism browser test</title>
<script>
window.runTest = async function (url) {
  const log = [];
  const ws = new WebSocket(url, ['echo.v1']);
  ws.binaryType = 'arraybuffer';
  const queue = [];
  let waiter = null;
  ws.onmessage = (ev) => { queue.push(ev.data); if (waiter) { const w = waiter; waiter = null; w(); } };
  const next = async () => { while (!queue.length) await new Promise((r) => (waiter = r)); return queue.shift(); };
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('ws error')); });
  const result = { extensions: ws.extensions, protocol: ws.protocol, messages: [] };
  const big = 'wsprism '.repeat(20000) + 'ünïcödé ✓ 🦀';
  const bytes = new Uint8Array(100000); for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
  ws.send('hello from chromium'); ws.send(big); ws.send(bytes.buffer); ws.send(new Uint8Array(0));
  for (let i = 0; i < 4; i++) {
    const d = await next();
    if (typeof d === 'string') result.messages.push({ type: 'text', length: d.length, ok: d === (i === 0 ? 'hello from chromium' : big), head: d.slice(0, 40) });
    else { const u = new Uint8Array(d); let ok = u.length === (i === 2 ? bytes.length : 0); for (let j = 0; ok && j < u.length; j++) ok = u[j] === bytes[j]; result.messages.push({ type: 'binary', length: u.length, ok }); }
  }
  ws.send('server, close please');
  const closed = await new Promise((r) => { ws.onclose = (ev) => r({ code: ev.code, reason: ev.reason, wasClean: ev.wasClean }); });
  result.close = closed;
  return result;
};
</script>`;

let browser;
const servers = []; // { server, wss, side } per permessage-deflate choice

// An http server for the page and a wsprism WebSocketServer on /ws with `perMessageDeflate`.
async function serve(perMessageDeflate) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(PAGE);
  });
  const wss = new OurServer({ server, perMessageDeflate, path: '/ws' });
  const side = { extensions: null, received: [] };
  wss.on('connection', (ws) => {
    side.extensions = ws.extensions;
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      side.received.push({ isBinary, length: data.length });
      if (!isBinary && data.toString() === 'server, close please') ws.close(4000, 'bye browser');
      else ws.send(data, { binary: isBinary });
    });
  });
  await new Promise((r) => server.listen(0, HOST, r));
  const s = { server, wss, side };
  servers.push(s);
  return s;
}

before(async () => {
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ],
    timeout: 60_000
  });
});

after(async () => {
  if (browser) await browser.close();
  for (const { server, wss } of servers) {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
    await new Promise((r) => server.close(r));
  }
});

for (const [name, pmd] of [
  ['a compressor per connection', { threshold: 0 }],
  ['the shared compressor', { threshold: 0, compressor: 'shared' }]
]) {
  test(`Chromium <-> wsprism server with permessage-deflate, ${name}: text and binary`, { timeout: 90_000 }, async () => {
    const { server, side } = await serve(pmd);
    const page = await browser.newPage();
    page.setDefaultTimeout(30_000);
    const base = `http://${HOST}:${server.address().port}`;
    await page.goto(`${base}/`);
    const result = await page.evaluate((u) => window.runTest(u), `ws://${HOST}:${server.address().port}/ws`);
    await page.close();

    assert.match(result.extensions, /permessage-deflate/, `browser sees ${result.extensions}`);
    assert.match(side.extensions, /permessage-deflate/, `server negotiated ${side.extensions}`);
    if (pmd.compressor === 'shared') {
      // No context takeover either way: the server's frames come from one shared compressor,
      // and Chromium resets its own context after each message.
      assert.match(result.extensions, /server_no_context_takeover/);
      assert.match(result.extensions, /client_no_context_takeover/);
    }
    assert.equal(result.protocol, 'echo.v1');
    assert.equal(result.messages.length, 4);
    assert.deepEqual(
      result.messages.map((m) => [m.type, m.ok]),
      [['text', true], ['text', true], ['binary', true], ['binary', true]]
    );
    assert.deepEqual(result.close, { code: 4000, reason: 'bye browser', wasClean: true });
    assert.deepEqual(
      side.received.map((m) => m.isBinary),
      [false, false, true, true, false]
    );
  });
}
