// wsprism-web for Cloudflare Workers and workerd (package.json's "workerd" export condition,
// which wrangler's bundler picks): Workers cannot compile WebAssembly from bytes at run time,
// so the codec's .wasm is imported as a module (as wrangler bundles a `.wasm` import) and
// init() without arguments instantiates it. Everything else is the ES module entry's.
import wasmModule from './wasm/wsprism_wasm_bg.wasm';
import { init as initWith } from './index.js';

export * from './index.js';

/** init() of the ES module entry; by default the imported .wasm module. */
export function init(input) {
  return initWith(input === undefined ? { module_or_path: wasmModule } : input);
}

export default init;
