// wsprism-web in Bun and Deno: runtime-run.mjs runs the conformance suite there with both
// entries initialized by init() without arguments. The runtimes come from
// scripts/setup/bun-deno.sh (25-wasm.sh passes their paths in WSPRISM_BUN / WSPRISM_DENO).
//   WSPRISM_BUN=... WSPRISM_DENO=... node --test tests/conformance/runtimes.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const runtimes = [
  ['bun', process.env.WSPRISM_BUN, (bin) => [bin, ['runtime-run.mjs', 'wasm-bun']]],
  ['deno', process.env.WSPRISM_DENO, (bin) => [bin, ['run', '--no-prompt', '--allow-read', 'runtime-run.mjs', 'wasm-deno']]],
];

for (const [name, bin, argv] of runtimes) {
  test(`${name}: init() without arguments, then the conformance suite`, { skip: bin ? false : `WSPRISM_${name.toUpperCase()} not set` }, () => {
    const [cmd, args] = argv(bin);
    const out = execFileSync(cmd, args, { cwd: HERE, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
    const report = JSON.parse(out.trim().split('\n').pop());
    const failed = report.results.filter((r) => !r.ok && !r.todo);
    console.log(`# ${name}: init() ${report.initMs.toFixed(1)} ms; ${report.results.length} tests, ${failed.length} failed`);
    assert.ok(report.results.length > 50, 'the suite ran');
    assert.deepEqual(failed.map((r) => `${r.name}: ${r.error}`), []);
  });
}
