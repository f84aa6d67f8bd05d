// End-to-end test of the frame visualizer (www/) and the demo server behind `npm start`:
// starts www/server.js on a free port, drives Debian's Chromium with playwright-core.
// Screenshots go to tests/artifacts/ (gitignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ART = path.join(ROOT, 'tests/artifacts');
fs.mkdirSync(ART, { recursive: true });

let server, url, browser, page;
const consoleErrors = [];

function chromiumPath() {
  if (process.env.WSPRISM_CHROMIUM) return process.env.WSPRISM_CHROMIUM;
  const out = execFileSync('bash', [path.join(ROOT, 'scripts/setup/chromium.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.trim().split('\n').pop();
}

before(async () => {
  server = spawn(process.execPath, [path.join(ROOT, 'www/server.js'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('server did not print its URL: ' + buf)), 20000);
    server.stdout.on('data', (d) => {
      buf += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(buf);
      if (m) { clearTimeout(t); resolve(m[0]); }
    });
    server.once('exit', (code) => reject(new Error('server exited with ' + code)));
  });
  server.stdout.resume();
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill();
});

const text = (sel) => page.locator(sel).innerText();

test('static files: MIME types, wasm package, no traversal', async () => {
  const r1 = await fetch(url + 'wsprism-web/dist/wsprism_bg.wasm');
  assert.equal(r1.status, 200);
  assert.equal(r1.headers.get('content-type'), 'application/wasm');
  const r2 = await fetch(url + 'main.js');
  assert.match(r2.headers.get('content-type'), /^text\/javascript/);
  const r3 = await fetch(url + '..%2fpackage.json');
  assert.notEqual(r3.status, 200);
  const r4 = await fetch(url + 'server.js');
  assert.equal(r4.status, 404);
  // ES modules: the panels and helpers are served as JavaScript; the page has no global library
  for (const f of ['panels/decode.js', 'panels/capture.js', 'lib/dom.js', 'lib/hex.js']) {
    const r = await fetch(url + f);
    assert.equal(r.status, 200, f);
    assert.match(r.headers.get('content-type'), /^text\/javascript/, f);
  }
  assert.equal(await page.evaluate(() => typeof window.wsprism), 'undefined');
});

test('page structure: main.js composes panel modules that own their sections; no protocol code in the page', () => {
  const www = path.join(ROOT, 'www');
  const read = (f) => fs.readFileSync(path.join(www, f), 'utf8');
  assert.ok(!fs.existsSync(path.join(www, 'app.js')), 'the classic script is gone');
  const main = read('main.js');
  assert.match(main, /^import init from '\/wsprism-web\/index\.js';$/m, 'main.js imports the ES module entry of wsprism-web');
  const panels = fs.readdirSync(path.join(www, 'panels')).filter((f) => f.endsWith('.js'));
  for (const f of panels) {
    const src = read('panels/' + f);
    // a panel finds its elements inside its own section (lib/dom.js elements(root, ids)), never by a global lookup
    assert.doesNotMatch(src, /getElementById|document\.querySelector/, `panels/${f} reaches outside its section`);
    if (f !== 'capture-example.js') assert.match(main, new RegExp(`from '\\./panels/${f.replace('.', '\\.')}'`), `main.js composes panels/${f}`);
  }
  for (const f of ['main.js', 'capture-worker.js', ...panels.map((f) => 'panels/' + f), ...fs.readdirSync(path.join(www, 'lib')).map((f) => 'lib/' + f)]) {
    const src = read(f);
    assert.doesNotMatch(src, /crypto\.subtle|258EAFA5|0xa1b2c3d4|d4c3b2a1/i, `${f}: accept keys and pcap files come from the engine`);
  }
});

test('decode: the RFC masked "Hello"', async () => {
  await page.click('button[data-ex="rfc-masked"]');
  const fields = await text('#dec-fields');
  assert.match(fields, /Masking-key\s+16\s+32\s+37fa213d/);
  assert.match(fields, /0x1 \(text\)/);
  assert.match(fields, /FIN\s+0\s+1\s+1/);
  const payload = await text('#dec-payload');
  assert.match(payload, /"Hello"/);
  const unmask = await page.locator('#dec-unmask tbody tr').count();
  assert.equal(unmask, 5);
  assert.match(await text('#dec-unmask tbody tr:first-child'), /7f\s+7f ⊕ 37\s+48\s+H/);
  assert.match(await text('#dec-violations'), /No violations/);
  // diagram: 32-bit rows, key field present
  assert.ok((await page.locator('#dec-diagram .dcell.f-key').count()) >= 1);
  // hovering a field highlights its bytes
  await page.hover('#dec-fields tbody tr:nth-child(8)');
  const hl = await page.locator('#dec-bytes .byte.hl').count();
  assert.equal(hl, 4);
  await page.mouse.move(0, 0);
  await page.locator('#decode').screenshot({ path: path.join(ART, 'decode-1280.png') });
});

test('decode: fragments, invalid frames and their RFC sections', async () => {
  await page.click('button[data-ex="mdn-fragments"]');
  assert.equal(await page.locator('#dec-frames button').count(), 3);
  assert.match(await text('#dec-stream'), /and ahappy newyear!/);
  await page.click('button[data-ex="bad-opcode"]');
  assert.match(await text('#dec-violations'), /RFC 6455 §5\.2.*reserved opcode 0x3/);
  await page.click('button[data-ex="bad-fragping"]');
  assert.match(await text('#dec-violations'), /RFC 6455 §5\.5/);
  await page.click('button[data-ex="json"]');
  assert.match(await text('#dec-payload pre.json'), /"tags": \[/);
  await page.click('button[data-ex="len126"]');
  assert.match(await text('#dec-fields'), /Extended payload length\s+16\s+16/);
  await page.click('button[data-ex="close-bye"]');
  assert.match(await text('#dec-payload'), /1000[\s\S]*"bye"/);
  await page.fill('#dec-input', 'gQVIZWxsbw=='); // base64 of 810548656c6c6f
  await page.selectOption('#dec-role', 'client');
  assert.match(await text('#dec-summary'), /base64/);
  assert.match(await text('#dec-payload'), /"Hello"/);
});

test('build: mask 37fa213d + "Hello" → 818537fa213d7f9f4d5158, open in decoder', async () => {
  await page.selectOption('#b-opcode', '1');
  await page.check('#b-mask');
  await page.fill('#b-key', '37fa213d');
  await page.selectOption('#b-ptype', 'text');
  await page.fill('#b-payload', 'Hello');
  await page.fill('#b-frag', '0');
  assert.equal(await page.getAttribute('#build-out', 'data-hex'), '818537fa213d7f9f4d5158');
  await page.fill('#b-frag', '2');
  assert.equal(await page.locator('#build-out .frm').count(), 3);
  await page.fill('#b-frag', '0');
  await page.click('#build-open');
  assert.equal((await page.inputValue('#dec-input')).replace(/\s/g, ''), '818537fa213d7f9f4d5158');
  assert.match(await text('#dec-fields'), /37fa213d/);
});

test('handshake: accept steps and validation', async () => {
  const steps = await text('#hs-steps');
  assert.match(steps, /s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
  assert.match(steps, /dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11/);
  assert.match(steps, /SHA-1 of those 60 ASCII bytes \(20 bytes\):\s*b3 7a 4f 2c c0 62 4f 16 90 f6 46 06 cf 38 59 45 b2 be c4 ea/);
  await page.waitForFunction(() => /equals the engine/.test(document.getElementById('hs-steps').innerText));
  await page.click('button[data-hs="req-bad"]');
  assert.match(await text('#hs-result'), /400/);
  await page.click('button[data-hs="req-pmd"]');
  assert.match(await text('#hs-result'), /permessage-deflate accepted/);
});

test('stream and compression panels', async () => {
  await page.click('button[data-st="sticky"]');
  const rows = await page.locator('#st-result tbody tr').count();
  assert.equal(rows, 2);
  assert.match(await text('#st-result'), /"first"[\s\S]*"second message"/);
  const cz = await text('#cz-result');
  assert.match(cz, /inflates both back/);
  assert.match(cz, /\[00 00 ff ff\]/);
});

test('live: the browser\'s own masked, compressed frame decoded', async () => {
  await page.click('#live-connect');
  await page.waitForSelector('#live-send:not([disabled])', { timeout: 10000 });
  await page.fill('#live-msg', 'Hello from the browser');
  await page.click('#live-send');
  const inRow = page.locator('#live-table tbody tr.dir-in', { hasText: 'Hello from the browser' });
  await inRow.first().waitFor({ timeout: 10000 });
  const rowText = await inRow.first().innerText();
  assert.match(rowText, /mask [0-9a-f]{8}/);
  assert.match(rowText, /RSV1/);
  await page.locator('#live-table tbody tr.dir-out', { hasText: 'Hello from the browser' }).first().waitFor({ timeout: 10000 });
  await page.click('#live-ping');
  await page.locator('#live-table tbody tr.dir-in', { hasText: 'pong' }).first().waitFor({ timeout: 10000 });
  await page.locator('#live').screenshot({ path: path.join(ART, 'live-1280.png') });
  await inRow.first().locator('button').click();
  const fields = await text('#dec-fields');
  assert.match(fields, /MASK\s+8\s+1\s+1/);
  assert.match(fields, /RSV1\s+1\s+1\s+1/);
  assert.match(fields, /Masking-key/);
  assert.match(await text('#dec-violations'), /No violations/);
  assert.match(await text('#dec-stream'), /"Hello from the browser"/);
});

test('stream cuts by keyboard; "why" buttons load their examples', async () => {
  await page.click('button[data-st="sticky"]');
  await page.focus('#st-bytes button >> nth=3');
  await page.keyboard.press('Enter'); // cut after byte 3: the header is split
  assert.equal(await page.inputValue('#st-cuts'), '4, 17');
  assert.equal(await page.locator('#st-result tbody tr').count(), 3);
  assert.match(await text('#st-result tbody tr:first-child'), /more header bytes/);
  await page.click('button[data-why="fragping"]');
  assert.match(await text('#dec-violations'), /RFC 6455 §5\.5/);
  await page.click('button[data-why="unmasked-to-server"]');
  assert.match(await text('#dec-violations'), /must be masked/);
  await page.click('button[data-why="interleave"]');
  assert.match(await text('#st-result'), /ping/);
});

test('screenshots; no horizontal overflow at 375 px; no console errors', async () => {
  await page.click('button[data-ex="rfc-masked"]');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(ART, 'page-1280x800.png') });
  await page.screenshot({ path: path.join(ART, 'page-1280-full.png'), fullPage: true });
  for (const id of ['build', 'handshake', 'stream', 'compress', 'live', 'capture', 'why']) {
    await page.locator('#' + id).screenshot({ path: path.join(ART, `${id}-1280.png`) });
  }
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
  await page.screenshot({ path: path.join(ART, 'page-375-full.png'), fullPage: true });
  // the full page in tiles of 375x1000 (readable without scaling)
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0, i = 0; y < height; y += 1000, i++) {
    await page.screenshot({ path: path.join(ART, `page-375-part${String(i).padStart(2, '0')}.png`), fullPage: true, clip: { x: 0, y, width: 375, height: Math.min(1000, height - y) } });
  }
  for (const id of ['decode', 'build', 'handshake', 'stream', 'compress', 'live', 'capture', 'why']) {
    await page.locator('#' + id).screenshot({ path: path.join(ART, `${id}-375.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.deepEqual(consoleErrors, []);
});
