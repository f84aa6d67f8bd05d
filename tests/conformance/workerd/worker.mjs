// A Worker (run by workerd, tests/conformance/workerd.test.mjs) importing wsprism-web as
// wrangler would bundle it: the "workerd" entry, whose .wasm is a module import. GET / runs the
// conformance suite after init() without arguments and answers its results as JSON.
import { conformance } from './suite.mjs';
import * as codec from './wsprism-web/workerd.js';
import * as capture from './wsprism-web/capture-workerd.js';
import vectors from './seed-vectors.json';

export default {
  async fetch() {
    const t0 = performance.now();
    await codec.init();
    const initMs = performance.now() - t0;
    await capture.init();
    const lib = { ...codec, ...capture, init: codec.init };
    const tests = [];
    conformance({
      lib, vectors, target: 'wasm-workerd',
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
    return Response.json({ initMs, results });
  },
};
