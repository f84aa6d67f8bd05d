// The conformance suite against the Node package (packages/wsprism, napi addon).
// Skipped when the package or its addon is not built (bash scripts/build-node.sh).
import { test } from 'node:test';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { conformance } from './suite.mjs';

const root = new URL('../../', import.meta.url);
const vectors = JSON.parse(readFileSync(fileURLToPath(new URL('tests/vectors/seed-vectors.json', root)), 'utf8'));
const dir = fileURLToPath(new URL('packages/wsprism/', root));
let lib = null;
let why = '';
if (!existsSync(dir + 'package.json')) {
  why = 'packages/wsprism does not exist yet';
} else {
  try {
    lib = createRequire(import.meta.url)(dir);
  } catch (e) {
    why = `packages/wsprism does not load (${e.message.split('\n')[0]}); run bash scripts/build-node.sh`;
  }
}
if (lib === null) {
  test('Node package (packages/wsprism)', { skip: why }, () => {});
} else {
  conformance({ lib, test, skip: (name, why) => test(name, { skip: why }, () => {}), todo: (name, why, fn) => test(name, { todo: why }, fn), vectors, target: 'node' });
}
