// wsprism-web in headless Firefox (Debian's firefox-esr, scripts/setup/firefox.sh; 25-wasm.sh
// passes its path in WSPRISM_FIREFOX), driven over WebDriver BiDi by puppeteer-core: the
// conformance suite page (browser/suite.html: both entries, init() without arguments), one
// node:test test per case.
//   WSPRISM_FIREFOX=/usr/bin/firefox-esr node --test tests/conformance/wasm-firefox.test.mjs
import { test, after } from 'node:test';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ROOT, serve } from './lib/browser.mjs';

const bin = process.env.WSPRISM_FIREFOX;
if (!bin) {
  test('firefox: the conformance suite', { skip: 'WSPRISM_FIREFOX not set' }, () => {});
} else {
  const puppeteer = (await import('puppeteer-core')).default;
  const server = await serve({ '/tests/': join(ROOT, 'tests'), '/packages/': join(ROOT, 'packages') });
  const profile = mkdtempSync(join(tmpdir(), 'wsprism-firefox-'));
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: bin, headless: true, userDataDir: profile, timeout: 60_000 });
  after(async () => {
    await browser.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  });
  const page = await browser.newPage();
  await page.goto(`${server.url}/tests/conformance/browser/suite.html`);
  await page.waitForFunction(() => window.__results !== undefined, { timeout: 300_000 });
  const suite = await page.evaluate(() => window.__results);
  await page.close();
  test('firefox: the suite page loaded and initialized wsprism-web', () => {
    if (suite.fatal) throw new Error(suite.fatal);
    console.log(`# firefox: init() took ${suite.initMs.toFixed(1)} ms (fetch + compile + instantiate)`);
  });
  for (const r of suite.results || []) {
    test(`firefox: ${r.name}`, r.todo ? { todo: r.todo } : {}, () => {
      if (!r.ok) throw new Error(r.error);
    });
  }
}
