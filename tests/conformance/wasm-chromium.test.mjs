// wsprism-web in headless Chromium (Debian's chromium driven by playwright-core):
//   1. the conformance suite (suite.mjs) against the ES module entry; one node:test test per case
//   2. a page that loads ONLY dist/wsprism.js with a classic <script> tag decodes 818537fa213d7f9f4d5158,
//      over http and from file://; the slim bundle (external .wasm) over http
//   3. a temp app outside the repo: `npm pack` wsprism-web, `npm install` the tarball, bundle
//      `import ... from 'wsprism-web'` with esbuild, run the bundle
//   4. the same app built for production by Vite and by webpack 5, each run
// Needs: bash scripts/build-wasm.sh, and `npm install` in tests/conformance (scripts/test.d/25-wasm.sh does both).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, copyFileSync, mkdirSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { ROOT, serve, launch } from './lib/browser.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PKG = join(ROOT, 'packages/wsprism-web');
const tmp = mkdtempSync(join(tmpdir(), 'wsprism-web-chromium-'));

// Classic-bundle pages: the bundle next to the page, nothing else.
const classicDir = join(tmp, 'classic');
const slimDir = join(tmp, 'slim');
for (const [dir, js] of [[classicDir, 'wsprism.js'], [slimDir, 'wsprism.slim.js']]) {
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(HERE, 'browser/classic.html'), join(dir, 'classic.html'));
  copyFileSync(join(PKG, 'dist', js), join(dir, 'wsprism.js'));
}
copyFileSync(join(PKG, 'dist/wsprism_bg.wasm'), join(slimDir, 'wsprism_bg.wasm'));

const server = await serve({
  '/tests/': join(ROOT, 'tests'),
  '/packages/': join(ROOT, 'packages'),
  '/classic/': classicDir,
  '/slim/': slimDir,
  '/app/': join(tmp, 'app', 'out'),
});
const browser = await launch();
after(async () => {
  await browser.close();
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function withPage(url, fn) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(url);
    return await fn(page, errors);
  } finally {
    await page.close();
  }
}

// 1. The conformance suite, run in the page; each case becomes a node:test test here.
const suite = await withPage(`${server.url}/tests/conformance/browser/suite.html`, async (page) => {
  await page.waitForFunction(() => window.__results !== undefined, null, { timeout: 300_000 });
  return page.evaluate(() => window.__results);
});
test('chromium: the suite page loaded and initialized wsprism-web', () => {
  assert.equal(suite.fatal, undefined, suite.fatal);
  assert.ok(suite.results.length > 50, `only ${suite.results && suite.results.length} tests`);
  console.log(`# chromium: init() took ${suite.initMs.toFixed(1)} ms (fetch + compile + instantiate)`);
});
for (const r of suite.results || []) {
  test(`chromium: ${r.name}`, r.todo ? { todo: r.todo } : {}, () => {
    if (!r.ok) assert.fail(r.error);
  });
}

// 2. Classic script tag.
const classicCheck = (r) => {
  assert.equal(r.error, undefined, r.error);
  assert.deepEqual(r, {
    same: true, type: 'message', binary: false, text: 'Hello',
    accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', opcodeName: 'text', moduleScripts: 0,
  });
};
test('chromium: classic <script src="dist/wsprism.js"> over http decodes 818537fa213d7f9f4d5158', async () => {
  const r = await withPage(`${server.url}/classic/classic.html`, async (page, errors) => {
    const res = await page.evaluate(() => window.__classic);
    assert.deepEqual(errors, []);
    return res;
  });
  classicCheck(r);
});
test('chromium: classic dist/wsprism.js from file:// (wasm embedded)', async () => {
  const r = await withPage(pathToFileURL(join(classicDir, 'classic.html')).href, (page) => page.evaluate(() => window.__classic));
  classicCheck(r);
});
test('chromium: slim classic bundle (dist/wsprism.slim.js + wsprism_bg.wasm next to it) over http', async () => {
  const r = await withPage(`${server.url}/slim/classic.html`, (page) => page.evaluate(() => window.__classic));
  classicCheck(r);
});

// 3. npm pack -> npm install in a temp app -> esbuild bundle -> Chromium.
test('chromium: a temp app installs the packed wsprism-web tarball, bundles it with esbuild, runs it', async () => {
  const app = join(tmp, 'app');
  mkdirSync(join(app, 'out', 'wasm'), { recursive: true });
  const packOut = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: PKG, encoding: 'utf8' });
  const packed = JSON.parse(packOut)[0];
  const files = packed.files.map((f) => f.path);
  for (const f of ['index.js', 'index.d.ts', 'src/api.js', 'src/args.js', 'wasm/wsprism_wasm.js', 'wasm/wsprism_wasm_bg.wasm', 'dist/wsprism.js', 'README.md']) {
    assert.ok(files.includes(f), `tarball lacks ${f}: ${files.join(', ')}`);
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'wsprism-web-temp-app', private: true, type: 'module' }));
  copyFileSync(join(HERE, 'app/app.js'), join(app, 'app.js'));
  copyFileSync(join(HERE, 'app/index.html'), join(app, 'out', 'index.html'));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', join(tmp, packed.filename)], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] });
  const esbuild = createRequire(import.meta.url)('esbuild');
  await esbuild.build({ entryPoints: [join(app, 'app.js')], bundle: true, format: 'esm', outfile: join(app, 'out', 'app.js'), absWorkingDir: app, logLevel: 'error' });
  const bundle = readFileSync(join(app, 'out', 'app.js'), 'utf8');
  assert.ok(!bundle.includes("from 'wsprism-web'"), 'the import was bundled');
  // The ES module entry fetches wasm/wsprism_wasm_bg.wasm relative to the (bundled) module.
  copyFileSync(join(app, 'node_modules/wsprism-web/wasm/wsprism_wasm_bg.wasm'), join(app, 'out', 'wasm', 'wsprism_wasm_bg.wasm'));
  const r = await withPage(`${server.url}/app/index.html`, async (page) => {
    await page.waitForFunction(() => window.__app !== undefined);
    return page.evaluate(() => window.__app);
  });
  assert.deepEqual(r, { hex: '818537fa213d7f9f4d5158', text: 'Hello', accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', stream: 'function' });
});

// 4. The same temp app (installed by the esbuild test above) in production builds by Vite and
// webpack 5, each served and run in Chromium: both find the .wasm through
// `new URL('./wasm/wsprism_wasm_bg.wasm', import.meta.url)` and emit it as an asset.
const APP_RESULT = { hex: '818537fa213d7f9f4d5158', text: 'Hello', accept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', stream: 'function' };

async function runBuilt(outDir, html) {
  const s = await serve({ '/': outDir });
  try {
    const page = await browser.newPage();
    try {
      await page.goto(`${s.url}/${html}`);
      await page.waitForFunction(() => window.__app !== undefined, null, { timeout: 60_000 });
      return await page.evaluate(() => window.__app);
    } finally {
      await page.close();
    }
  } finally {
    await s.close();
  }
}

test('chromium: the temp app built for production by Vite runs', async () => {
  const app = join(tmp, 'app');
  const vite = await import('vite');
  writeFileSync(join(app, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./app.js"></script>\n');
  await vite.build({ root: app, logLevel: 'error', configFile: false, build: { outDir: join(app, 'vite-out'), emptyOutDir: true } });
  assert.deepEqual(await runBuilt(join(app, 'vite-out'), 'index.html'), APP_RESULT);
});

test('chromium: the temp app built for production by webpack 5 runs', async () => {
  const app = join(tmp, 'app');
  const webpack = createRequire(import.meta.url)('webpack');
  const out = join(app, 'webpack-out');
  const stats = await new Promise((resolve, reject) => webpack({
    mode: 'production', context: app, entry: './app.js', target: 'web',
    output: { path: out, filename: 'app.js', publicPath: 'auto' },
    experiments: { outputModule: false },
  }, (err, st) => (err ? reject(err) : resolve(st))));
  assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
  writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><script src="./app.js"></script>\n');
  assert.deepEqual(await runBuilt(out, 'index.html'), APP_RESULT);
});
