// The conformance suite against wsprism-web in a non-Node runtime (Deno, Bun), both entries
// initialized by init() WITHOUT arguments (each finds its .wasm beside itself). Run by
// runtimes.test.mjs:  deno run --allow-read runtime-run.mjs <target>  |  bun runtime-run.mjs <target>
// Prints one JSON line: { target, initMs, results: [{ name, ok, todo, error }] }.
import { conformance } from './suite.mjs';
import * as codec from '../../packages/wsprism-web/index.js';
import * as capture from '../../packages/wsprism-web/capture.js';

const target = (typeof Deno !== 'undefined' ? Deno.args : process.argv.slice(2))[0] || 'runtime';
const t0 = performance.now();
await codec.init();
const initMs = performance.now() - t0;
await capture.init();
const vectors = JSON.parse(await (await fetch(new URL('../vectors/seed-vectors.json', import.meta.url))).text());
const tests = [];
conformance({
  lib: { ...codec, ...capture, init: codec.init },
  vectors,
  target,
  test: (name, fn) => tests.push({ name, fn }),
  todo: (name, why, fn) => tests.push({ name, fn, todo: why }),
  skip: () => {},
});
const results = [];
for (const { name, fn, todo } of tests) {
  try {
    await fn();
    results.push({ name, ok: true, todo });
  } catch (e) {
    results.push({ name, ok: false, todo, error: `${e && e.name}: ${e && e.message}` });
  }
}
console.log(JSON.stringify({ target, initMs, results }));
