// End-to-end test of the visualizer's two languages and its guided path (issue 18), in Debian's
// Chromium against www/server.js: the translation tables (same keys in English and Chinese, no
// empty value, every `WS_ERR_*` code of the engine explained, every text unit of index.html
// translated), the rendered Chinese page with every panel in use (no English sentence left
// outside RFC terms and the engine's own messages, which are marked lang="en"), the English
// page (no Chinese left), the switch without a reload (inputs kept, choice kept in
// localStorage), the first visit's choice from navigator.language, the path's steps (each URL
// opens its step with its example loaded; progress kept), no console errors, no horizontal
// overflow at 375 px in either language. Screenshots of both languages: tests/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, launch } from './lib.mjs';

const ART = path.join(ROOT, 'tests/artifacts');
fs.mkdirSync(ART, { recursive: true });

let server, url, browser;
const consoleErrors = [];

before(async () => {
  ({ url, proc: server } = await startServer());
  browser = await launch();
});
after(async () => {
  if (browser) await browser.close();
  if (server) server.kill();
});

async function newPage(locale, hash = '') {
  const ctx = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(locale + ': ' + m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(locale + ': ' + String(e)));
  await page.goto(url + hash);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  return page;
}

// The engine's WS_ERR_* codes, from its source (error.rs and handshake/).
function engineCodes() {
  const codes = new Set();
  const walk = (d) => {
    for (const f of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, f.name);
      if (f.isDirectory()) walk(p);
      else if (f.name.endsWith('.rs')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/"(WS_ERR_[A-Z0-9_]+)"/g)) codes.add(m[1]);
    }
  };
  walk(path.join(ROOT, 'crates/wsprism/src'));
  return [...codes].sort();
}

// In the page: where two tables differ in shape (keys, kinds, array lengths) or hold an empty word.
const compareTables = () => import('/i18n/index.js').then(({ TABLES, pageUnits }) => {
  const out = [];
  const kind = (v) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  const cmp = (a, b, at) => {
    if (kind(a) !== kind(b)) return out.push(at + ': ' + kind(a) + ' vs ' + kind(b));
    if (typeof a === 'string' && (!a.trim() || !b.trim()) && a !== b) return out.push(at + ': empty');
    if (typeof a === 'function' && a.length !== b.length) return out.push(at + ': ' + a.length + ' vs ' + b.length + ' arguments');
    if (Array.isArray(a) && a.length !== b.length) return out.push(at + ': ' + a.length + ' vs ' + b.length + ' items');
    if (kind(a) === 'object' || kind(a) === 'array') {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (!(k in a)) out.push(at + '.' + k + ': only in zh');
        else if (!(k in b)) out.push(at + '.' + k + ': only in en');
        else cmp(a[k], b[k], at + '.' + k);
      }
    }
  };
  const { page: enPage, ...en } = TABLES.en;
  const { page: zhPage, ...zh } = TABLES.zh;
  cmp(en, zh, 'table');
  const keys = new Set(pageUnits().map((u) => u.key));
  for (const k of keys) if (!zhPage[k] || !zhPage[k].trim()) out.push('page: no Chinese for ' + JSON.stringify(k));
  for (const k of Object.keys(zhPage)) if (!keys.has(k)) out.push('page: not in index.html: ' + JSON.stringify(k));
  if (Object.keys(enPage).length) out.push('page: the English page is index.html itself');
  return { diffs: out, units: keys.size, violations: { en: Object.keys(TABLES.en.violations), zh: Object.keys(TABLES.zh.violations) } };
});

// In the page: English sentences (4+ words in a row, not all RFC terms) outside the engine's
// messages (lang="en"), code, quoted payloads and the language switch.
const englishLeft = () => {
  const TERMS = new Set(('fin rsv rsv1 rsv2 rsv3 opcode mask masking-key payload len data extended length sec-websocket-key ' +
    'sec-websocket-accept sec-websocket-version sec-websocket-protocol sec-websocket-extensions permessage-deflate context takeover no ' +
    'server client max window bits upgrade websocket connection http get switching protocols ping pong close text binary continuation ' +
    'utf-8 rfc xor key hello bye mdn java json base64 hex sha-1 guid tcp tls har pcap pcapng wireshark tcpdump socket.io and of the ' +
    'decoder encoder frame frames on off b kb mb ms s api wsprism host pragma origin cache-control user-agent ' +
    // the examples' own names (resource paths, subprotocols)
    'chat superchat feed demo').split(' '));
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode());) {
    const p = n.parentElement;
    if (!p || p.closest('body [lang="en"], .lang, code, pre, kbd, samp, script, style, textarea, .mono, .hexout, .bytes, .diagram')) continue;
    const t = n.data.replace(/"(?:[^"\\]|\\.)*"/g, ' ').replace(/“[^”]*”/g, ' ');
    for (const run of t.match(/[A-Za-z][\w'’.-]*(?:[\s,;:()/]+[A-Za-z][\w'’.-]*){3,}/g) || []) {
      const words = run.match(/[A-Za-z][\w'’.-]*/g).map((w) => w.replace(/[.]$/, '').toLowerCase());
      if (words.some((w) => !TERMS.has(w) && !/\d|_/.test(w))) bad.push(p.tagName + (p.id ? '#' + p.id : '') + ': ' + run);
    }
    // a text with no Chinese at all and an English word of 3+ letters that is not an RFC term
    if (!/[\u4e00-\u9fff]/.test(t)) {
      const odd = (t.match(/[A-Za-z][\w'’-]{2,}/g) || []).filter((w) => !TERMS.has(w.toLowerCase()) && !/\d|_/.test(w));
      if (odd.length) bad.push(p.tagName + (p.id ? '#' + p.id : '') + ': ' + t.trim().slice(0, 80));
    }
  }
  return bad;
};
const chineseLeft = () => {
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode());) {
    if (n.parentElement.closest('.lang')) continue;
    if (/[\u4e00-\u9fff]/.test(n.data)) bad.push(n.parentElement.tagName + ': ' + n.data.trim().slice(0, 60));
  }
  return bad;
};

// Puts every panel to work, so that its words are on the page.
async function exercise(page) {
  await page.click('button[data-ex="bad-utf8"]');
  await page.click('button[data-ex="mdn-fragments"]');
  await page.click('#dec-frames button >> nth=1');
  await page.fill('#b-frag', '2');
  await page.click('button[data-hs="req-pmd"]');
  await page.click('button[data-st="sticky"]');
  await page.click('#live-connect');
  await page.waitForSelector('#live-send:not([disabled])', { timeout: 10000 });
  await page.click('#live-send');
  await page.locator('#live-table tbody tr.dir-out').first().waitFor({ timeout: 10000 });
  await page.click('#cap-example');
  await page.waitForSelector('#capture[data-state="ready"]', { timeout: 30000 });
  await page.click('#cap-conns tbody tr:first-child button');
  await page.waitForSelector('#cap-table tbody tr .rowbtn', { timeout: 10000 });
  await page.goto(url + '#/learn/heartbeat');
  await page.waitForSelector('#learn-card[data-step="heartbeat"]');
}

async function overflowAt375(page) {
  await page.setViewportSize({ width: 375, height: 800 });
  const o = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const wide = [];
    for (const e of document.querySelectorAll('body *')) {
      const r = e.getBoundingClientRect();
      if (r.right > w + 1 && !e.closest('.scroll-x')) wide.push(e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(r.right));
    }
    return { scroll: document.documentElement.scrollWidth, w, wide: wide.slice(0, 10) };
  });
  return o;
}

test('tables: same keys in English and Chinese, no empty word, every index.html text unit and engine code translated', async () => {
  const page = await newPage('en-US');
  const r = await page.evaluate(compareTables);
  assert.deepEqual(r.diffs, []);
  assert.ok(r.units > 100, 'index.html has its text units: ' + r.units);
  const codes = engineCodes();
  assert.ok(codes.length >= 20, 'the engine source has its codes: ' + codes.join(' '));
  for (const l of ['en', 'zh']) {
    assert.deepEqual(codes.filter((c) => !r.violations[l].includes(c)), [], l + ': engine codes without an explanation');
    assert.deepEqual(r.violations[l].filter((c) => !codes.includes(c)), [], l + ': explanations of codes the engine no longer has');
  }
  await page.context().close();
});

test('first visit: the language follows navigator.language; the choice is kept in localStorage', async () => {
  const zh = await newPage('zh-CN');
  assert.equal(await zh.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(await zh.locator('#decode-h').innerText(), /解码/);
  assert.equal(await zh.getAttribute('button[data-lang="zh"]', 'aria-pressed'), 'true');
  await zh.click('button[data-lang="en"]');
  await zh.reload();
  await zh.waitForSelector('body[data-ready="true"]');
  assert.equal(await zh.getAttribute('html', 'lang'), 'en', 'the choice outlives a reload');
  assert.match(await zh.locator('#decode-h').innerText(), /Decode a frame/);
  await zh.context().close();
  const en = await newPage('en-US');
  assert.equal(await en.getAttribute('html', 'lang'), 'en');
  await en.context().close();
});

test('switch without a reload: the state is drawn again, inputs kept', async () => {
  const page = await newPage('en-US');
  await page.evaluate(() => { window.notReloaded = true; });
  await page.fill('#dec-input', '88 02 03 e8');
  await page.selectOption('#dec-role', 'client');
  await page.fill('#b-payload', 'kept');
  assert.match(await page.locator('#dec-summary').innerText(), /1 complete frame/);
  await page.click('button[data-lang="zh"]');
  assert.equal(await page.evaluate(() => window.notReloaded), true);
  assert.equal(await page.inputValue('#dec-input'), '88 02 03 e8');
  assert.equal(await page.inputValue('#dec-role'), 'client');
  assert.equal(await page.inputValue('#b-payload'), 'kept');
  assert.match(await page.locator('#dec-summary').innerText(), /1 个完整的帧/);
  assert.match(await page.locator('#dec-fields').innerText(), /消息的最后一帧吗/);
  assert.match(await page.locator('#engine-status').innerText(), /引擎已就绪/);
  assert.match(await page.locator('#dec-role option[value="client"]').innerText(), /客户端/);
  assert.equal(await page.evaluate(() => localStorage.getItem('wsprism.lang')), 'zh');
  // a violation is explained by its code; the engine's own words stay beside it, marked English
  await page.click('button[data-ex="bad-opcode"]');
  const v = await page.locator('#dec-violations').innerText();
  assert.match(v, /这里不允许这个 opcode/);
  assert.match(v, /WS_ERR_INVALID_OPCODE/);
  assert.equal(await page.locator('#dec-violations [lang="en"]').count(), 1);
  await page.click('button[data-lang="en"]');
  assert.match(await page.locator('#dec-violations').innerText(), /The opcode is not allowed here/);
  assert.match(await page.locator('#decode-h').innerText(), /Decode a frame/);
  await page.context().close();
});

for (const lang of ['zh', 'en']) {
  test(`${lang}: every panel in use, no untranslated text, no overflow at 375 px; screenshots`, async () => {
    const page = await newPage(lang === 'zh' ? 'zh-CN' : 'en-US');
    await exercise(page);
    if (lang === 'zh') assert.deepEqual(await page.evaluate(englishLeft), []);
    else assert.deepEqual(await page.evaluate(chineseLeft), []);
    await page.goto(url + '#/learn/frame');
    await page.waitForSelector('#learn-card[data-step="frame"]');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(ART, `i18n-${lang}-1280.png`) });
    await page.screenshot({ path: path.join(ART, `i18n-${lang}-1280-full.png`), fullPage: true });
    const o = await overflowAt375(page);
    assert.ok(o.scroll <= o.w, 'horizontal overflow at 375 px: ' + JSON.stringify(o));
    assert.deepEqual(o.wide, []);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(ART, `i18n-${lang}-375.png`) });
    await page.locator('#learn-card').screenshot({ path: path.join(ART, `i18n-${lang}-375-step.png`) });
    await page.context().close();
  });
}

test('the guided path: each step\'s URL opens it with its example loaded; progress is kept', async () => {
  const page = await newPage('en-US', '#/learn/masking');
  const card = page.locator('#learn-card');
  assert.equal(await card.getAttribute('data-step'), 'masking');
  assert.equal(await page.evaluate(() => document.getElementById('learn-card').nextElementSibling.id), 'decode');
  assert.equal((await page.inputValue('#dec-input')).replace(/\s/g, ''), '818537fa213d7f9f4d5158');
  assert.equal(await page.getAttribute('#learn-progress', 'data-done'), '1');
  const expect = {
    why: ['live', async () => {}],
    handshake: ['handshake', async () => assert.match(await page.locator('#hs-steps').innerText(), /s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/)],
    frame: ['decode', async () => assert.equal((await page.inputValue('#dec-input')).replace(/\s/g, ''), '810548656c6c6f')],
    masking: ['decode', async () => assert.equal((await page.inputValue('#dec-input')).replace(/\s/g, ''), '818537fa213d7f9f4d5158')],
    fragmentation: ['decode', async () => assert.equal(await page.locator('#dec-frames button').count(), 3)],
    'sticky-packets': ['stream', async () => assert.equal(await page.locator('#st-result tbody tr').count(), 2)],
    heartbeat: ['decode', async () => assert.match(await page.locator('#dec-fields').innerText(), /0x9 \(ping\)/)],
    close: ['decode', async () => assert.match(await page.locator('#dec-payload').innerText(), /1000[\s\S]*"bye"/)],
    compression: ['compress', async () => assert.match(await page.locator('#cz-result').innerText(), /With context takeover/)],
    capture: ['capture', async () => page.waitForSelector('#capture[data-state="ready"]', { timeout: 30000 })],
  };
  const steps = await page.evaluate(() => Array.from(document.querySelectorAll('#learn-steps li'), (li) => li.getAttribute('data-step')));
  assert.deepEqual(steps, Object.keys(expect), 'the articles\' order');
  for (const [step, [panel, check]] of Object.entries(expect)) {
    await page.click(`#learn-steps a[href="#/learn/${step}"]`);
    await page.waitForSelector(`#learn-card[data-step="${step}"]`);
    assert.equal(await page.evaluate(() => location.hash), '#/learn/' + step);
    assert.equal(await page.evaluate(() => document.getElementById('learn-card').nextElementSibling.id), panel, step + ' opens above its panel');
    await check();
  }
  assert.equal(await page.getAttribute('#learn-progress', 'data-done'), '10');
  assert.equal(await page.locator('#learn-steps li.seen').count(), 10);
  // "try this" on a few steps. A step link changes location.hash; the page opens the step on
  // 'hashchange', which fires after the click returns, so wait for the card to show the step.
  const go = async (step) => {
    await page.click(`#learn-steps a[href="#/learn/${step}"]`);
    await page.waitForSelector(`#learn-card[data-step="${step}"]`);
  };
  await go('close');
  assert.match(await card.innerText(), /88 07 03 e8 62 79 65/);
  await page.click('#learn-try');
  assert.match(await page.locator('#dec-summary').innerText(), /incomplete frame[\s\S]*2 more payload bytes of a 7-byte close frame/);
  await page.click('#learn-next');
  await page.waitForSelector('#learn-card[data-step="compression"]');
  await page.click('#learn-try');
  assert.match(await page.locator('#cz-result').innerText(), /Without context takeover/);
  await go('heartbeat');
  assert.match(await card.innerText(), /Ping is 0x9/);
  await go('masking');
  await page.click('#learn-try');
  assert.match(await page.locator('#dec-violations').innerText(), /WS_ERR_EXPECTED_MASK/);
  await go('capture');
  await page.click('#learn-try');
  await page.waitForSelector('#cap-table tbody tr .rowbtn', { timeout: 10000 });
  // progress survives a reload; the step's URL opens it again
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.getAttribute('#learn-progress', 'data-done'), '10');
  assert.equal(await card.getAttribute('data-step'), 'capture');
  // the switch re-draws the open step
  await page.click('button[data-lang="zh"]');
  assert.match(await card.innerText(), /阅读抓包/);
  assert.match(await page.locator('#learn-progress').innerText(), /已打开 10 \/ 10 步/);
  await page.context().close();
});

test('no console errors', () => {
  assert.deepEqual(consoleErrors, []);
});
