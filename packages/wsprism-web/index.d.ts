// Type definitions for wsprism-web: the wsprism WebSocket engine (RFC 6455 + RFC 7692) in WebAssembly.
// The same names and result shapes as the Node package (wsprism); browser-only: init(),
// FrameDecoderStream, and the classic-script global `wsprism` with `wsprism.ready`.

/** Bytes accepted by the API: any ArrayBufferView (Uint8Array, Buffer, DataView, ...) or an ArrayBuffer. */
export type BytesLike = ArrayBufferView | ArrayBuffer;
export type Role = 'server' | 'client';

/**
 * Errors thrown or reported by the API. Argument errors are `TypeError`s (`code`
 * `ERR_INVALID_ARG_TYPE`) or `RangeError`s (`ERR_OUT_OF_RANGE`, `ERR_INVALID_ARG_VALUE`,
 * `WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH`, `WS_ERR_EXPECTED_FIN`, `WS_ERR_INVALID_CLOSE_CODE`,
 * `ERR_OUT_OF_MEMORY`); state errors `ERR_INVALID_STATE`, `ERR_WASM_NOT_INITIALIZED`;
 * handshake parse errors `WS_ERR_INVALID_HANDSHAKE` (with `status`).
 */
export interface WsprismError extends Error {
  code: string;
  status?: number;
}

/** A peer's protocol violation (from Decoder events). */
export interface ProtocolError extends Error {
  /** `WS_ERR_*`: e.g. WS_ERR_EXPECTED_MASK, WS_ERR_INVALID_UTF8, WS_ERR_UNSUPPORTED_MESSAGE_LENGTH. */
  code: string;
  /** The close code to send: 1002 protocol, 1007 invalid payload, 1009 too big. */
  closeCode: number;
  /** The RFC section broken, e.g. "RFC 6455 §5.1". */
  rfcSection: string;
  /** Byte offset in the stream (from its first byte) where the violation was found. */
  offset: number;
  /** `protocol`, `invalid_payload` or `message_too_big`. */
  kind: string;
}

/** A masking key: 4 bytes (or an array of 4 integers), a 32-bit number (first byte most significant), or 8 hex digits. */
export type MaskKey = Uint8Array | ArrayLike<number> | number | string;

/** Agreed permessage-deflate parameters (RFC 7692 §7.1), as negotiation returns them (snake_case also accepted). */
export interface DeflateParams {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  /** 8-15, default 15. */
  serverMaxWindowBits?: number;
  /** 8-15, default 15. */
  clientMaxWindowBits?: number;
}

/** What a server agrees to / a client asks for (`ws` option names; snake_case also accepted). */
export interface DeflateConfig {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  /** 8-15, or true for no preference. */
  serverMaxWindowBits?: number | true;
  /** 8-15, or true for no preference. */
  clientMaxWindowBits?: number | true;
  /** 0-9, default 6. */
  level?: number;
}

// ------------------------------------------------------------------ init

export type InitInput =
  | { module_or_path: RequestInfo | URL | Response | BufferSource | WebAssembly.Module }
  | undefined;

/**
 * Instantiates the WebAssembly module (once; later calls return the same promise). By default
 * fetches `wasm/wsprism_wasm_bg.wasm` relative to this module. Every other export throws
 * `ERR_WASM_NOT_INITIALIZED` until it resolves.
 */
export function init(input?: InitInput): Promise<Wsprism>;
/** Synchronous instantiation from bytes or a compiled module: `initSync({ module })`. */
export function initSync(input: { module: BufferSource | WebAssembly.Module }): Wsprism;
export default init;

// ------------------------------------------------------------------ functions

/** `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (SHA-1 + base64 of key + GUID). */
export function acceptKey(key: string): string;

/** The steps of acceptKey (the engine's accept_key_steps), for teaching. */
export interface AcceptKeySteps {
  /** The key followed by the GUID 258EAFA5-E914-47DA-95CA-C5AB0DC85B11 (RFC 6455 §1.3). */
  concatenated: string;
  /** SHA-1 of those ASCII bytes, 40 lowercase hex digits. */
  sha1Hex: string;
  /** Base64 of the 20 digest bytes: the Sec-WebSocket-Accept value. */
  accept: string;
}
/** acceptKey(key) with every step shown. */
export function acceptKeySteps(key: string): AcceptKeySteps;
/** A random `Sec-WebSocket-Key` (16 bytes from crypto.getRandomValues, base64). */
export function generateKey(): string;
/** XORs `data` in place with the 4-byte key; `data[0]` is payload byte `offset`. Returns `data`. */
export function mask<T extends Uint8Array>(data: T, key: MaskKey, offset?: number): T;
/** The same operation as `mask`. */
export function unmask<T extends Uint8Array>(data: T, key: MaskKey, offset?: number): T;
/** True if `data` is valid UTF-8. */
export function isValidUtf8(data: BytesLike): boolean;

export interface EncodeFrameOptions {
  /** 0-15 (0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong; others reserved). */
  opcode: number;
  /** Strings are UTF-8 encoded. */
  payload?: BytesLike | string;
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** A 4-byte key, or true for a random one (crypto.getRandomValues). Default: unmasked. */
  mask?: MaskKey | boolean;
  /** Build control frames over 125 bytes or without FIN (otherwise a RangeError). */
  allowInvalid?: boolean;
}
/** One frame, bit by bit (no protocol rules beyond the control-frame checks). */
export function encodeFrame(options: EncodeFrameOptions): Uint8Array;

export interface InspectOptions {
  role?: Role;
  perMessageDeflate?: DeflateParams | boolean;
  maxFrameSize?: number;
  maxMessageSize?: number;
}

export interface Field {
  name: string;
  bit_offset: number;
  bit_width: number;
  byte_offset: number;
  raw: string;
  value: string;
}
export interface Violation {
  code: string;
  kind: string;
  close_code: number;
  rfc_section: string;
  message: string;
  offset: number;
}
export interface FrameReport {
  offset: number;
  header_len: number;
  complete: boolean;
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  opcode_name: string;
  masked: boolean;
  masking_key: string | null;
  payload_len: number;
  payload_available: number;
  masked_payload_hex: string | null;
  payload_hex: string;
  text: string | null;
  close_code: number | null;
  close_code_meaning: string | null;
  close_reason: string | null;
  fields: Field[];
  violations: Violation[];
}
export interface MessageReport {
  opcode: number;
  length: number;
  data_hex: string;
  text: string | null;
}
export interface EventReport {
  kind: string;
  message: number | null;
  payload_hex: string | null;
  close_code: number | null;
  close_reason: string | null;
}
export interface ErrorReport {
  close_code: number;
  kind: string;
  code: string;
  rfc_section: string;
  message: string;
  offset: number;
}
export interface StreamReport {
  frames: FrameReport[];
  messages: MessageReport[];
  events: EventReport[];
  error: ErrorReport | null;
  waiting_for: string | null;
  error_frame: number | null;
}
/**
 * The first frame, field by field (also frames the decoder would reject), or null if `bytes`
 * holds less than a header. Integers beyond 2^53 (absurd declared lengths) come as BigInt.
 */
export function inspectFrame(bytes: BytesLike | string, options?: InspectOptions): FrameReport | null;
/** Every frame, plus the messages/events the decoder makes of them and the first error. `bytes` may be hex. */
export function inspectStream(bytes: BytesLike | string, options?: InspectOptions): StreamReport;
// Captures (inspectCapture, openCapture, CaptureSession, writeCapture): wsprism-web/capture,
// a second WebAssembly module, declared in capture.d.ts.


// ------------------------------------------------------------------ handshake

/** Default limit on a request/response head: 8 KiB. */
export const DEFAULT_MAX_HEAD_SIZE: number;

/** A malformed or too large HTTP head. */
export class HandshakeError extends Error {
  /** HTTP status to refuse with: 400 or 431 (0 on the client side). */
  status: number;
  /** 'WS_ERR_INVALID_HANDSHAKE' | 'WS_ERR_HANDSHAKE_TOO_LARGE' */
  code: string;
}

export interface HeadOptions {
  /** Largest head accepted, default 8 KiB (then 431). */
  maxSize?: number;
}

export type HeaderList = Array<[name: string, value: string]>;

/**
 * An extension to write into Sec-WebSocket-Extensions: a name, or `{ name, params }` (a value
 * `true`/`null` for a parameter without one, an integer, or a token). The engine writes the list
 * and refuses (TypeError `ERR_INVALID_HTTP_TOKEN`) a name or value that is not a token: RFC 6455
 * §9.1 requires a value to be a token even when quoted.
 */
export type ExtensionSpec =
  | string
  | {
      name: string;
      params?: Record<string, string | number | true | null> | Array<[string, string | number | true | null]>;
    };

export interface Extension {
  name: string;
  /** Parameter name → value, or `true` for a parameter without value. */
  params: Record<string, string | true>;
}

export type ParsedRequest =
  | { complete: false }
  | { complete: true; length: number; method: string; path: string; httpVersion: string; headers: HeaderList };

/** Parses an HTTP request head at the start of `data`. @throws HandshakeError (400, 431) */
export function parseHandshakeRequest(data: BytesLike | string, options?: HeadOptions): ParsedRequest;

export type ValidatedRequest =
  | {
      ok: true;
      /** The Sec-WebSocket-Accept value to answer with. */
      accept: string;
      key: string;
      path: string;
      host: string;
      origin: string | undefined;
      protocols: string[];
      extensions: Extension[];
      headers: HeaderList;
      /** Bytes of the head (what follows belongs to the WebSocket stream). */
      length: number;
    }
  | {
      ok: false;
      /** 400 (also for an incomplete head or a bad version: the response names 13, 8), 405 (not GET), 431 (too large). */
      status: number;
      /** Which rule failed: 'WS_ERR_HANDSHAKE_METHOD', 'WS_ERR_HANDSHAKE_VERSION', 'WS_ERR_HANDSHAKE_KEY', ... */
      code: string;
      message: string;
      /** The complete HTTP rejection to send. */
      response: Uint8Array;
    };
/** Parses and validates a WebSocket upgrade request (RFC 6455 §4.2.1). */
export function validateHandshakeRequest(data: BytesLike | string, options?: HeadOptions): ValidatedRequest;

export type HeadersInput = Record<string, string | number | Array<string | number>> | HeaderList;

export interface ResponseOptions {
  /** The client's Sec-WebSocket-Key (the accept value is computed)... */
  key?: string;
  /** ...or the Sec-WebSocket-Accept value itself. */
  accept?: string;
  /** The chosen subprotocol (one token). */
  protocol?: string;
  /** The Sec-WebSocket-Extensions value (e.g. negotiatePerMessageDeflate(...).response), or extension objects. */
  extensions?: string | ExtensionSpec[];
  /** More headers (values must not contain CR/LF/NUL: TypeError). */
  headers?: HeadersInput;
}
/** The `101 Switching Protocols` response head. @throws TypeError for header injection attempts */
export function buildHandshakeResponse(options: ResponseOptions): Uint8Array;

export interface RequestOptions {
  /** Host header value (host[:port]). */
  host: string;
  /** Request target, default '/'. */
  path?: string;
  /** Default: generateKey(). */
  key?: string;
  protocols?: string | string[];
  /** Sec-WebSocket-Extensions offer, e.g. perMessageDeflateOffer(). */
  extensions?: string | ExtensionSpec[];
  origin?: string;
  headers?: HeadersInput;
}
/** A client's upgrade request head. */
export function buildHandshakeRequest(options: RequestOptions): Uint8Array;

export interface ResponseCheck extends HeadOptions {
  /** The key the request was sent with; without it only the status is checked. */
  key?: string;
  /** Subprotocols offered. */
  protocols?: string | string[];
  /** Extension names offered (e.g. ['permessage-deflate']); full offers are cut at ';'. */
  extensions?: string | string[];
}
export type ParsedResponse =
  | { complete: false }
  | {
      complete: true;
      length: number;
      status: number;
      reason: string;
      headers: HeaderList;
      /** The response is a valid answer to the request (RFC 6455 §4.1). */
      ok: boolean;
      protocol?: string;
      extensions?: Extension[];
      /** Which rule failed when not ok: 'WS_ERR_HANDSHAKE_ACCEPT', 'WS_ERR_HANDSHAKE_PROTOCOL', ... */
      code?: string;
      /** Why it is not ok. */
      message?: string;
    };
/** Client side: parses and validates the server's response head. @throws HandshakeError for a malformed head */
export function parseHandshakeResponse(data: BytesLike | string, options?: ResponseCheck): ParsedResponse;

/**
 * Server side (RFC 7692): picks the first acceptable permessage-deflate offer; `offers` is the
 * header value or validateHandshakeRequest's `extensions`. null: no compression.
 */
export function negotiatePerMessageDeflate(
  offers: string | ExtensionSpec[],
  config?: DeflateConfig | boolean,
): { response: string; params: Required<DeflateParams> } | null;

/** Client side: the Sec-WebSocket-Extensions offer for `config`. */
export function perMessageDeflateOffer(config?: DeflateConfig | boolean): string;

/**
 * Client side: checks the server's Sec-WebSocket-Extensions answer against the offer made with
 * `config`: the agreed parameters, or null if compression was not accepted.
 * @throws Error (code 'WS_ERR_INVALID_EXTENSION') for an answer the offer does not allow
 */
export function acceptPerMessageDeflate(
  response: string | null | undefined,
  config?: DeflateConfig | boolean,
): Required<DeflateParams> | null;

// ------------------------------------------------------------------ codecs

export interface DecoderOptions {
  /** The receiving side: 'server' (default) expects masked frames. */
  role?: Role;
  /** Largest frame payload (default 16 MiB; Infinity for none). */
  maxFrameSize?: number;
  /** Largest message after reassembly and decompression (default 64 MiB). */
  maxMessageSize?: number;
  /** The agreed parameters (from negotiatePerMessageDeflate / parseHandshakeResponse), or true for defaults. */
  perMessageDeflate?: DeflateParams | boolean;
  /** Most data frames in one message, empty ones included (default 0: no limit); over it fails with 1008. */
  maxFragments?: number;
  /** Most input chunks that may end inside one incomplete frame (default 0: no limit); over it fails with 1008. */
  maxBufferedChunks?: number;
}

export type DecoderEvent =
  | { type: 'message'; data: Uint8Array; binary: boolean }
  | { type: 'ping'; data: Uint8Array }
  | { type: 'pong'; data: Uint8Array }
  /** code 1005: the close frame had no status; `data` is the raw close payload. */
  | { type: 'close'; code: number; reason: string; data: Uint8Array }
  /** Always the last event: the stream is failed; close the connection with error.closeCode. */
  | { type: 'error'; error: ProtocolError };

/** A streaming decoder: feed it chunks of any size; one wasm call per chunk. */
export class Decoder {
  constructor(options?: DecoderOptions);
  /**
   * Decodes `chunk` (left unmodified: it is copied into wasm memory) and returns the events it
   * completed. On a protocol violation the last event is `{ type: 'error' }`, and every later
   * push returns that same event.
   */
  push(chunk: BytesLike): DecoderEvent[];
  /** Bytes of the stream consumed so far. */
  readonly offset: number;
  /** True once a close frame was decoded. */
  readonly closed: boolean;
  /** Bytes held in reassembly buffers (bounded by the limits). */
  readonly buffered: number;
  /** True while a frame or fragmented message is incomplete. */
  readonly partial: boolean;
  /** The error the stream failed with, or null. */
  readonly error: ProtocolError | null;
  /** What the decoder waits for, in words. */
  readonly waitingFor: string;
  /** Frees the wasm memory now (otherwise on garbage collection). */
  free(): void;
}

export interface EncoderOptions {
  /** Who is sending: a 'client' masks every frame (random keys), a 'server' (default) does not. */
  role?: Role;
  perMessageDeflate?: DeflateParams | boolean;
  /** Compression level 0-9 (default 6). */
  level?: number;
  /** zlib memLevel 1-9 (default 8): lower uses less compressor memory. */
  memLevel?: number;
}
export interface MessageOptions {
  /** Default: strings are text, bytes binary. */
  binary?: boolean;
  /** Compress (WS_ERR_COMPRESSION_NOT_NEGOTIATED without perMessageDeflate). */
  compress?: boolean;
  /** false: a fragment; later calls continue the message until fin: true. */
  fin?: boolean;
  /**
   * Client only: a fixed 4-byte key (default, or true: random per frame). false: unmasked
   * frames, which RFC 6455 §5.1 forbids (a server closes with 1002); for testing servers.
   */
  mask?: MaskKey | boolean;
  /** Split into frames of at most this many payload bytes. */
  fragmentSize?: number;
}
export class Encoder {
  constructor(options?: EncoderOptions);
  message(data: BytesLike | string, options?: MessageOptions): Uint8Array;
  /** @throws RangeError (WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH) for more than 125 bytes */
  ping(data?: BytesLike | string, options?: { mask?: MaskKey }): Uint8Array;
  pong(data?: BytesLike | string, options?: { mask?: MaskKey }): Uint8Array;
  /**
   * No code: an empty close ("no status"). Reason: at most 123 bytes of UTF-8.
   * @throws RangeError (WS_ERR_INVALID_CLOSE_CODE, WS_ERR_CLOSE_REASON_TOO_LONG, WS_ERR_INVALID_UTF8)
   */
  close(code?: number, reason?: string | BytesLike): Uint8Array;
  /** True while a message begun with fin: false is unfinished. */
  readonly inMessage: boolean;
  /** True if permessage-deflate is on. */
  readonly canCompress: boolean;
  free(): void;
}

/** Browser only: a TransformStream from byte chunks to decoder events. Ends after an error event. */
export class FrameDecoderStream extends TransformStream<BytesLike, DecoderEvent> {
  constructor(options?: DecoderOptions);
  readonly decoder: Decoder;
}

/** The library object: what init() resolves to, and the classic script's `window.wsprism`. */
export interface Wsprism {
  readonly initialized: boolean;
  acceptKey: typeof acceptKey;
  acceptKeySteps: typeof acceptKeySteps;
  generateKey: typeof generateKey;
  mask: typeof mask;
  unmask: typeof unmask;
  isValidUtf8: typeof isValidUtf8;
  encodeFrame: typeof encodeFrame;
  inspectFrame: typeof inspectFrame;
  inspectStream: typeof inspectStream;
  parseHandshakeRequest: typeof parseHandshakeRequest;
  validateHandshakeRequest: typeof validateHandshakeRequest;
  buildHandshakeResponse: typeof buildHandshakeResponse;
  buildHandshakeRequest: typeof buildHandshakeRequest;
  parseHandshakeResponse: typeof parseHandshakeResponse;
  negotiatePerMessageDeflate: typeof negotiatePerMessageDeflate;
  perMessageDeflateOffer: typeof perMessageDeflateOffer;
  acceptPerMessageDeflate: typeof acceptPerMessageDeflate;
  HandshakeError: typeof HandshakeError;
  DEFAULT_MAX_HEAD_SIZE: number;
  Decoder: typeof Decoder;
  Encoder: typeof Encoder;
  FrameDecoderStream: typeof FrameDecoderStream;
}

declare global {
  /** Set by the classic-script bundle dist/wsprism.js. */
  // eslint-disable-next-line no-var
  var wsprism: (Wsprism & { readonly ready: Promise<Wsprism>; readonly version: string }) | undefined;
}
