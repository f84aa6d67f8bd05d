// wsprism-web (wasm) vs plain JS in headless Chromium (Debian's chromium via playwright-core):
// the same cases as bench/wasm.mjs, plus instantiation time.
//   bash scripts/build-wasm.sh
//   (cd tests/conformance && npm install)      # playwright-core; never downloads a browser
//   node bench/wasm-browser.mjs [--quick]
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, serve, launch } from '../tests/conformance/lib/browser.mjs';

const quick = process.argv.includes('--quick');
const tmp = mkdtempSync(join(tmpdir(), 'wsprism-bench-'));
writeFileSync(join(tmp, 'init.html'), `<!doctype html><meta charset="utf-8"><script type="module">
  // Cold start of a fresh page: fetch + compile + instantiate, then compile and instantiate
  // again from bytes already in memory.
  const t0 = performance.now();
  const { init } = await import('/packages/wsprism-web/index.js');
  const t1 = performance.now();
  await init();
  const t2 = performance.now();
  const bytes = await (await fetch('/packages/wsprism-web/wasm/wsprism_wasm_bg.wasm')).arrayBuffer();
  const t3 = performance.now();
  const mod = await WebAssembly.compile(bytes);
  const t4 = performance.now();
  const raw = await import('/packages/wsprism-web/wasm/wsprism_wasm.js?second');
  const t5 = performance.now();
  await raw.default({ module_or_path: mod });
  const t6 = performance.now();
  window.__init = { importMs: t1 - t0, initMs: t2 - t1, compileMs: t4 - t3, instantiateMs: t6 - t5, bytes: bytes.byteLength };
</script>`);
writeFileSync(join(tmp, 'bench.html'), `<!doctype html><meta charset="utf-8"><script type="module">
  import * as lib from '/packages/wsprism-web/index.js';
  import { runBenchmarks } from '/bench/wasm-core.mjs';
  await lib.init();
  const lines = [];
  window.__lines = lines;
  try {
    runBenchmarks({ lib, log: (l) => lines.push(l), minMs: ${quick ? 100 : 500}, where: 'Chromium ' + (navigator.userAgent.match(/Chrom(e|ium)\\/[0-9.]+/) || [''])[0] });
  } catch (e) {
    lines.push('ERROR ' + (e && e.stack || e));
  }
  window.__done = true;
</script>`);

const server = await serve({ '/packages/': join(ROOT, 'packages'), '/bench/': join(ROOT, 'bench'), '/t/': tmp });
const browser = await launch();
try {
  console.log(`# wsprism-web benchmarks — headless Chromium ${browser.version()}`);
  const inits = [];
  for (let i = 0; i < 5; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${server.url}/t/init.html`);
    await page.waitForFunction(() => window.__init !== undefined, null, { timeout: 60_000 });
    inits.push(await page.evaluate(() => window.__init));
    await ctx.close();
  }
  const med = (k) => inits.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(inits.length / 2)].toFixed(1);
  console.log(`\nInstantiation (median of ${inits.length} fresh browser contexts, ${inits[0].bytes} bytes of wasm):`);
  console.log(`  init() (fetch + compile + instantiate, streaming): ${med('initMs')} ms`);
  console.log(`  WebAssembly.compile of the bytes: ${med('compileMs')} ms; instantiate a compiled module (glue init): ${med('instantiateMs')} ms`);
  console.log(`  per run: ${inits.map((x) => `${x.initMs.toFixed(1)}`).join(', ')} ms`);

  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(`${server.url}/t/bench.html`);
  await page.waitForFunction(() => window.__done === true, null, { timeout: 900_000, polling: 1000 });
  for (const l of await page.evaluate(() => window.__lines)) console.log(l);
} finally {
  await browser.close();
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
}
