'use strict';

// Chooses the engine behind the wsprism Node package. Both backends implement one interface
// (the entry points of crates/wsprism-node, with one event-table layout; see backend/wasm.js):
//
//   native  the napi-rs addon: build/wsprism.node (built from source), else the prebuilt
//           prebuilds/wsprism.<platform>-<arch>-<libc>.node shipped in the npm tarball
//   wasm    the WebAssembly engine (the wsprism-web build, bound for Node: wasm/)
//
// WSPRISM_BACKEND=native|wasm forces one (native: throws WS_ERR_ADDON_MISSING when no addon
// loads); unset, the native addon is used when one for this platform loads, the WebAssembly
// engine otherwise. WSPRISM_NATIVE=/path/to/wsprism.node loads that addon file.

const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

/** 'musl' or 'gnu' on Linux (as napi-rs's loader decides: the C library Node itself runs on). */
function linuxLibc() {
  try {
    const report = process.report && typeof process.report.getReport === 'function' ? process.report.getReport() : null;
    const header = report && (typeof report === 'string' ? JSON.parse(report).header : report.header);
    if (header) return header.glibcVersionRuntime ? 'gnu' : 'musl';
  } catch {
    /* fall through */
  }
  try {
    return fs.readFileSync('/usr/bin/ldd', 'latin1').includes('musl') ? 'musl' : 'gnu';
  } catch {
    return fs.readdirSync('/lib').some((f) => f.startsWith('ld-musl-')) ? 'musl' : 'gnu';
  }
}

/** The prebuilt addon's name for this process: `<platform>-<arch>[-<libc>]`, e.g. linux-x64-gnu. */
function platformTag() {
  const base = `${process.platform}-${process.arch}`;
  return process.platform === 'linux' ? `${base}-${linuxLibc()}` : base;
}

function nativeCandidates() {
  const c = [];
  if (process.env.WSPRISM_NATIVE) c.push(path.resolve(process.env.WSPRISM_NATIVE));
  c.push(path.join(root, 'build', 'wsprism.node'));
  c.push(path.join(root, 'prebuilds', `wsprism.${platformTag()}.node`));
  return c;
}

/** `{ addon, file }` of the first native addon that loads, or `{ errors }`. */
function loadNative() {
  const errors = [];
  for (const file of nativeCandidates()) {
    if (!fs.existsSync(file)) continue;
    try {
      return { addon: require(file), file };
    } catch (e) {
      // Wrong architecture, a missing Node-API version, a libc mismatch: try the next one.
      errors.push(`${file}: ${e.message.split('\n')[0]}`);
    }
  }
  return { errors };
}

function nativeBackend(addon) {
  return Object.assign(Object.create(addon), { name: 'native' });
}

function select() {
  const wanted = process.env.WSPRISM_BACKEND || '';
  if (wanted !== '' && wanted !== 'native' && wanted !== 'wasm') {
    const e = new Error(`wsprism: WSPRISM_BACKEND must be 'native' or 'wasm', got '${wanted}'`);
    e.code = 'ERR_INVALID_ARG_VALUE';
    throw e;
  }
  if (wanted !== 'wasm') {
    const r = loadNative();
    if (r.addon) return { backend: nativeBackend(r.addon), file: r.file };
    if (wanted === 'native') {
      const e = new Error(
        `wsprism: WSPRISM_BACKEND=native but no native addon for ${platformTag()} loads ` +
          `(looked for ${nativeCandidates().join(', ')}${r.errors.length ? `; ${r.errors.join('; ')}` : ''}). ` +
          'Build one from source with `npm rebuild wsprism --wsprism-build-from-source` (needs Rust/cargo), ' +
          'or leave WSPRISM_BACKEND unset to use the WebAssembly engine.'
      );
      e.code = 'WS_ERR_ADDON_MISSING';
      throw e;
    }
  }
  return { backend: require('./wasm.js'), file: path.join(root, 'wasm', 'wsprism_wasm_bg.wasm') };
}

module.exports = { select, platformTag, nativeCandidates, loadNative };
