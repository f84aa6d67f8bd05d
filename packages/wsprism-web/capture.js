// wsprism-web/capture: the capture decoder and writer (pcap, pcapng, HAR → WebSocket
// conversations; docs/capture.md) in their own WebAssembly module, wasm/wsprism_capture_bg.wasm,
// so that the main entry (the codec) stays small. Independent of the main entry's init().
//
//   import { init, inspectCapture, openCapture, writeCapture } from 'wsprism-web/capture';
//   await init();            // wasm/wsprism_capture_bg.wasm next to this module
//   await init({ module_or_path: bytesOrUrlOrResponseOrModule });   // or bring your own
import __wbg_init, * as raw from './wasm/wsprism_capture.js';
import { createCaptureApi } from './src/capture-api.js';
import { wasmBeside } from './src/load.js';

const api = createCaptureApi(raw);
let pending = null;

/**
 * Instantiates the capture module once (later calls return the same promise). `input`: as
 * wsprism-web's init(); by default the .wasm next to this file (read from disk in Node).
 */
export function init(input) {
  if (pending === null) {
    const arg = input !== undefined
      ? Promise.resolve(input)
      : wasmBeside(new URL('./wasm/wsprism_capture_bg.wasm', import.meta.url)).then((m) => ({ module_or_path: m }));
    pending = arg.then(__wbg_init).then(
      (exports) => {
        api._attach(exports);
        return api;
      },
      (err) => {
        pending = null;
        throw err;
      },
    );
  }
  return pending;
}

/** Synchronous instantiation from bytes or a WebAssembly.Module (`{ module }`). */
export function initSync(input) {
  api._attach(raw.initSync(input));
  pending = Promise.resolve(api);
  return api;
}

export const { inspectCapture, openCapture, CaptureSession, writeCapture } = api;

export default init;
