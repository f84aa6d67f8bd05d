// The conformance suite against wsprism-web (the wasm build) in Node: the ES module entry,
// initialized with the .wasm bytes read from disk.
//   node --test tests/conformance/wasm-node.test.mjs      (after bash scripts/build-wasm.sh)
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { conformance } from './suite.mjs';

const root = new URL('../../', import.meta.url);
const pkg = await import(new URL('packages/wsprism-web/index.js', root));
await pkg.init({ module_or_path: readFileSync(fileURLToPath(new URL('packages/wsprism-web/wasm/wsprism_wasm_bg.wasm', root))) });
const vectors = JSON.parse(readFileSync(fileURLToPath(new URL('tests/vectors/seed-vectors.json', root)), 'utf8'));

test('wsprism-web refuses to work before init() (fresh module instance)', async () => {
  const fresh = await import(new URL('packages/wsprism-web/index.js?fresh', root));
  let err;
  try {
    fresh.acceptKey('x');
  } catch (e) {
    err = e;
  }
  if (!err || err.code !== 'ERR_WASM_NOT_INITIALIZED') throw new Error(`expected ERR_WASM_NOT_INITIALIZED, got ${err}`);
});

conformance({ lib: pkg, test, skip: (name, why) => test(name, { skip: why }, () => {}), todo: (name, why, fn) => test(name, { todo: why }, fn), vectors, target: 'wasm-node' });
