#!/usr/bin/env node
'use strict';

// `npm install` step of the wsprism package: makes sure the native addon exists.
//
// 1. A prebuilt `wsprism.<platform>-<arch>.node` (package root or prebuilds/) → nothing to do.
// 2. Otherwise build it from source with cargo (release) and copy it to build/wsprism.node:
//    - from native/ (the Rust sources bundled into the npm tarball by scripts/prepack.js), or
//    - from the repository, when the package is used from its git checkout.
// Set WSPRISM_SKIP_BUILD=1 to skip (e.g. when the addon is provided some other way), and
// CARGO_TARGET_DIR to share a cargo build directory (otherwise a temporary one is used and
// removed afterwards).

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const pkg = path.resolve(__dirname, '..');
const triple = `${process.platform}-${process.arch}`;
const out = path.join(pkg, 'build', 'wsprism.node');

function log(msg) {
  process.stderr.write(`wsprism: ${msg}\n`);
}

function fail(msg) {
  log(msg);
  process.exit(1);
}

if (process.env.WSPRISM_SKIP_BUILD === '1') {
  log('WSPRISM_SKIP_BUILD=1: not building the native addon');
  process.exit(0);
}

for (const f of [path.join(pkg, `wsprism.${triple}.node`), path.join(pkg, 'prebuilds', `wsprism.${triple}.node`)]) {
  if (fs.existsSync(f)) {
    log(`using the prebuilt addon ${path.relative(pkg, f)}`);
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
if (!fs.existsSync(bundled)) {
  fail(
    `no prebuilt addon for ${triple} and no Rust sources to build one from ` +
      '(native/ is missing from this package: it is created by `npm pack`).'
  );
}
if (fs.existsSync(out) && process.env.WSPRISM_FORCE !== '1') {
  log(`${path.relative(pkg, out)} already built`);
  process.exit(0);
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
  fail(
    `no prebuilt addon for ${triple}, and Rust is not installed, so it cannot be built.\n` +
      '  Install Rust (https://rustup.rs: curl --proto =https --tlsv1.2 -sSf https://sh.rustup.rs | sh),\n' +
      '  then run `npm rebuild wsprism` in your app.'
  );
}

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
  if (r.status !== 0) fail(`cargo build failed (exit ${r.status === null ? r.signal : r.status})`);
  if (!fs.existsSync(lib)) fail(`cargo did not produce ${lib}`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.copyFileSync(lib, `${out}.tmp`);
  fs.renameSync(`${out}.tmp`, out);
  log(`built ${path.relative(pkg, out)}`);
} finally {
  if (!sharedTarget) fs.rmSync(targetDir, { recursive: true, force: true });
}
