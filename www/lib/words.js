// Words more than one panel uses (English), the page's status line and the engine's error codes
// explained. A translation (www/i18n/) replaces each table as a whole.
import { errText } from './format.js';

/** The page's status line (main.js). */
export const MAIN_TEXT = {
  ready: (version) => 'Engine ready: wsprism-web ' + (version ? version + ' ' : '') + '(WebAssembly).',
  failed: (e) => 'The engine failed to start: ' + errText(e) + '. Run `npm start` (it builds packages/wsprism-web) and open the URL it prints.',
  broken: (e) => 'The page failed to start: ' + errText(e),
};

export const COMMON_TEXT = {
  /** parseBytes' error, in words. */
  bytesError: (e) => (e.kind === 'not-hex' ? 'not hex: only 0-9 and a-f are allowed'
    : e.kind === 'odd-hex' ? 'odd number of hex digits (' + e.digits + ')'
      : 'neither hex nor base64'),
  /** Who receives: the role of the decoder. */
  receiver: (role) => (role === 'server' ? 'a server' : 'a client'),
  /** The engine's `waiting_for` (what a streaming decoder still needs), in words. */
  waiting: (s) => s,
};

/**
 * What each engine error means, by its stable `WS_ERR_*` code (crates/wsprism: error.rs and
 * handshake/). The engine's own message (with its details and RFC section) is shown beside it.
 */
export const VIOLATION_TEXT = {
  WS_ERR_INVALID_OPCODE: 'The opcode is not allowed here: 0x3-0x7 and 0xB-0xF are reserved, a continuation frame (0x0) needs a message in progress, and a new text or binary frame may not start while a fragmented message is unfinished.',
  WS_ERR_UNEXPECTED_RSV_1: 'RSV1 is set but no extension that defines it (permessage-deflate) was agreed in the handshake, or it is set on a frame where it has no meaning (a continuation or control frame).',
  WS_ERR_UNEXPECTED_RSV_2_3: 'RSV2 and RSV3 must be 0: no agreed extension gives them a meaning.',
  WS_ERR_EXPECTED_FIN: 'Control frames (close, ping, pong) must not be fragmented: their FIN bit must be 1.',
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: 'A control frame carries at most 125 bytes, and a close payload is either empty or at least the 2-byte status code.',
  WS_ERR_NON_MINIMAL_LENGTH: 'The length must use the shortest form: 0-125 in the 7-bit field, 126-65535 in the 16-bit field, bigger lengths in the 64-bit field.',
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 'The most significant bit of the 64-bit length must be 0.',
  WS_ERR_EXPECTED_MASK: 'Every frame a client sends must be masked (MASK = 1); a server closes the connection with 1002 when one is not.',
  WS_ERR_UNEXPECTED_MASK: 'A server must not mask its frames (MASK = 0); a client closes the connection when one is masked.',
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 'The frame or message is bigger than this receiver accepts (its configured limit): it closes with 1009.',
  WS_ERR_TOO_MANY_FRAGMENTS: 'The message came in more fragments than this receiver accepts (its configured limit): it closes with 1008, policy violation.',
  WS_ERR_TOO_MANY_BUFFERED_CHUNKS: 'The peer sent the message in more pieces (network reads) than this receiver is willing to hold while it waits for the rest: it closes with 1008, policy violation.',
  WS_ERR_INVALID_UTF8: 'A text message (and a close reason) must be valid UTF-8; the receiver closes with 1007.',
  WS_ERR_INVALID_CLOSE_CODE: 'This close code may not be sent on the wire: 1005, 1006 and 1015 are reserved for reporting, and codes below 1000 or unassigned in 1016-2999 are not allowed.',
  WS_ERR_INVALID_COMPRESSED_DATA: 'The compressed payload is not valid deflate data (or inflates beyond the limit).',
  WS_ERR_DATA_AFTER_CLOSE: 'Nothing may follow a close frame: the sender promised to send no more data.',
  WS_ERR_CLOSE_REASON_TOO_LONG: 'A close reason is at most 123 bytes: the 2-byte code and the reason must fit in a 125-byte control frame.',
  WS_ERR_COMPRESSION_NOT_NEGOTIATED: 'A compressed message needs permessage-deflate agreed in the handshake.',
  WS_ERR_MESSAGE_IN_PROGRESS: 'A fragmented message is still being sent: finish it before starting another one.',
  WS_ERR_INVALID_FRAGMENT_SIZE: 'The fragment size must be at least 1 byte.',
  WS_ERR_DEFLATE: 'The compressor failed.',
  WS_ERR_RANDOM: 'No random masking key could be drawn from the system.',
  WS_ERR_INVALID_HANDSHAKE: 'The opening handshake breaks RFC 6455 §4: the connection is not upgraded.',
  WS_ERR_HANDSHAKE_TOO_LARGE: 'The handshake head is bigger than the receiver accepts (431).',
  WS_ERR_HANDSHAKE_METHOD: 'The opening handshake must be a GET request (RFC 6455 §4.1); a server answers 405.',
  WS_ERR_HANDSHAKE_HTTP_VERSION: 'The opening handshake needs HTTP/1.1 or later (RFC 6455 §4.1).',
  WS_ERR_HANDSHAKE_HOST: 'The request must carry a Host header (RFC 6455 §4.1).',
  WS_ERR_HANDSHAKE_UPGRADE: 'The Upgrade header must include the token "websocket" (case-insensitive).',
  WS_ERR_HANDSHAKE_CONNECTION: 'The Connection header must include the token "Upgrade" (case-insensitive).',
  WS_ERR_HANDSHAKE_KEY: 'Sec-WebSocket-Key must be exactly one base64 value that decodes to 16 bytes.',
  WS_ERR_HANDSHAKE_VERSION: 'Sec-WebSocket-Version must name a version the server speaks (13); the server answers with the versions it supports.',
  WS_ERR_HANDSHAKE_PROTOCOL_HEADER: 'Sec-WebSocket-Protocol must be a comma-separated list of tokens.',
  WS_ERR_HANDSHAKE_EXTENSIONS_HEADER: 'Sec-WebSocket-Extensions is not a well-formed list of extensions and parameters (RFC 6455 §9.1).',
  WS_ERR_HANDSHAKE_HEADER_VALUE: 'A handshake header has a value the RFC does not allow (or appears more often than allowed).',
  WS_ERR_HANDSHAKE_STATUS: 'Only the status 101 Switching Protocols opens a WebSocket: the client fails the connection on any other answer.',
  WS_ERR_HANDSHAKE_ACCEPT: 'Sec-WebSocket-Accept is not the base64 SHA-1 of the key with the GUID: the client fails the connection.',
  WS_ERR_HANDSHAKE_PROTOCOL: 'The server chose a subprotocol the client did not offer: the client fails the connection.',
  WS_ERR_HANDSHAKE_EXTENSION: 'The server answered with an extension (or parameters) the client did not offer or cannot accept.',
};
