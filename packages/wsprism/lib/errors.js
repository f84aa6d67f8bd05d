'use strict';

// `ws`'s words for the engine's errors. The engine (crates/wsprism) decides what is an error
// and reports it with a WS_ERR_* code, a close code, an RFC section, a byte offset and, where a
// number is part of the story, a `detail` (an opcode, a length, a close code). Apps written
// against `ws` match on `ws`'s message text, error class and code, so this module (and only
// this module) translates: same condition -> same class, message and code as `ws` 8. The
// engine's facts stay on the error as extra properties: `closeCode`, `rfcSection`, `offset`,
// and `engineMessage` (the engine's own sentence, as `inspect*` reports print it).

const kStatusCode = Symbol.for('status-code'); // where `ws` keeps an error's close code

/** Frame errors: engine code -> [class, message(detail), ws code, prefixed]. */
const FRAME = {
  WS_ERR_INVALID_OPCODE: [RangeError, (d) => `invalid opcode ${d === undefined ? 0 : d}`, 'WS_ERR_INVALID_OPCODE', true],
  WS_ERR_UNEXPECTED_RSV_1: [RangeError, () => 'RSV1 must be clear', 'WS_ERR_UNEXPECTED_RSV_1', true],
  WS_ERR_UNEXPECTED_RSV_2_3: [RangeError, () => 'RSV2 and RSV3 must be clear', 'WS_ERR_UNEXPECTED_RSV_2_3', true],
  WS_ERR_EXPECTED_FIN: [RangeError, () => 'FIN must be set', 'WS_ERR_EXPECTED_FIN', true],
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: [
    RangeError,
    (d) => `invalid payload length ${d === undefined ? '' : d}`.trim(),
    'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
    true
  ],
  WS_ERR_NON_MINIMAL_LENGTH: [RangeError, () => 'non-minimal payload length', 'WS_ERR_NON_MINIMAL_LENGTH', true],
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: [
    RangeError,
    () => 'Unsupported WebSocket frame: payload length > 2^53 - 1',
    'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH',
    false
  ],
  WS_ERR_EXPECTED_MASK: [RangeError, () => 'MASK must be set', 'WS_ERR_EXPECTED_MASK', true],
  WS_ERR_UNEXPECTED_MASK: [RangeError, () => 'MASK must be clear', 'WS_ERR_UNEXPECTED_MASK', true],
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: [RangeError, () => 'Max payload size exceeded', 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', false],
  WS_ERR_INVALID_UTF8: [Error, () => 'invalid UTF-8 sequence', 'WS_ERR_INVALID_UTF8', true],
  WS_ERR_INVALID_CLOSE_CODE: [RangeError, (d) => `invalid status code ${d}`, 'WS_ERR_INVALID_CLOSE_CODE', true],
  // `ws` hands on zlib's error (code Z_DATA_ERROR); the engine inflates with its own zlib.
  WS_ERR_INVALID_COMPRESSED_DATA: [Error, () => 'invalid permessage-deflate data', 'Z_DATA_ERROR', false],
  WS_ERR_DATA_AFTER_CLOSE: [RangeError, () => 'data after a close frame', 'WS_ERR_DATA_AFTER_CLOSE', true],
  // `ws` has one code for its two receiver limits; the engine tells them apart.
  WS_ERR_TOO_MANY_FRAGMENTS: [RangeError, () => 'Too many message fragments', 'WS_ERR_TOO_MANY_BUFFERED_PARTS', false],
  WS_ERR_TOO_MANY_BUFFERED_CHUNKS: [RangeError, () => 'Too many buffered chunks', 'WS_ERR_TOO_MANY_BUFFERED_PARTS', false]
};

/**
 * A protocol error from the decoder (engine fields: code, closeCode, rfcSection, offset,
 * message, detail) as the error `ws` would emit for the same frame.
 */
function frameError(e) {
  let entry = FRAME[e.code];
  // A declared length past 2^53 - 1 is `ws`'s "unsupported" error whatever maxPayload is.
  if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' && e.detail > Number.MAX_SAFE_INTEGER) {
    entry = FRAME.WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH;
  }
  let err;
  if (!entry) {
    err = new Error(e.message);
    err.code = e.code || 'WS_ERR_INTERNAL';
  } else {
    const [Ctor, text, code, prefixed] = entry;
    // A close payload of one byte is a control payload length error in `ws` too.
    const msg = text(e.detail);
    err = new Ctor(prefixed ? `Invalid WebSocket frame: ${msg}` : msg);
    err.code = code;
    // zlib's errno for Z_DATA_ERROR, as on the zlib error `ws` hands on.
    if (code === 'Z_DATA_ERROR') err.errno = -3;
  }
  err.closeCode = e.closeCode;
  err[kStatusCode] = e.closeCode;
  err.rfcSection = e.rfcSection;
  err.offset = e.offset;
  if (e.detail !== undefined) err.detail = e.detail;
  err.engineCode = e.code;
  err.engineMessage = e.message;
  return err;
}

/** Server side: the engine's request verdict code -> `ws`'s message (status from the engine). */
const REQUEST = {
  WS_ERR_HANDSHAKE_METHOD: 'Invalid HTTP method',
  WS_ERR_HANDSHAKE_UPGRADE: 'Invalid Upgrade header',
  WS_ERR_HANDSHAKE_KEY: 'Missing or invalid Sec-WebSocket-Key header',
  WS_ERR_HANDSHAKE_VERSION: 'Missing or invalid Sec-WebSocket-Version header',
  WS_ERR_HANDSHAKE_PROTOCOL_HEADER: 'Invalid Sec-WebSocket-Protocol header',
  WS_ERR_HANDSHAKE_EXTENSIONS_HEADER: 'Invalid or unacceptable Sec-WebSocket-Extensions header',
  // Rules `ws` does not check (it upgrades such requests); the engine's sentence names them.
  WS_ERR_HANDSHAKE_CONNECTION: 'Invalid Connection header',
  WS_ERR_HANDSHAKE_HOST: 'Missing Host header',
  WS_ERR_HANDSHAKE_HTTP_VERSION: 'Invalid HTTP version',
  WS_ERR_HANDSHAKE_HEADER_VALUE: 'Invalid header value',
  WS_ERR_HANDSHAKE_TOO_LARGE: 'Request Header Fields Too Large',
  WS_ERR_INVALID_HANDSHAKE: 'Invalid HTTP request'
};

/** `ws`'s message for a refused upgrade request (`code` from validateHandshakeRequest). */
function requestMessage(code, engineMessage) {
  return REQUEST[code] || engineMessage;
}

/**
 * Client side: `ws`'s message for a refused 101 response. `offered`: subprotocols and
 * whether an extension was offered, to pick `ws`'s sentence for the same engine verdict.
 */
function responseMessage(code, engineMessage, { protocols, extensionOffered }) {
  switch (code) {
    case 'WS_ERR_HANDSHAKE_UPGRADE':
      return 'Invalid Upgrade header';
    case 'WS_ERR_HANDSHAKE_CONNECTION':
      return 'Invalid Connection header';
    case 'WS_ERR_HANDSHAKE_ACCEPT':
      return 'Invalid Sec-WebSocket-Accept header';
    case 'WS_ERR_HANDSHAKE_PROTOCOL':
      return protocols.length ? 'Server sent an invalid subprotocol' : 'Server sent a subprotocol but none was requested';
    case 'WS_ERR_HANDSHAKE_EXTENSION':
      if (!extensionOffered) return 'Server sent a Sec-WebSocket-Extensions header but no extension was requested';
      return / was not offered/.test(engineMessage)
        ? 'Server indicated an extension that was not requested'
        : 'Invalid Sec-WebSocket-Extensions header';
    case 'WS_ERR_HANDSHAKE_EXTENSIONS_HEADER':
      return 'Invalid Sec-WebSocket-Extensions header';
    case 'WS_ERR_HANDSHAKE_PROTOCOL_HEADER':
      return 'Server sent an invalid subprotocol';
    default:
      return engineMessage || 'Invalid handshake response';
  }
}

/**
 * close(code, reason) refused by the engine's encoder: `ws`'s class and message for the same
 * argument (a code that may not be sent is a TypeError there, a long reason a RangeError). The
 * engine's code and sentence stay on the error (`engineCode`, `engineMessage`).
 */
function closeArgumentError(e) {
  let err;
  if (e.code === 'WS_ERR_INVALID_CLOSE_CODE') {
    err = new TypeError('First argument must be a valid error code number');
  } else if (e.code === 'WS_ERR_CLOSE_REASON_TOO_LONG') {
    err = new RangeError('The message must not be greater than 123 bytes');
  } else {
    return e;
  }
  err.code = e.code;
  err.engineCode = e.code;
  err.engineMessage = e.message;
  return err;
}

module.exports = { frameError, requestMessage, responseMessage, closeArgumentError, kStatusCode };
