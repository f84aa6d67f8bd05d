// The soak benchmark's smoke mode (bench/soak.mjs --smoke): a few seconds of churn (close,
// terminate, reset), steady traffic and 200 slowloris sockets against wsprism's and ws's servers,
// with and without permessage-deflate. It asserts correctness only (every echo intact, every
// legitimate client served while slowloris sockets hold the server, no server exits), never
// memory or timing figures: those are for `npm run bench:soak`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('bench:soak --smoke: churn, steady traffic and slowloris on both servers, every echo intact', () => {
  const r = spawnSync(process.execPath, ['bench/soak.mjs', '--smoke', '--no-build'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000
  });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, out);
  assert.match(r.stdout, /# ok: 4 runs, every echo intact, every legitimate client served/);
  for (const row of ['plain    wsprism', 'plain    ws ', 'deflate  wsprism', 'deflate  ws ']) {
    assert.ok(r.stdout.includes(row), `no ${row.trim()} run in:\n${out}`);
  }
});
