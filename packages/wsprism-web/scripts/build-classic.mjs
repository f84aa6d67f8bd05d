// Builds the classic-script bundles of wsprism-web from wasm-bindgen's --target no-modules
// output, src/args.js and src/api.js:
//
//   node build-classic.mjs <no-modules glue .js> <its _bg.wasm> <out dir>
//
//   dist/wsprism.js       window.wsprism, the wasm embedded as base64: works from any static
//                         server and from file:// (no fetch at all)
//   dist/wsprism.slim.js  the same without the embedded wasm: fetches wsprism_bg.wasm located
//                         next to the script (document.currentScript.src); needs http(s)
//   dist/wsprism_bg.wasm  the module for the slim bundle
//
//   node build-classic.mjs --capture <wsprism_capture glue .js> <its _bg.wasm> <out dir>
//
//   dist/wsprism-capture.js      window.wsprismCapture (src/capture-api.js), its wasm embedded
//   dist/wsprism_capture_bg.wasm the capture module (for wsprism-web/dist/* users)
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const capture = args[0] === '--capture';
if (capture) args.shift();
const [glueFile, wasmFile, outDir] = args;
if (!outDir) {
  console.error('usage: build-classic.mjs <glue.js> <bg.wasm> <out dir>');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const glue = readFileSync(glueFile, 'utf8');
const apiFile = capture ? 'capture-api.js' : 'api.js';
// src/args.js (the shared argument checks) first, then the API, their import/export removed.
const argsSrc = readFileSync(join(here, '..', 'src', 'args.js'), 'utf8')
  .replace(/^export function createArgs/m, 'function createArgs');
const api = argsSrc + readFileSync(join(here, '..', 'src', apiFile), 'utf8')
  .replace(/^import \{ createArgs \} from '\.\/args\.js';$/m, '')
  .replace(/^export function (createApi|createCaptureApi)/m, 'function createApi');
if (/^\s*(import|export)\s/m.test(api)) throw new Error(`src/args.js + src/${apiFile} must have no other import/export`);
const globalName = capture ? 'wsprismCapture' : 'wsprism';
const wasmName = capture ? 'wsprism_capture_bg.wasm' : 'wsprism_bg.wasm';
if (!/let wasm_bindgen\b/.test(glue)) throw new Error(`${glueFile}: not a --target no-modules glue`);
const wasm = readFileSync(wasmFile);
const pkg = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8'));

function bundle(embedded) {
  return `/*! wsprism-web ${pkg.version} — classic-script bundle (window.${globalName}). ${embedded
    ? 'The WebAssembly module is embedded (base64): works from any server and from file://.'
    : `Loads ${wasmName} from next to this script.`} */
(function (global) {
  'use strict';
  // Resolved while the script runs (document.currentScript is null afterwards).
  var scriptSrc = (typeof document !== 'undefined' && document.currentScript && document.currentScript.src) || '';
${glue.replace(/^/gm, '  ')}
${api.replace(/^/gm, '  ')}
  var WASM_BASE64 = ${embedded ? JSON.stringify(wasm.toString('base64')) : 'null'};
  function wasmBytes() {
    var s = atob(WASM_BASE64);
    var b = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    return b;
  }
  var api = createApi(wasm_bindgen);
  var lib = {};
  Object.keys(api).forEach(function (k) {
    if (k !== '_attach' && k !== 'initialized') lib[k] = api[k];
  });
  Object.defineProperty(lib, 'initialized', { get: function () { return api.initialized; } });
  lib.version = ${JSON.stringify(pkg.version)};
  lib.ready = Promise.resolve().then(function () {
    var source = WASM_BASE64 !== null
      ? wasmBytes()
      : new URL(${JSON.stringify(wasmName)}, scriptSrc || (global.location && global.location.href));
    return wasm_bindgen({ module_or_path: source });
  }).then(function (exports) {
    api._attach(exports);
    return lib;
  });
  global.${globalName} = lib;
})(typeof globalThis !== 'undefined' ? globalThis : typeof self !== 'undefined' ? self : this);
`;
}

mkdirSync(outDir, { recursive: true });
if (capture) {
  writeFileSync(join(outDir, 'wsprism-capture.js'), bundle(true));
  copyFileSync(wasmFile, join(outDir, wasmName));
  console.error(`build-classic: ${outDir}/wsprism-capture.js (${readFileSync(join(outDir, 'wsprism-capture.js')).length} bytes), ${wasmName}`);
  process.exit(0);
}
writeFileSync(join(outDir, 'wsprism.js'), bundle(true));
writeFileSync(join(outDir, 'wsprism.slim.js'), bundle(false));
copyFileSync(wasmFile, join(outDir, 'wsprism_bg.wasm'));
console.error(`build-classic: ${outDir}/wsprism.js (${readFileSync(join(outDir, 'wsprism.js')).length} bytes), wsprism.slim.js, wsprism_bg.wasm`);
