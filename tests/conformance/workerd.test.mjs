// wsprism-web in Cloudflare's workerd (scripts/setup/workerd.sh; 25-wasm.sh passes its path in
// WSPRISM_WORKERD): a temporary directory holds the Worker (workerd/worker.mjs), the suite, the
// vectors and the package's files; `workerd serve config.capnp` listens on 127.0.0.1; GET /
// runs the conformance suite after init() without arguments (the "workerd" entry imports the
// .wasm as a module, as wrangler bundles it; so does the capture entry's).
//   WSPRISM_WORKERD=... node --test tests/conformance/workerd.test.mjs
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const bin = process.env.WSPRISM_WORKERD;
const dir = mkdtempSync(join(tmpdir(), 'wsprism-workerd-'));
let child = null;
after(() => {
  if (child !== null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

test('workerd: a Worker imports wsprism-web and wsprism-web/capture (their .wasm as modules), init() without arguments, the conformance suite', { skip: bin ? false : 'WSPRISM_WORKERD not set', timeout: 120_000 }, async () => {
  const pkgFiles = ['workerd.js', 'index.js', 'src/api.js', 'src/load.js', 'wasm/wsprism_wasm.js', 'wasm/wsprism_wasm_bg.wasm',
    'capture-workerd.js', 'capture.js', 'src/capture-api.js', 'src/args.js', 'wasm/wsprism_capture.js', 'wasm/wsprism_capture_bg.wasm'];
  const put = (from, to) => {
    mkdirSync(dirname(join(dir, to)), { recursive: true });
    copyFileSync(from, join(dir, to));
  };
  for (const f of pkgFiles) put(join(ROOT, 'packages/wsprism-web', f), `wsprism-web/${f}`);
  put(join(ROOT, 'tests/conformance/workerd/worker.mjs'), 'worker.mjs');
  put(join(ROOT, 'tests/conformance/suite.mjs'), 'suite.mjs');
  put(join(ROOT, 'tests/vectors/seed-vectors.json'), 'seed-vectors.json');
  const mod = (name) => (name.endsWith('.wasm') ? `(name = "${name}", wasm = embed "${name}")`
    : name.endsWith('.json') ? `(name = "${name}", json = embed "${name}")`
      : `(name = "${name}", esModule = embed "${name}")`);
  const modules = ['worker.mjs', 'suite.mjs', 'seed-vectors.json', ...pkgFiles.map((f) => `wsprism-web/${f}`)];
  const port = await freePort();
  writeFileSync(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ ${modules.map(mod).join(',\n    ')} ],
  compatibilityDate = "2025-01-01",
);
`);
  child = spawn(bin, ['serve', join(dir, 'config.capnp')], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  let res = null;
  for (let i = 0; i < 100 && res === null; i++) {
    try {
      res = await fetch(`http://127.0.0.1:${port}/`);
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.ok(res, 'workerd answered');
  const report = await res.json();
  const failed = report.results.filter((r) => !r.ok && !r.todo);
  console.log(`# workerd: init() ${report.initMs.toFixed(1)} ms; ${report.results.length} tests, ${failed.length} failed`);
  assert.ok(report.results.length > 50, 'the suite ran');
  assert.deepEqual(failed.map((r) => `${r.name}: ${r.error}`), []);
});
