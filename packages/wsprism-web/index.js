// wsprism-web: the ES module entry (bundlers and <script type="module">).
//
//   import { init, Decoder, acceptKey } from 'wsprism-web';
//   await init();            // wasm/wsprism_wasm_bg.wasm next to this module (fetched; read
//                            // from disk in Node)
//   await init({ module_or_path: bytesOrUrlOrResponseOrModule });   // or bring your own
//
// Every other export throws ERR_WASM_NOT_INITIALIZED until init() has resolved.
import __wbg_init, * as raw from './wasm/wsprism_wasm.js';
import { createApi } from './src/api.js';
import { wasmBeside } from './src/load.js';

const api = createApi(raw);
let pending = null;

/**
 * Instantiates the WebAssembly module once (later calls return the same promise).
 * `input`: `{ module_or_path }` with a URL, Request, Response, BufferSource or
 * WebAssembly.Module; by default the .wasm next to this file (read from disk in Node).
 */
export function init(input) {
  if (pending === null) {
    const arg = input !== undefined
      ? Promise.resolve(input)
      : wasmBeside(new URL('./wasm/wsprism_wasm_bg.wasm', import.meta.url)).then((m) => ({ module_or_path: m }));
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

export const {
  acceptKey,
  acceptKeySteps,
  generateKey,
  mask,
  unmask,
  isValidUtf8,
  encodeFrame,
  inspectFrame,
  inspectStream,
  parseHandshakeRequest,
  validateHandshakeRequest,
  buildHandshakeResponse,
  buildHandshakeRequest,
  parseHandshakeResponse,
  negotiatePerMessageDeflate,
  perMessageDeflateOffer,
  acceptPerMessageDeflate,
  HandshakeError,
  DEFAULT_MAX_HEAD_SIZE,
  Decoder,
  Encoder,
  FrameDecoderStream,
} = api;

export default init;
