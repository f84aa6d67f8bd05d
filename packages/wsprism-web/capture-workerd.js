// wsprism-web/capture for Cloudflare Workers and workerd (the "workerd" export condition of
// "./capture"): its .wasm imported as a module, instantiated by init() without arguments.
import wasmModule from './wasm/wsprism_capture_bg.wasm';
import { init as initWith } from './capture.js';

export * from './capture.js';

/** init() of wsprism-web/capture; by default the imported .wasm module. */
export function init(input) {
  return initWith(input === undefined ? { module_or_path: wasmModule } : input);
}

export default init;
