// wsprism-web/capture: the capture decoder and writer (pcap, pcapng, HAR → WebSocket
// conversations; docs/capture.md) in their own WebAssembly module, wasm/wsprism_capture_bg.wasm,
// so that the main entry (the codec) stays small. Independent of the main entry's init().
//
//   import { init, inspectCapture, openCapture, writeCapture } from 'wsprism-web/capture';
//   await init();            // wasm/wsprism_capture_bg.wasm next to this module
//   await init({ module_or_path: bytesOrUrlOrResponseOrModule });   // or bring your own
import __wbg_init, * as raw from './wasm/wsprism_capture.js';
import { createCaptureApi } from './src/capture-api.js';
import { initializer } from './src/load.js';

const api = createCaptureApi(raw);
/**
 * Instantiates the WebAssembly module once (later calls return the same promise). `input`:
 * `{ module_or_path }` with a URL, Request, Response, BufferSource or WebAssembly.Module; by
 * default the .wasm next to this file (read from disk in Node). `initSync({ module })`: the
 * same, synchronously, from bytes or a WebAssembly.Module.
 */
export const { init, initSync } = initializer(__wbg_init, raw.initSync, api,
  () => new URL('./wasm/wsprism_capture_bg.wasm', import.meta.url));

export const { inspectCapture, openCapture, CaptureSession, writeCapture } = api;

export default init;
