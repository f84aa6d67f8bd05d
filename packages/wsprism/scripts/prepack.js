#!/usr/bin/env node
'use strict';

// `npm pack` / `npm publish` step. Makes the tarball self-contained:
// - the WebAssembly backend, wasm/ (scripts/build-wasm.sh; required),
// - the prebuilt addons, prebuilds/ (scripts/build-prebuilds.sh: linux-x64-gnu, linux-arm64-gnu,
//   linux-x64-musl; each a no-op when fresh; a target that cannot be built here is left out
//   with a message — the loader then uses WebAssembly on that platform),
// - the Rust sources the install step needs to build from source, native/ (a minimal cargo
//   workspace: the engine crate, the capture crate and the bindings crate).
// WSPRISM_PREPACK_TARGETS="x64-gnu" limits the prebuilt targets (empty: none built here, the
// existing prebuilds/ files are packed as they are). `--clean` removes native/ again
// (postpack). native/, wasm/ and prebuilds/ are gitignored.

const fs = require('fs');
const path = require('path');

const pkg = path.resolve(__dirname, '..');
const repo = path.resolve(pkg, '..', '..');
const native = path.join(pkg, 'native');

fs.rmSync(native, { recursive: true, force: true });
if (process.argv.includes('--clean')) process.exit(0);

if (!fs.existsSync(path.join(repo, 'crates', 'wsprism-node', 'Cargo.toml'))) {
  console.error('prepack: run this from the wsprism repository (crates/ not found)');
  process.exit(1);
}

const { spawnSync } = require('child_process');
function sh(script, args) {
  const r = spawnSync('bash', [path.join(repo, 'scripts', script), ...args], { stdio: ['ignore', 2, 2] });
  return r.status === 0;
}
if (!sh('build-wasm.sh', []) || !fs.existsSync(path.join(pkg, 'wasm', 'wsprism_wasm_bg.wasm'))) {
  console.error('prepack: the WebAssembly backend (wasm/) could not be built: scripts/build-wasm.sh failed');
  process.exit(1);
}
const targets = (process.env.WSPRISM_PREPACK_TARGETS === undefined ? 'x64-gnu arm64-gnu x64-musl' : process.env.WSPRISM_PREPACK_TARGETS)
  .split(/\s+/)
  .filter(Boolean);
for (const t of targets) {
  if (!sh('build-prebuilds.sh', [t])) console.error(`prepack: the linux-${t} addon could not be built here; it is not in the tarball`);
}
const prebuilt = fs.existsSync(path.join(pkg, 'prebuilds')) ? fs.readdirSync(path.join(pkg, 'prebuilds')).filter((f) => f.endsWith('.node')) : [];
console.error(`prepack: prebuilt addons: ${prebuilt.join(', ') || 'none'}`);

function copyDir(from, to, skip = () => false) {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (skip(e.name)) continue;
    const a = path.join(from, e.name);
    const b = path.join(to, e.name);
    if (e.isDirectory()) copyDir(a, b, skip);
    else if (e.isFile()) fs.copyFileSync(a, b);
  }
}

// The workspace manifest as is (members = ["crates/*"], shared package fields, lints, profile).
fs.mkdirSync(native, { recursive: true });
fs.copyFileSync(path.join(repo, 'Cargo.toml'), path.join(native, 'Cargo.toml'));
if (fs.existsSync(path.join(repo, 'Cargo.lock'))) {
  fs.copyFileSync(path.join(repo, 'Cargo.lock'), path.join(native, 'Cargo.lock'));
}
for (const crate of ['wsprism', 'wsprism-capture', 'wsprism-node']) {
  const src = path.join(repo, 'crates', crate);
  const dst = path.join(native, 'crates', crate);
  copyDir(src, dst, (name) => name === 'target' || name === 'tests' || name === 'benches' || name.endsWith('.node'));
  // Targets declared in the manifest whose files were not copied (benches, tests) would stop
  // cargo from loading it: drop those sections.
  const manifest = path.join(dst, 'Cargo.toml');
  let drop = false;
  const text = fs
    .readFileSync(manifest, 'utf8')
    .split('\n')
    .filter((line) => {
      const m = /^\s*\[\[?([^\]]+)\]\]?\s*(#.*)?$/.exec(line);
      if (m) drop = /^\[\[/.test(line.trim()) ? ['bench', 'test', 'example'].includes(m[1].trim()) : m[1].trim() === 'dev-dependencies';
      return !drop;
    })
    .join('\n');
  fs.writeFileSync(manifest, text);
}
console.error(`prepack: bundled the Rust sources into ${path.relative(process.cwd(), native) || native}`);
