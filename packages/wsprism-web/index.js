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
import { initializer } from './src/load.js';

const api = createApi(raw);
/**
 * Instantiates the WebAssembly module once (later calls return the same promise). `input`:
 * `{ module_or_path }` with a URL, Request, Response, BufferSource or WebAssembly.Module; by
 * default the .wasm next to this file (read from disk in Node). `initSync({ module })`: the
 * same, synchronously, from bytes or a WebAssembly.Module.
 */
export const { init, initSync } = initializer(__wbg_init, raw.initSync, api,
  () => new URL('./wasm/wsprism_wasm_bg.wasm', import.meta.url));

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
