// Installing the package the way a user without Rust would: `npm pack` of packages/wsprism (its
// prepack step adds the WebAssembly backend wasm/, the prebuilt addons prebuilds/ and the Rust
// sources native/), then in a temporary app outside the repository `npm install <tarball>` with
// a PATH that has no cargo or rustc (only node, npm and sh) and no ~/.cargo. The app then runs
// an echo server and client on 127.0.0.1:
//   - on the native backend (the prebuilt linux-x64-gnu addon, chosen by the loader),
//   - with WSPRISM_BACKEND=wasm,
//   - with no prebuilt addon for the platform (removed, then `npm rebuild`): the WebAssembly
//     backend by itself, announced by one line of the install step,
//   - under Bun and Deno (scripts/setup/bun-deno.sh: npm's @oven/bun-linux-x64 and
//     @deno/linux-x64-glibc in ~/.cache/wsprism), on both backends.
// The prebuilt addons are made beforehand by scripts/test.d/22-install.sh (build-prebuilds.sh);
// npm pack here packs them as they are (WSPRISM_PREPACK_TARGETS='': no build during the test).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkgDir = path.join(repo, 'packages', 'wsprism');
const ACCEPT = ['dGhlIHNhbXBsZSBub25jZQ==', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=']; // RFC 6455 §1.3

let tmp;
let tarball;
let app;
let noRust; // the environment of a machine without Rust

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000, ...opts });
}

/** stdout, stderr and status of a command (never throws on a non-zero exit). */
function capture(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...opts });
  return { status: r.status, stdout: r.stdout || '', stderr: r.stderr || '', error: r.error };
}

// An echo server and a client in one process, from the installed package: prints the backend
// in use and the echoed text. The same file runs under Node, Bun and Deno.
const ECHO = `
import wsprism from 'wsprism';
const { WebSocketServer, WebSocket, acceptKey, backend } = wsprism;
if (acceptKey('${ACCEPT[0]}') !== '${ACCEPT[1]}') throw new Error('acceptKey');
const timer = setTimeout(() => { console.log('timeout'); process.exit(1); }, 20000);
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { threshold: 0 } }, () => {
  const ws = new WebSocket('ws://127.0.0.1:' + wss.address().port + '/', { perMessageDeflate: { threshold: 0 } });
  ws.on('open', () => ws.send('hello'));
  ws.on('message', (data) => {
    console.log(backend + ' ' + data.toString() + ' ' + ws.extensions);
    clearTimeout(timer);
    ws.close();
    wss.close();
  });
});
wss.on('connection', (sock) => sock.on('message', (data, isBinary) => sock.send('echo: ' + data, { binary: isBinary })));
`;

/** Runs the echo app with `runtime` (argv prefix) and returns its output line. */
function echo(runtime, env = {}) {
  const [cmd, ...args] = runtime;
  const r = capture(cmd, [...args, 'echo.mjs'], { cwd: app, env: { ...noRust, ...env }, timeout: 60_000 });
  assert.equal(r.status, 0, `${runtime.join(' ')} echo.mjs exited ${r.status}: ${r.error || ''}\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wsprism-install-'));
  // A PATH with node, npm and sh only: no cargo, no rustc, no rustup (they share /usr/bin with
  // node on this machine, so the directories themselves cannot be used).
  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin);
  const which = (name) => run('sh', ['-c', `command -v ${name}`]).trim();
  for (const name of ['node', 'npm', 'sh']) fs.symlinkSync(fs.realpathSync(which(name)), path.join(bin, name));
  noRust = { ...process.env, PATH: bin, CARGO_HOME: path.join(tmp, 'no-cargo'), RUSTUP_HOME: path.join(tmp, 'no-rustup') };
  for (const k of ['WSPRISM_BACKEND', 'WSPRISM_NATIVE', 'WSPRISM_BUILD_FROM_SOURCE', 'CARGO_TARGET_DIR', 'npm_config_wsprism_build_from_source']) {
    delete noRust[k];
  }

  const packDir = path.join(tmp, 'pack');
  fs.mkdirSync(packDir);
  run('npm', ['pack', '--pack-destination', packDir], { cwd: pkgDir, env: { ...process.env, WSPRISM_PREPACK_TARGETS: '' } });
  const tgz = fs.readdirSync(packDir).filter((f) => /^wsprism-.*\.tgz$/.test(f));
  assert.equal(tgz.length, 1, `npm pack made ${tgz}`);
  tarball = path.join(packDir, tgz[0]);

  app = path.join(tmp, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  fs.writeFileSync(path.join(app, 'echo.mjs'), ECHO);
});

after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('the machine the app is installed on has no Rust (PATH without cargo/rustc, no ~/.cargo)', () => {
  const r = capture('sh', ['-c', 'command -v cargo || command -v rustc || command -v rustup'], { env: noRust });
  assert.notEqual(r.status, 0, `found ${r.stdout.trim()}`);
});

test('the tarball: the JS API, types, the wasm backend, the prebuilt linux-x64-gnu addon, the Rust sources; no build outputs', () => {
  assert.equal(fs.existsSync(path.join(pkgDir, 'native')), false, 'postpack removes native/');
  const listing = run('tar', ['-tzf', tarball]).split('\n');
  for (const f of [
    'package/index.js',
    'package/index.mjs',
    'package/index.d.ts',
    'package/lib/websocket.js',
    'package/lib/websocket-server.js',
    'package/lib/redis.js',
    'package/redis.js',
    'package/redis.mjs',
    'package/redis.d.ts',
    'package/backend/index.js',
    'package/backend/wasm.js',
    'package/wasm/wsprism_wasm.js',
    'package/wasm/wsprism_wasm_bg.wasm',
    'package/prebuilds/wsprism.linux-x64-gnu.node',
    'package/scripts/install.js',
    'package/native/Cargo.toml',
    'package/native/crates/wsprism/src/lib.rs',
    'package/native/crates/wsprism-node/src/lib.rs',
  ]) {
    assert.ok(listing.includes(f), `${f} is in the tarball`);
  }
  const nodes = listing.filter((f) => f.endsWith('.node'));
  assert.ok(nodes.every((f) => /^package\/prebuilds\/wsprism\.linux-(x64|arm64)-(gnu|musl)\.node$/.test(f)), `only prebuilt addons: ${nodes}`);
  assert.ok(!listing.some((f) => /\/(target|node_modules|build)\//.test(f)), 'no target/, node_modules/ or build/');
});

test('npm install <tarball> without Rust: the prebuilt addon is used; echo on the native backend (CommonJS and ESM)', () => {
  const r = capture('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', tarball], { cwd: app, env: noRust, timeout: 300_000 });
  assert.equal(r.status, 0, `npm install failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr + r.stdout, /wsprism: using the prebuilt addon prebuilds\/wsprism\.linux-x64-gnu\.node/);
  assert.equal(fs.existsSync(path.join(app, 'node_modules', 'wsprism', 'build')), false, 'nothing was built');

  const cjs = capture('node', ['-e', `const w = require('wsprism'); console.log(w.backend, w.acceptKey('${ACCEPT[0]}'))`], { cwd: app, env: noRust });
  assert.equal(cjs.stdout.trim(), `native ${ACCEPT[1]}`, cjs.stderr);
  assert.equal(echo(['node']), 'native echo: hello permessage-deflate');

  // wsprism/redis (CommonJS and ESM) without its optional peer `redis` installed: a clear error.
  const probe = (m) => `try { new ${m}.RedisPubSub({ url: 'redis://127.0.0.1:1' }) } catch (e) { console.log(e.code + ' ' + /npm install redis/.test(e.message)) }`;
  const rc = capture('node', ['-e', `const m = require('wsprism/redis'); ${probe('m')}`], { cwd: app, env: noRust });
  assert.equal(rc.stdout.trim(), 'ERR_MODULE_NOT_FOUND true', rc.stderr);
  const re = capture('node', ['--input-type=module', '-e', `import * as m from 'wsprism/redis'; ${probe('m')}`], { cwd: app, env: noRust });
  assert.equal(re.stdout.trim(), 'ERR_MODULE_NOT_FOUND true', re.stderr);
});

test('WSPRISM_BACKEND=wasm: the same app echoes on the WebAssembly backend; an unknown value is an error with a code', () => {
  assert.equal(echo(['node'], { WSPRISM_BACKEND: 'wasm' }), 'wasm echo: hello permessage-deflate');
  const r = capture('node', ['-e', "try { require('wsprism') } catch (e) { console.log(e.code) }"], { cwd: app, env: { ...noRust, WSPRISM_BACKEND: 'fast' } });
  assert.equal(r.stdout.trim(), 'ERR_INVALID_ARG_VALUE');
});

test('under Bun and Deno (from the cache): the installed package echoes on both backends', () => {
  const lines = run('bash', [path.join(repo, 'scripts', 'setup', 'bun-deno.sh')], { timeout: 900_000 }).trim().split('\n');
  const [bun, deno] = lines.slice(-2);
  const denoRun = [deno, 'run', '--allow-all', '--quiet'];
  for (const [name, runtime] of [['bun', [bun]], ['deno', denoRun]]) {
    assert.equal(echo(runtime), 'native echo: hello permessage-deflate', name);
    assert.equal(echo(runtime, { WSPRISM_BACKEND: 'wasm' }), 'wasm echo: hello permessage-deflate', `${name}, wasm`);
  }
});

test('no prebuilt addon for the platform and no cargo: npm rebuild says, in one line, that WebAssembly is used; it is', () => {
  const prebuilt = path.join(app, 'node_modules', 'wsprism', 'prebuilds', 'wsprism.linux-x64-gnu.node');
  fs.rmSync(prebuilt);
  const r = capture('npm', ['rebuild', '--foreground-scripts', 'wsprism'], { cwd: app, env: noRust, timeout: 300_000 });
  assert.equal(r.status, 0, `npm rebuild failed:\n${r.stdout}\n${r.stderr}`);
  const said = (r.stderr + r.stdout).split('\n').filter((l) => l.startsWith('wsprism: '));
  assert.equal(said.length, 1, said.join('\n'));
  assert.match(said[0], /^wsprism: no prebuilt addon for linux-x64-gnu and no cargo to build one: using the WebAssembly backend/);
  assert.equal(echo(['node']), 'wasm echo: hello permessage-deflate');

  // Asking for the native backend now is an error that says how to get one.
  const n = capture('node', ['-e', "try { require('wsprism') } catch (e) { console.log(e.code); console.log(e.message) }"], { cwd: app, env: { ...noRust, WSPRISM_BACKEND: 'native' } });
  const [code, message] = n.stdout.trim().split('\n');
  assert.equal(code, 'WS_ERR_ADDON_MISSING');
  assert.match(message, /--wsprism-build-from-source/);
});

test('building from source was requested but cargo is missing: the install fails and says why', () => {
  const r = capture('npm', ['rebuild', '--foreground-scripts', 'wsprism'], {
    cwd: app,
    env: { ...noRust, WSPRISM_BUILD_FROM_SOURCE: '1' },
    timeout: 300_000,
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr + r.stdout, /wsprism: building from source was requested, but cargo was not found/);
});

test('building from source on request (npm rebuild --wsprism-build-from-source, cargo on PATH): build/wsprism.node, native backend', { timeout: 1_500_000 }, () => {
  // cargo's build directory is target/install-test in the repository, so a second run only
  // relinks (the first compiles the dependencies: a few minutes on 2 cores).
  const env = { ...process.env, CARGO_TARGET_DIR: path.join(repo, 'target', 'install-test') };
  for (const k of ['WSPRISM_BACKEND', 'WSPRISM_NATIVE', 'WSPRISM_BUILD_FROM_SOURCE']) delete env[k];
  const r = capture('npm', ['rebuild', '--foreground-scripts', '--wsprism-build-from-source', 'wsprism'], { cwd: app, env, timeout: 1_400_000 });
  assert.equal(r.status, 0, `npm rebuild failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr + r.stdout, /wsprism: built build\/wsprism\.node/);
  assert.ok(fs.existsSync(path.join(app, 'node_modules', 'wsprism', 'build', 'wsprism.node')));
  // The app itself runs without Rust again: the addon built here is used.
  assert.equal(echo(['node']), 'native echo: hello permessage-deflate');
});
