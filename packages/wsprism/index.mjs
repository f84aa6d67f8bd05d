// ESM entry: the same API as index.js (CommonJS), re-exported.
import wsprism from './index.js';

export const {
  backend,
  liveStates,
  acceptKey,
  generateKey,
  mask,
  unmask,
  isValidUtf8,
  encodeFrame,
  inspectFrame,
  inspectStream,
  inspectCapture,
  Decoder,
  Encoder,
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
  WebSocket,
  WebSocketServer,
  createWebSocketStream,
} = wsprism;

export default wsprism;
