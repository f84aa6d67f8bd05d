// The conformance suite against wsprism-web (the wasm build) in Node: the ES module entry,
// initialized with the .wasm bytes read from disk.
//   node --test tests/conformance/wasm-node.test.mjs      (after bash scripts/build-wasm.sh)
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { conformance } from './suite.mjs';

const root = new URL('../../', import.meta.url);
// init() without arguments: in Node the .wasm beside the module is read from disk (src/load.js).
const pkg = await import(new URL('packages/wsprism-web/index.js', root));
await pkg.init();
const cap = await import(new URL('packages/wsprism-web/capture.js', root));
await cap.init();
const lib = { ...pkg, ...cap };
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

test('wsprism-web/capture refuses to work before its init() (fresh module instance)', async () => {
  const fresh = await import(new URL('packages/wsprism-web/capture.js?fresh', root));
  let err;
  try {
    fresh.inspectCapture(new Uint8Array(0));
  } catch (e) {
    err = e;
  }
  if (!err || err.code !== 'ERR_WASM_NOT_INITIALIZED') throw new Error(`expected ERR_WASM_NOT_INITIALIZED, got ${err}`);
});

test('wsprism-web: the codec module has no capture code; sizes within the targets', () => {
  if ('inspectCapture' in pkg || 'openCapture' in pkg || 'writeCapture' in pkg) throw new Error('capture functions on the codec entry');
  execFileSync('bash', [fileURLToPath(new URL('scripts/wasm-sizes.sh', root))], { stdio: 'inherit' });
});

test('dist/wsprism-capture.js (classic script, window.wsprismCapture, wasm embedded) writes and reads a capture', async () => {
  const { runInThisContext } = await import('node:vm');
  runInThisContext(readFileSync(fileURLToPath(new URL('packages/wsprism-web/dist/wsprism-capture.js', root)), 'utf8'));
  const c = await globalThis.wsprismCapture.ready;
  const frame = pkg.encodeFrame({ opcode: 1, payload: 'Hello', mask: '37fa213d' });
  const pcap = c.writeCapture([{ client: '10.0.0.2:50000', server: '10.0.0.1:80', segments: [{ from: 'client', data: frame }] }]);
  const r = c.inspectCapture(pcap);
  if (!(pcap instanceof Uint8Array) || !Array.isArray(r.connections)) throw new Error('no report');
  const again = cap.inspectCapture(pcap);
  if (JSON.stringify(again) !== JSON.stringify(r)) throw new Error('the classic bundle and the ES entry disagree');
});

conformance({ lib, test, skip: (name, why) => test(name, { skip: why }, () => {}), todo: (name, why, fn) => test(name, { todo: why }, fn), vectors, target: 'wasm-node' });
