// End-to-end test of the visualizer's "Open a capture" panel (www/, panel 7): real files through
// the file input (playwright's setInputFiles), decoded by inspectCapture in wsprism-web inside
// the page's worker (www/capture-worker.js). Inputs made at test time, in a temporary folder:
//   - a pcap from the capture crate's synth example (cargo run -p wsprism-capture --example synth)
//   - the panel's own example capture ("Make a small example capture", built in the page)
//   - a tcpdump recording (scripts/setup/tcpdump.sh) of the live panel's connection on loopback
//     (skipped when tcpdump cannot capture there)
//   - a tiny Chrome-shaped HAR file
//   - garbage bytes (a clear error; the page keeps working)
// Screenshots go to tests/artifacts/ (gitignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, startServer, launch } from './lib.mjs';

const ART = path.join(ROOT, 'tests/artifacts');
fs.mkdirSync(ART, { recursive: true });
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'wsprism-capture-e2e-'));

let server, browser, page;
const consoleErrors = [];

before(async () => {
  server = await startServer();
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.proc.kill();
  fs.rmSync(TMP, { recursive: true, force: true });
});

const text = (sel) => page.locator(sel).innerText();

async function openFile(file) {
  await page.evaluate(() => document.getElementById('capture').removeAttribute('data-state'));
  await page.setInputFiles('#cap-file', file);
  await page.waitForSelector('#capture[data-state]', { timeout: 60000 });
  return page.getAttribute('#capture', 'data-state');
}

// the cells of the connection table, one array per row
async function connRows() {
  return page.$$eval('#cap-conn-table tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.innerText.trim())));
}

// the drawn rows of the virtual list, as { index, direction, time, frame, length, payload }
async function listRows() {
  await page.waitForFunction(() => document.querySelector('#cap-table tbody tr.row') && !document.querySelector('#cap-table tbody tr.loading'));
  return page.$$eval('#cap-table tbody tr.row', (trs) => trs.map((tr) => {
    const c = [...tr.cells].map((td) => td.innerText.trim());
    return { index: c[0], direction: c[1], time: c[2], frame: c[3], length: c[4], payload: c[5], err: tr.classList.contains('err') };
  }));
}

// Opens a row of the frame list in the decoder (panel 1) and waits until the decoder shows that
// frame: the page asks its worker for the frame's bytes and fills the decoder in when the answer
// comes, while #dec-origin still shows the frame loaded before (it stays visible until other
// bytes are loaded), so "#dec-origin is visible" says nothing about which frame is there.
async function toDecoder(row, origin) {
  await page.click(`#cap-table tbody tr.row${row} button`);
  await page.waitForFunction(([src, flags]) => {
    const o = document.getElementById('dec-origin');
    return !o.hidden && new RegExp(src, flags).test(o.innerText);
  }, [origin.source, origin.flags]);
}

async function openConn(n) {
  await page.click(`#cap-conn-table tbody tr:nth-child(${n}) button`);
  await page.waitForSelector('#cap-conn:not([hidden])');
  return listRows();
}

test('synth pcap: endpoints and counts, the frames of one connection, a frame in the decoder', async () => {
  // The synth example (crates/wsprism-capture/examples/synth.rs): each connection a handshake,
  // then rounds of 20-byte text frames "m<counter> defg…" (the counter counts every frame
  // written), queued per direction until 1400 bytes are waiting: 54 masked client frames
  // (26 bytes each) then 64 server frames (22 bytes), one TCP segment each way; then FIN.
  // Masking keys come from an LCG (x = x * 1103515245 + 12345, from 0x37130000).
  const file = path.join(TMP, 'synth.pcap');
  synth(file, ['--size-mb', '0.004', '--connections', '2']);
  assert.equal(await openFile(file), 'ready');
  assert.match(await text('#cap-status'), /synth\.pcap: pcap, .*18 packets → 2 WebSocket connections/);
  const rows = await connRows();
  assert.equal(rows.length, 2);
  for (const [i, r] of rows.entries()) {
    // #, client, server, handshake, subprotocol, extensions, frames, messages, errors
    assert.deepEqual(r.slice(0, 3), [String(i + 1), '10.0.0.1:' + (50000 + i), '10.0.0.2:8080']);
    assert.match(r[3], /✓ GET \/chat → 101/);
    assert.deepEqual(r.slice(4, 9), ['chat', '—', '118 (54 ↑ 64 ↓)', '118 (54 ↑ 64 ↓)', '0']);
  }
  await page.locator('#capture').screenshot({ path: path.join(ART, 'capture-synth-1280.png') });

  const f = await openConn(2);
  assert.equal(await text('#cap-count'), '118 frames');
  assert.match(await text('#cap-conn-info'), /GET \/chat[\s\S]*101 Switching Protocols[\s\S]*matches the key ✓/);
  assert.match(await text('#cap-conn-info'), /closed by FIN/);
  const filler = 'abcdefghijklmnopqrstuvwxyz';
  const payload = (n) => { const tag = `m${n} `; let s = tag; for (let k = tag.length; k < 20; k++) s += filler[k % 26]; return s; };
  assert.ok(f.length >= 10);
  f.forEach((r, k) => {
    assert.equal(r.index, String(k + 1));
    assert.equal(r.direction, 'client → server');
    assert.match(r.frame, /^text · mask [0-9a-f]{8}$/);
    assert.equal(r.length, '20');
    assert.equal(r.payload, JSON.stringify(payload(118 + k))); // connection 2 starts after connection 1's 118
  });
  // the first server frame: row 55
  await page.fill('#cap-goto', '55');
  await page.dispatchEvent('#cap-goto', 'change');
  await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('data-pos') === '54');
  const s55 = (await listRows()).find((r) => r.index === '55');
  assert.deepEqual([s55.direction, s55.frame, s55.length, s55.payload], ['server → client', 'text · unmasked', '20', JSON.stringify(payload(118 + 54))]);
  await page.selectOption('#cap-filter', 'server_to_client');
  await page.waitForFunction(() => / of /.test(document.getElementById('cap-count').textContent));
  assert.equal(await text('#cap-count'), '64 of 118 frames');
  assert.ok((await listRows()).every((r) => r.direction === 'server → client'));
  await page.selectOption('#cap-filter', 'all');

  // frame 1 of connection 2 in the decoder, decoded as a server receives it: masked with the
  // first key of its conversation's LCG
  await toDecoder(':nth-child(1)', /connection 2 \(10\.0\.0\.1:50001 → 10\.0\.0\.2:8080\), frame 1 of 118, client → server/);
  assert.equal(await page.inputValue('#dec-role'), 'server');
  const key = ((Math.imul(0x37130000, 1103515245) + 12345) >>> 0).toString(16).padStart(8, '0');
  assert.match(await text('#dec-fields'), new RegExp('Masking-key\\s+16\\s+32\\s+' + key));
  assert.match(await text('#dec-fields'), /0x1 \(text\)/);
  assert.match(await text('#dec-payload'), new RegExp(JSON.stringify(payload(118))));
  assert.match(await text('#dec-violations'), /No violations/);
  assert.equal(await page.locator('#dec-unmask tbody tr').count(), 20);
  await page.click('#dec-back');
});

test('example capture: three connections, TCP reassembly, masking, compression, an error', async () => {
  await page.click('#cap-example');
  await page.waitForSelector('#capture[data-state="ready"]', { timeout: 60000 });
  assert.match(await text('#cap-status'), /wsprism-example\.pcap: pcap, .* 3 WebSocket connections/);
  const rows = await connRows();
  assert.equal(rows.length, 3);
  // #, client, server, handshake, subprotocol, extensions, frames, messages, errors
  assert.deepEqual(rows[0].slice(0, 3), ['1', '10.0.0.2:50312', '10.0.0.1:8080']);
  assert.match(rows[0][3], /✓ GET \/chat → 101/);
  assert.equal(rows[0][4], 'chat');
  assert.match(rows[0][6], /^9 \(6 ↑ 3 ↓\)$/);
  assert.match(rows[0][7], /^7 \(4 ↑ 3 ↓\)$/);
  assert.equal(rows[0][8], '0');
  assert.deepEqual(rows[1].slice(0, 3), ['2', '10.0.0.3:50400', '10.0.0.1:8080']);
  assert.match(rows[1][5], /permessage-deflate/);
  assert.match(rows[1][6], /^3 \(1 ↑ 2 ↓\)$/);
  assert.deepEqual(rows[2].slice(0, 3), ['3', '10.0.0.4:50500', '10.0.0.1:8080']);
  assert.notEqual(rows[2][8], '0');

  // connection 1: the frames in time order
  const f = await openConn(1);
  const brief = f.map((r) => [r.index, r.direction, r.frame.split(' · ')[0], r.length]);
  assert.deepEqual(brief, [
    ['1', 'client → server', 'text', '5'],
    ['2', 'server → client', 'text', '5'],
    ['3', 'server → client', 'ping', '14'],
    ['4', 'client → server', 'pong', '14'],
    ['5', 'client → server', 'text', '16'],
    ['6', 'client → server', 'continuation', '16'],
    ['7', 'client → server', 'continuation', '9'],
    ['8', 'client → server', 'close', '5'],
    ['9', 'server → client', 'close', '2']
  ]);
  assert.match(f[0].frame, /mask 37fa213d/);
  assert.match(f[1].frame, /unmasked/);
  assert.equal(f[0].payload, '"Hello"');
  assert.equal(f[2].payload, '"are you there?"');
  assert.equal(f[4].payload, JSON.stringify('{"type":"chat","')); // the first 16 bytes
  assert.match(f[4].frame, /FIN 0/);
  assert.match(f[7].payload, /^close 1000 "bye"$/);
  assert.match(await text('#cap-conn-info'), /retransmitted/);
  await page.locator('#capture').screenshot({ path: path.join(ART, 'capture-example-1280.png') });

  // a frame into the decoder: the RFC's masked "Hello", decoded as a server receives it
  await toDecoder(':nth-child(1)', /connection 1 .* frame 1 of 9, client → server/);
  assert.equal((await page.inputValue('#dec-input')).replace(/\s/g, ''), '818537fa213d7f9f4d5158');
  assert.equal(await page.inputValue('#dec-role'), 'server');
  assert.match(await text('#dec-fields'), /Masking-key\s+16\s+32\s+37fa213d/);
  assert.match(await text('#dec-payload'), /"Hello"/);
  assert.match(await text('#dec-violations'), /No violations/);
  // back to the list, by keyboard: the same row has the focus
  await page.click('#dec-back');
  await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('data-pos') === '0');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-pos')), '2');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /frame 3 of 9/.test(document.getElementById('dec-origin').innerText));
  assert.equal(await page.inputValue('#dec-role'), 'client');
  assert.match(await text('#dec-fields'), /0x9 \(ping\)/);

  // a fragment: loaded with the fragments before it, the decoder reassembles the message
  await page.click('#dec-back');
  await toDecoder(':nth-child(7)', /connection 1 .* frame 7 of 9,/);
  assert.equal(await page.locator('#dec-frames button').count(), 3);
  assert.match(await text('#dec-stream'), /message \(text, 41 B\): .*hello, websocket/);

  // connection 2: permessage-deflate with the negotiated parameters
  await page.click('#dec-back');
  const g = await openConn(2);
  assert.deepEqual(g.map((r) => r.direction), ['client → server', 'server → client', 'server → client']);
  assert.ok(g.every((r) => /RSV1/.test(r.frame)));
  assert.match(g[1].payload, /^message "\{\\"type\\":\\"quote\\"/);
  assert.ok(Number(g[2].length) < Number(g[1].length), 'context takeover: the second copy is smaller');
  await toDecoder(':nth-child(3)', /connection 2 .* frame 3 of 3,/);
  assert.ok(await page.isChecked('#dec-pmd'));
  assert.match(await text('#dec-origin'), /context takeover/);
  assert.equal(await page.locator('#dec-frames button').count(), 2);
  assert.match(await text('#dec-stream'), /message \(text, 91 B\): .*quote[\s\S]*message \(text, 91 B\): .*quote/);
  assert.doesNotMatch(await text('#dec-stream'), /error/);

  // connection 3: the unmasked client frame, called out with its close code and RFC section
  await page.click('#dec-back');
  const h = await openConn(3);
  const bad = h.find((r) => r.err);
  assert.ok(bad, 'a row marked as an error');
  assert.match(bad.payload, /close 1002 \(RFC 6455 §5\.1\)/);
  assert.match(await text('#cap-conn-info'), /close 1002, RFC 6455 §5\.1/);
  await page.selectOption('#cap-filter', 'errors');
  await page.waitForFunction(() => / of /.test(document.getElementById('cap-count').textContent));
  const only = await listRows();
  assert.ok(only.length >= 1 && only.every((r) => r.err));
});

test('tcpdump: the live panel\'s own connection, recorded on loopback and opened', async (t) => {
  // Chromium's real frames: its permessage-deflate offer, masked compressed messages, its pong.
  const setup = path.join(ROOT, 'scripts/setup/tcpdump.sh');
  if (!fs.existsSync(setup)) return t.skip('scripts/setup/tcpdump.sh is missing');
  const tcpdump = execFileSync('bash', [setup], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop();
  const port = new URL(server.url).port;
  const file = path.join(TMP, 'live.pcap');
  const rec = spawn(tcpdump, ['-i', 'lo', '-U', '-s', '0', '-w', file, `tcp port ${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const listening = await new Promise((resolve) => {
    rec.stderr.on('data', (d) => { err += d; if (/listening on/.test(err)) resolve(true); });
    rec.once('exit', () => resolve(false));
    setTimeout(() => resolve(false), 10000);
  });
  if (!listening) { rec.kill(); return t.skip('tcpdump cannot capture on lo here: ' + err.trim()); }
  try {
    await page.click('#live-connect');
    await page.waitForSelector('#live-send:not([disabled])', { timeout: 10000 });
    await page.fill('#live-msg', 'Hello from a recording');
    await page.click('#live-send');
    await page.locator('#live-table tbody tr.dir-out', { hasText: 'Hello from a recording' }).first().waitFor({ timeout: 10000 });
    await page.click('#live-ping');
    await page.locator('#live-table tbody tr.dir-in', { hasText: 'pong' }).first().waitFor({ timeout: 10000 });
    await page.click('#live-close');
    await page.waitForFunction(() => /Closed: code 1000/.test(document.getElementById('live-status').textContent), null, { timeout: 10000 });
    // tcpdump -U writes each packet once it has read it; on SIGINT it drops what it has not read
    // yet (a busy machine): wait until the file stops growing
    let last = -1;
    for (let k = 0; k < 40; k++) {
      await new Promise((r) => setTimeout(r, 500));
      const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
      if (size > 4000 && size === last) break;
      last = size;
    }
  } finally {
    const done = new Promise((r) => rec.once('exit', r));
    rec.kill('SIGINT');
    await done;
  }
  assert.equal(await openFile(file), 'ready');
  const rows = await connRows();
  const i = rows.findIndex((r) => /GET \/demo\?session=/.test(r[3]));
  assert.ok(i >= 0, 'the /demo connection: ' + JSON.stringify(rows) + ' ' + await text('#cap-status') + ' ' + execFileSync(tcpdump, ['-r', file, '-nn'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n').length + ' packets');
  const demo = rows[i];
  assert.match(demo[1], /^127\.0\.0\.1:\d+$/);
  assert.equal(demo[2], '127.0.0.1:' + port);
  assert.match(demo[5], /permessage-deflate/);
  assert.equal(demo[8], '0');
  const f = await openConn(i + 1);
  const hello = f.find((r) => r.direction === 'client → server' && /Hello from a recording/.test(r.payload));
  assert.ok(hello, 'the browser\'s message: ' + JSON.stringify(f));
  assert.match(hello.frame, /^text · RSV1 · mask [0-9a-f]{8}$/);
  assert.match(hello.payload, /^message "Hello from a recording" \(inflated from \d+ B\)$/);
  assert.ok(f.some((r) => r.direction === 'server → client' && /^text · RSV1 · unmasked$/.test(r.frame) && /Hello from a recording/.test(r.payload)));
  assert.ok(f.some((r) => r.direction === 'server → client' && /^ping/.test(r.frame)));
  assert.ok(f.some((r) => r.direction === 'client → server' && /^pong · mask/.test(r.frame)));
  assert.ok(f.some((r) => r.direction === 'client → server' && /^close 1000/.test(r.payload)));
  await page.locator('#capture').screenshot({ path: path.join(ART, 'capture-live-1280.png') });
  await toDecoder(`[data-index="${Number(hello.index) - 1}"]`, new RegExp(`connection ${i + 1} .* frame ${hello.index} of \\d+,`));
  assert.equal(await page.inputValue('#dec-role'), 'server');
  assert.ok(await page.isChecked('#dec-pmd'));
  assert.match(await text('#dec-fields'), /RSV1\s+1\s+1\s+1/);
  assert.match(await text('#dec-fields'), /MASK\s+8\s+1\s+1/);
  assert.match(await text('#dec-stream'), /"Hello from a recording"/);
  assert.doesNotMatch(await text('#dec-stream'), /error/);
});

test('HAR: messages only, rebuilt as frames in panel 2', async () => {
  const har = {
    log: {
      version: '1.2', creator: { name: 'WebInspector', version: '537.36' }, pages: [],
      entries: [{
        startedDateTime: '2024-11-22T01:46:40.000Z', time: 1200,
        request: {
          method: 'GET', url: 'ws://127.0.0.1:8080/chat', httpVersion: 'HTTP/1.1',
          headers: [
            { name: 'Host', value: '127.0.0.1:8080' }, { name: 'Connection', value: 'Upgrade' }, { name: 'Upgrade', value: 'websocket' },
            { name: 'Sec-WebSocket-Version', value: '13' }, { name: 'Sec-WebSocket-Key', value: 'dGhlIHNhbXBsZSBub25jZQ==' },
            { name: 'Sec-WebSocket-Protocol', value: 'chat' }
          ],
          queryString: [], cookies: [], headersSize: -1, bodySize: 0
        },
        response: {
          status: 101, statusText: 'Switching Protocols', httpVersion: 'HTTP/1.1',
          headers: [
            { name: 'Upgrade', value: 'websocket' }, { name: 'Connection', value: 'Upgrade' },
            { name: 'Sec-WebSocket-Accept', value: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=' }, { name: 'Sec-WebSocket-Protocol', value: 'chat' }
          ],
          cookies: [], content: { size: 0, mimeType: 'x-unknown' }, redirectURL: '', headersSize: -1, bodySize: 0, _transferSize: 0
        },
        cache: {}, timings: { blocked: -1, dns: -1, ssl: -1, connect: -1, send: 0, wait: 0, receive: 0 },
        serverIPAddress: '127.0.0.1', _resourceType: 'websocket',
        _webSocketMessages: [
          { type: 'send', time: 1732240000.25, opcode: 1, data: 'Hello from a HAR' },
          { type: 'receive', time: 1732240000.5, opcode: 1, data: 'Hello from a HAR' },
          { type: 'receive', time: 1732240000.75, opcode: 2, data: '3q2+7w==' }
        ]
      }]
    }
  };
  // dropped on the panel (drag and drop), not chosen with the file input
  await page.evaluate(() => document.getElementById('capture').removeAttribute('data-state'));
  const dt = await page.evaluateHandle((json) => {
    const d = new DataTransfer();
    d.items.add(new File([json], 'chrome.har', { type: 'application/json' }));
    return d;
  }, JSON.stringify(har, null, 2));
  await page.dispatchEvent('#cap-drop', 'dragenter', { dataTransfer: dt });
  assert.ok(await page.$eval('#cap-drop', (e) => e.classList.contains('over')));
  await page.dispatchEvent('#cap-drop', 'drop', { dataTransfer: dt });
  await page.waitForSelector('#capture[data-state]', { timeout: 60000 });
  assert.equal(await page.getAttribute('#capture', 'data-state'), 'ready');
  assert.ok(!(await page.$eval('#cap-drop', (e) => e.classList.contains('over'))));
  assert.match(await text('#cap-status'), /chrome\.har: har, .*1 WebSocket connection\b/);
  const rows = await connRows();
  assert.equal(rows.length, 1);
  assert.match(rows[0][2], /127\.0\.0\.1:8080/);
  assert.match(rows[0][6], /^0/);
  assert.match(rows[0][7], /^3 \(1 ↑ 2 ↓\)$/);
  const m = await openConn(1);
  assert.equal(await page.inputValue('#cap-kind'), 'messages');
  assert.deepEqual(m.map((r) => [r.direction, r.frame, r.length]), [
    ['client → server', 'text', '16'], ['server → client', 'text', '16'], ['server → client', 'binary', '4']
  ]);
  assert.equal(m[0].payload, '"Hello from a HAR"');
  assert.equal(m[2].payload, 'de ad be ef');
  assert.match(await text('#cap-conn-info'), /from HAR/);
  await page.click('#cap-table tbody tr.row:nth-child(1) button');
  await page.waitForFunction(() => /HAR file, rebuilt/.test(document.getElementById('build-note').innerText));
  assert.ok(await page.isChecked('#b-mask'));
  assert.equal(await page.inputValue('#b-payload'), 'Hello from a HAR');
  assert.match(await page.getAttribute('#build-out', 'data-hex'), /^8190/);
});

test('garbage: a clear error in the panel, the page keeps working; Stop', async () => {
  const file = path.join(TMP, 'garbage.pcap');
  const junk = Buffer.alloc(4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) & 255;
  fs.writeFileSync(file, junk);
  assert.equal(await openFile(file), 'error');
  const st = await text('#cap-status');
  assert.match(st, /Cannot read garbage\.pcap: CAPTURE_\w+: /);
  assert.match(await text('#cap-file-info'), /pcap or pcapng file/);
  assert.equal(await page.locator('#cap-conn-table').count(), 0);
  // the rest of the page still works, and so does the panel
  await page.click('button[data-ex="rfc-masked"]');
  assert.match(await text('#dec-payload'), /"Hello"/);
  // a bigger file, stopped while it is read or decoded
  const big = path.join(TMP, 'big.pcap');
  synth(big, ['--size-mb', '16']);
  await page.evaluate(() => document.getElementById('capture').removeAttribute('data-state'));
  await page.setInputFiles('#cap-file', big);
  await page.click('#cap-cancel');
  assert.equal(await page.getAttribute('#capture', 'data-state'), 'cancelled');
  assert.match(await text('#cap-status'), /Stopped: big\.pcap was not read/);
  assert.ok(await page.isHidden('#cap-cancel'));
  await page.waitForTimeout(500);
  assert.equal(await page.getAttribute('#capture', 'data-state'), 'cancelled');
  await page.click('#cap-example');
  await page.waitForSelector('#capture[data-state="ready"]', { timeout: 60000 });
  assert.equal((await connRows()).length, 3);
});

test('a long list is virtual; narrow screens; no console errors', async () => {
  const file = path.join(TMP, 'many.pcap');
  synth(file, ['--size-mb', '0.5']);
  assert.equal(await openFile(file), 'ready');
  const rows = await connRows();
  const biggest = rows.reduce((b, r, i) => (parseInt(r[6], 10) > parseInt(rows[b][6], 10) ? i : b), 0);
  const total = parseInt(rows[biggest][6], 10);
  assert.ok(total > 1000, 'a connection with more than 1000 frames: ' + total);
  await openConn(biggest + 1);
  const drawn = await page.locator('#cap-table tbody tr.row, #cap-table tbody tr.loading').count();
  assert.ok(drawn < 80, 'only the visible rows are in the DOM: ' + drawn);
  await page.focus('#cap-table tbody tr.row button >> nth=0');
  await page.keyboard.press('End');
  await page.waitForFunction((n) => document.activeElement && document.activeElement.getAttribute('data-pos') === String(n - 1), total);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), String(total));
  await page.fill('#cap-goto', '1000');
  await page.dispatchEvent('#cap-goto', 'change');
  await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('data-pos') === '999');

  await page.setViewportSize({ width: 375, height: 800 });
  await page.waitForTimeout(200);
  const overflow = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const wide = [];
    for (const e of document.querySelectorAll('body *')) {
      const r = e.getBoundingClientRect();
      if (r.right > w + 1 && !e.closest('.scroll-x')) wide.push(e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(r.right));
    }
    return { scroll: document.documentElement.scrollWidth, w, wide: wide.slice(0, 10) };
  });
  assert.ok(overflow.scroll <= overflow.w, 'horizontal overflow at 375 px: ' + JSON.stringify(overflow));
  assert.deepEqual(overflow.wide, []);
  await page.locator('#capture').screenshot({ path: path.join(ART, 'capture-open-375.png') });
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(consoleErrors, []);
});

// The capture crate's synth example (its source says what it writes).
function synth(file, args) {
  execFileSync('cargo', ['run', '--quiet', '--release', '-p', 'wsprism-capture', '--example', 'synth', '--', '--out', file, ...args],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}
