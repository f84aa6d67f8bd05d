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

/** permessage-deflate parameters agreed for a connection (the engine's serde names). */
export interface DeflateParams {
  server_no_context_takeover: boolean;
  client_no_context_takeover: boolean;
  server_max_window_bits: number;
  client_max_window_bits: number;
}

/** What a server agrees to / a client asks for (`ws` option names; snake_case also accepted). */
export interface DeflateConfig {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  serverMaxWindowBits?: number;
  clientMaxWindowBits?: number;
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
/** A random `Sec-WebSocket-Key` (16 bytes from crypto.getRandomValues, base64). */
export function generateKey(): string;
/** XORs `data` in place with the 4-byte key; `data[0]` is payload byte `offset`. Returns `data`. */
export function mask<T extends Uint8Array>(data: T, key: Uint8Array | ArrayLike<number>, offset?: number): T;
/** The same operation as `mask`. */
export function unmask<T extends Uint8Array>(data: T, key: Uint8Array | ArrayLike<number>, offset?: number): T;
/** True if `data` is valid UTF-8. */
export function isValidUtf8(data: BytesLike): boolean;

export interface EncodeFrameOptions {
  /** 0-15, or a name: continuation, text, binary, close, ping, pong. */
  opcode: number | 'continuation' | 'text' | 'binary' | 'close' | 'ping' | 'pong';
  /** Strings are UTF-8 encoded. */
  payload?: BytesLike | string;
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** A 4-byte key, or true for a random one (crypto.getRandomValues). Default: unmasked. */
  mask?: Uint8Array | ArrayLike<number> | boolean;
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
export function inspectFrame(bytes: BytesLike, options?: InspectOptions): FrameReport | null;
/** Every frame, plus the messages/events the decoder makes of them and the first error. */
export function inspectStream(bytes: BytesLike, options?: InspectOptions): StreamReport;

// ------------------------------------------------------------------ handshake

export interface Header {
  name: string;
  value: string;
}
/** An extension with its parameters in order: `[name, value | null]` (the engine's serde form). */
export interface Extension {
  name: string;
  params: [string, string | null][];
}
/** Extensions as input: a header value, or objects whose params are pairs or `{ key: value | true }`. */
export type ExtensionsInput = string | Array<string | { name: string; params?: [string, string | null][] | Record<string, string | number | true | null> }>;

export interface ParsedRequest {
  method: string;
  path: string;
  http_minor: number;
  headers: Header[];
  /** Bytes of the head (what follows belongs to the WebSocket stream). */
  length: number;
}
/** Parses an HTTP request head; null while incomplete; throws WS_ERR_INVALID_HANDSHAKE if malformed. */
export function parseHandshakeRequest(data: BytesLike | string): ParsedRequest | null;

export interface HandshakeAccepted {
  ok: true;
  accept: string;
  key: string;
  path: string;
  host: string;
  origin: string | null;
  protocols: string[];
  extensions: Extension[];
  length: number;
}
export interface HandshakeRejected {
  ok: false;
  /** 400, 426 (Sec-WebSocket-Version), 431 (head too large). */
  status: number;
  message: string;
  /** The HTTP response to send. */
  response: Uint8Array;
}
/** Validates a WebSocket upgrade request (RFC 6455 §4.2.1); null while the head is incomplete. */
export function validateHandshakeRequest(data: BytesLike | string): HandshakeAccepted | HandshakeRejected | null;

export interface BuildResponseOptions {
  key?: string;
  accept?: string;
  protocol?: string | null;
  extensions?: ExtensionsInput;
  headers?: Record<string, string | number> | [string, string | number][];
}
/** The `101 Switching Protocols` response (header names/values checked: no CR/LF injection). */
export function buildHandshakeResponse(options: BuildResponseOptions): Uint8Array;

export interface ParseResponseOptions {
  /** The key the request was sent with. */
  key: string;
  /** Offered subprotocols. */
  protocols?: string[] | string;
  /** Offered extension names. */
  extensions?: string[];
  /** Set if permessage-deflate was offered: the response's parameters are checked against it. */
  perMessageDeflate?: DeflateConfig | boolean;
}
export type ParsedResponse =
  | {
      ok: true;
      status: 101;
      protocol: string | null;
      extensions: Extension[];
      headers: Header[];
      length: number;
      /** Agreed parameters when permessage-deflate was offered and accepted, else null. */
      perMessageDeflate: DeflateParams | null;
    }
  | { ok: false; status: number; message: string };
/** Client side: checks the server's response; null while incomplete. */
export function parseHandshakeResponse(data: BytesLike | string, options: ParseResponseOptions): ParsedResponse | null;

/** Server side: picks the first acceptable permessage-deflate offer; null if none. */
export function negotiatePerMessageDeflate(
  offers: ExtensionsInput,
  config?: DeflateConfig | boolean,
): { params: DeflateParams; response: string } | null;

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
}

export type DecoderEvent =
  | { type: 'message'; data: Uint8Array; binary: boolean }
  | { type: 'ping'; data: Uint8Array }
  | { type: 'pong'; data: Uint8Array }
  /** code 1005: the close frame had no status. */
  | { type: 'close'; code: number; reason: string }
  /** Always the last event: the stream is failed; close the connection with error.closeCode. */
  | { type: 'error'; error: ProtocolError };

/** A streaming decoder: feed it chunks of any size; one wasm call per chunk. */
export class Decoder {
  constructor(options?: DecoderOptions);
  push(chunk: BytesLike): DecoderEvent[];
  /** Bytes of the stream consumed so far. */
  readonly offset: number;
  /** True once a close frame was decoded. */
  readonly closed: boolean;
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
}
export interface MessageOptions {
  /** Default: strings are text, bytes binary. */
  binary?: boolean;
  /** Compress (ignored without perMessageDeflate). */
  compress?: boolean;
  /** false: a fragment; later calls continue the message until fin: true. */
  fin?: boolean;
  /** Client only: a fixed 4-byte key (default: random per frame). */
  mask?: Uint8Array | ArrayLike<number> | boolean;
  /** Split into frames of at most this many payload bytes. */
  fragmentSize?: number;
}
export class Encoder {
  constructor(options?: EncoderOptions);
  message(data: BytesLike | string, options?: MessageOptions): Uint8Array;
  ping(data?: BytesLike | string, options?: { mask?: Uint8Array | ArrayLike<number> }): Uint8Array;
  pong(data?: BytesLike | string, options?: { mask?: Uint8Array | ArrayLike<number> }): Uint8Array;
  /** No code: an empty close ("no status"). Reason: at most 123 bytes of UTF-8. */
  close(code?: number, reason?: string): Uint8Array;
  /** True while a message begun with fin: false is unfinished. */
  readonly inMessage: boolean;
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
  parseHandshakeResponse: typeof parseHandshakeResponse;
  negotiatePerMessageDeflate: typeof negotiatePerMessageDeflate;
  Decoder: typeof Decoder;
  Encoder: typeof Encoder;
  FrameDecoderStream: typeof FrameDecoderStream;
}

declare global {
  /** Set by the classic-script bundle dist/wsprism.js. */
  // eslint-disable-next-line no-var
  var wsprism: (Wsprism & { readonly ready: Promise<Wsprism>; readonly version: string }) | undefined;
}
