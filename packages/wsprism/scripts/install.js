#!/usr/bin/env node
'use strict';

// `npm install` step of the wsprism package. It never fails an install:
//
// 1. Building from source was requested — WSPRISM_BUILD_FROM_SOURCE=1, or
//    `npm rebuild wsprism --wsprism-build-from-source` / `npm install --wsprism-build-from-source`
//    (npm passes the flag as npm_config_wsprism_build_from_source) — then cargo builds
//    build/wsprism.node from native/ (the Rust sources bundled by scripts/prepack.js); a failed
//    requested build fails the install.
// 2. Otherwise, a prebuilt prebuilds/wsprism.<platform>-<arch>-<libc>.node that loads in this
//    Node → nothing to do (the native backend).
// 3. Otherwise, with cargo on PATH: build from source as in 1 (a failure falls back to 4).
// 4. Otherwise: one line saying that the WebAssembly backend will be used (wasm/, always in
//    the package). Nothing else is needed.
// WSPRISM_SKIP_BUILD=1 skips every build. CARGO_TARGET_DIR shares a cargo build directory
// (otherwise a temporary one is used and removed afterwards).

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const pkg = path.resolve(__dirname, '..');
const out = path.join(pkg, 'build', 'wsprism.node');
const { platformTag } = require('../backend/index.js');
const tag = platformTag();

function log(msg) {
  process.stderr.write(`wsprism: ${msg}\n`);
}

function fail(msg) {
  log(msg);
  process.exit(1);
}

const truthy = (v) => v !== undefined && v !== '' && v !== '0' && v !== 'false';
const requested = truthy(process.env.WSPRISM_BUILD_FROM_SOURCE) || truthy(process.env.npm_config_wsprism_build_from_source);

function useWasm(why) {
  log(`${why}: using the WebAssembly backend (the same engine, slower than the native addon: figures in the README's Install section)`);
  process.exit(0);
}

if (process.env.WSPRISM_SKIP_BUILD === '1') {
  log('WSPRISM_SKIP_BUILD=1: not building the native addon');
  process.exit(0);
}

/** True if the addon file loads in this Node (right architecture, libc and Node-API version). */
function loads(file) {
  const r = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', file], { stdio: 'ignore' });
  return r.status === 0;
}

const prebuilt = path.join(pkg, 'prebuilds', `wsprism.${tag}.node`);
if (!requested) {
  if (fs.existsSync(prebuilt) && loads(prebuilt)) {
    log(`using the prebuilt addon prebuilds/wsprism.${tag}.node`);
    process.exit(0);
  }
}

const bundled = path.join(pkg, 'native', 'Cargo.toml');
const repoRoot = path.resolve(pkg, '..', '..');
const inRepo = fs.existsSync(path.join(repoRoot, 'crates', 'wsprism-node', 'Cargo.toml'));

if (!fs.existsSync(bundled) && inRepo) {
  // A git checkout: the repository's script knows when the addon is stale.
  const r = spawnSync('bash', [path.join(repoRoot, 'scripts', 'build-node.sh')], { stdio: 'inherit' });
  process.exit(r.status === null ? 1 : r.status);
}
if (fs.existsSync(out) && process.env.WSPRISM_FORCE !== '1' && loads(out)) {
  log(`${path.relative(pkg, out)} already built`);
  process.exit(0);
}
if (!fs.existsSync(bundled)) {
  if (requested) fail('building from source was requested, but native/ (the Rust sources) is missing from this package');
  useWasm(`no prebuilt addon for ${tag}`);
}

// Find cargo: PATH, then rustup's default location.
function findCargo() {
  const names = process.platform === 'win32' ? ['cargo.exe', 'cargo'] : ['cargo'];
  const dirs = (process.env.PATH || '').split(path.delimiter);
  dirs.push(path.join(process.env.CARGO_HOME || path.join(os.homedir(), '.cargo'), 'bin'));
  for (const d of dirs) {
    for (const n of names) {
      const f = path.join(d, n);
      try {
        fs.accessSync(f, fs.constants.X_OK);
        return f;
      } catch {}
    }
  }
  return null;
}

const cargo = findCargo();
if (!cargo) {
  if (requested) fail('building from source was requested, but cargo was not found (install Rust: https://rustup.rs)');
  useWasm(`no prebuilt addon for ${tag} and no cargo to build one`);
}
if (!requested) log(`no prebuilt addon for ${tag}; cargo found, building one from source`);

const sharedTarget = process.env.CARGO_TARGET_DIR;
const targetDir = sharedTarget ? path.resolve(sharedTarget) : fs.mkdtempSync(path.join(os.tmpdir(), 'wsprism-build-'));
log(`building the native addon with ${cargo} (release; this takes a minute or two)`);
const r = spawnSync(
  cargo,
  ['build', '--release', '-p', 'wsprism-node', '--manifest-path', bundled, '--target-dir', targetDir],
  { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CARGO_TERM_COLOR: 'never' } }
);
const libName =
  process.platform === 'win32' ? 'wsprism_node.dll' : process.platform === 'darwin' ? 'libwsprism_node.dylib' : 'libwsprism_node.so';
const lib = path.join(targetDir, 'release', libName);
try {
  const failed = (msg) => {
    if (!sharedTarget) fs.rmSync(targetDir, { recursive: true, force: true });
    return requested ? fail(msg) : useWasm(msg);
  };
  if (r.status !== 0) failed(`cargo build failed (exit ${r.status === null ? r.signal : r.status})`);
  if (!fs.existsSync(lib)) failed(`cargo did not produce ${lib}`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.copyFileSync(lib, `${out}.tmp`);
  fs.renameSync(`${out}.tmp`, out);
  log(`built ${path.relative(pkg, out)}`);
} finally {
  if (!sharedTarget) fs.rmSync(targetDir, { recursive: true, force: true });
}
