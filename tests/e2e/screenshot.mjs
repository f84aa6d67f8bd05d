// Writes docs/screenshot.png: the visualizer at 1280x800 decoding the RFC's masked "Hello", with
// the opcode field highlighted; and docs/capture-panel.png: panel 7 with the example capture
// open on its first connection; docs/visualizer-zh.png: the Chinese page on the guided path's
// masking step (#/learn/masking) at 1280x900. Usage: node tests/e2e/screenshot.mjs (needs the builds and
// tests/e2e/node_modules, as scripts/test.d/50-visualizer.sh prepares them).
import { spawn, execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const exe = process.env.WSPRISM_CHROMIUM ||
  execFileSync('bash', [path.join(ROOT, 'scripts/setup/chromium.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop();
const server = spawn(process.execPath, [path.join(ROOT, 'www/server.js'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => {
  let buf = '';
  server.stdout.on('data', (d) => { buf += d; const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(buf); if (m) resolve(m[0]); });
});
const browser = await chromium.launch({
  executablePath: exe,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  await page.click('button[data-ex="rfc-masked"]');
  const top = await page.locator('#decode').evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
  await page.evaluate((y) => window.scrollTo(0, y), top - 12);
  await page.hover('#dec-diagram .dcell.f-op >> nth=0');
  await page.evaluate((y) => window.scrollTo(0, y), top - 12);
  const out = path.join(ROOT, 'docs/screenshot.png');
  await page.screenshot({ path: out });
  console.log(out);

  await page.mouse.move(0, 0);
  await page.click('#cap-example');
  await page.waitForSelector('#capture[data-state="ready"]', { timeout: 60000 });
  await page.click('#cap-conn-table tbody tr:nth-child(1) button');
  await page.waitForFunction(() => document.querySelector('#cap-table tbody tr.row') && !document.querySelector('#cap-table tbody tr.loading'));
  await page.waitForTimeout(600); // the smooth scroll to the list
  const cap = path.join(ROOT, 'docs/capture-panel.png');
  await page.locator('#capture').screenshot({ path: cap });
  console.log(cap);

  const zh = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  await zh.goto(url + '#/learn/masking');
  await zh.waitForSelector('body[data-ready="true"]');
  await zh.waitForSelector('#learn-card[data-step="masking"]');
  const cardTop = await zh.locator('#learn-card').evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
  await zh.evaluate((y) => window.scrollTo(0, y), cardTop - 12);
  const zhOut = path.join(ROOT, 'docs/visualizer-zh.png');
  await zh.screenshot({ path: zhOut });
  console.log(zhOut);
} finally {
  await browser.close();
  server.kill();
}
