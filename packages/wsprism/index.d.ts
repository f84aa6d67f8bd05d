// Type declarations for `wsprism` (Node): the codec API over the Rust engine, plus the
// ws-style WebSocket / WebSocketServer.
/// <reference types="node" />

/** Bytes accepted as input: a Buffer or any Uint8Array (no copy is made). */
export type Bytes = Buffer | Uint8Array;

/** A masking key: 4 bytes, a 32-bit number (first byte most significant), or 8 hex digits. */
export type MaskKey = Bytes | number | string;

/** Which side of the connection RECEIVES the frames (`server` expects masked frames). */
export type Role = 'server' | 'client';

/** Agreed permessage-deflate parameters (RFC 7692 §7.1), as negotiation returns them (snake_case also accepted). */
export interface PerMessageDeflateParams {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  /** 8-15, default 15. */
  serverMaxWindowBits?: number;
  /** 8-15, default 15. */
  clientMaxWindowBits?: number;
}

/** What a server agrees to, or a client asks for (the `ws` option names; snake_case also accepted). */
export interface PerMessageDeflateConfig {
  /** Server: always reset its own context. Client: ask the server to. */
  serverNoContextTakeover?: boolean;
  /** Server: ask the client to reset its context. Client: reset its own. */
  clientNoContextTakeover?: boolean;
  /** 8-15. Server: the largest window it uses. Client: ask the server for at most this. `true` = no preference. */
  serverMaxWindowBits?: number | true;
  /** 8-15. Server: ask the client for at most this (if offered). Client: the window it uses. `true` = no preference. */
  clientMaxWindowBits?: number | true;
  /** Compression level 0-9 (default 6). */
  level?: number;
}

// ---------------------------------------------------------------------------------------------
// Small functions

/**
 * Which engine is in use: `'native'` (the prebuilt or locally built Node-API addon) or
 * `'wasm'` (the WebAssembly engine, used when no addon for this platform loads, or with
 * `WSPRISM_BACKEND=wasm`). The API and `WebSocketServer`/`WebSocket` behave the same on both.
 */
export const backend: 'native' | 'wasm';

/** Native codec states alive in this process (allocated permessage-deflate states included). */
export interface LiveStates {
  decoders: number;
  encoders: number;
  inflaters: number;
  deflaters: number;
}

/**
 * Diagnostics: the live native states. They return to where they were once connections have
 * ended (no garbage collection needed): a WebSocket frees its codec when it closes.
 */
export function liveStates(): LiveStates;

/** `Sec-WebSocket-Accept` for a key: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")). */
export function acceptKey(key: string): string;

/** A fresh random `Sec-WebSocket-Key` (base64 of 16 random bytes). */
export function generateKey(): string;

/**
 * XORs `data` in place with the masking key, starting at key position `offset % 4` (so a
 * payload split across reads can be unmasked piece by piece). Returns `data`.
 * Small inputs (< 64 bytes) are masked in JS, larger ones natively (SIMD).
 * @throws TypeError if `data` is not a Buffer/Uint8Array or the key has the wrong type
 * @throws RangeError if the key is not 4 bytes / 32 bits / 8 hex digits, or offset < 0
 */
export function mask<T extends Bytes>(data: T, key: MaskKey, offset?: number): T;
/** The same operation as {@link mask} (XOR is its own inverse). */
export function unmask<T extends Bytes>(data: T, key: MaskKey, offset?: number): T;

/** True if `data` is valid UTF-8 (strict: no overlongs, surrogates or code points > U+10FFFF). */
export function isValidUtf8(data: Bytes): boolean;

export interface FrameSpec {
  /** 0-15 (0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong; others reserved). */
  opcode: number;
  /** Payload; a string is encoded as UTF-8. Default: empty. */
  payload?: Bytes | string;
  /** Default true. */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** Masking key, or `true` for a random one. Default: unmasked. */
  mask?: MaskKey | boolean;
  /**
   * Build frames that break the control-frame rules (FIN clear, payload > 125) for testing.
   * Default false: such frames throw a RangeError naming the rule.
   */
  allowInvalid?: boolean;
}

/**
 * One frame as wire bytes.
 * @throws TypeError for a non-numeric opcode or wrong option types
 * @throws RangeError for an opcode outside 0-15, or a control frame (opcode 8-15) without FIN
 *   or with more than 125 payload bytes (RFC 6455 §5.5), `code` e.g. 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH'
 */
export function encodeFrame(frame: FrameSpec): Buffer;

// ---------------------------------------------------------------------------------------------
// Inspection: the engine's reports (snake_case field names, the same JSON as the CLI)

export interface InspectOptions {
  /** The receiving side, default 'server'. */
  role?: Role;
  /** Agreed permessage-deflate parameters, if the connection negotiated it. */
  perMessageDeflate?: PerMessageDeflateParams | boolean | null;
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
  /** WS_ERR_* */
  code: string;
  /** 'protocol' | 'invalid_payload' | 'message_too_big' */
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
 * The first frame in `bytes`, field by field, with every rule it breaks (it keeps going where
 * a decoder would stop). `bytes` may be a hex string. Null if fewer than 2 bytes.
 */
export function inspectFrame(bytes: Bytes | string, options?: InspectOptions): FrameReport | null;

/** Every frame in `bytes`, plus what the decoder makes of them: messages, events, the first error. */
export function inspectStream(bytes: Bytes | string, options?: InspectOptions): StreamReport;

// ---------------------------------------------------------------------------------------------
// Captures: pcap, pcapng and HAR files → WebSocket conversations (docs/capture.md). The same
// report as `wsprism capture FILE --json` and the other package; snake_case field names.

export interface CaptureOptions {
  /**
   * How many bytes of each frame (`raw_hex`, `payload_hex`) and message (`text`, `data_hex`)
   * are reported; longer ones are cut and say `truncated: true`. Default 4096; `0` (or
   * `Infinity`) = everything.
   */
  maxBytes?: number;
  /** The decoder's frame size limit, default 16 MiB (`Infinity`: none). */
  maxFrameSize?: number;
  /** The decoder's message size limit (after reassembly and inflation), default 64 MiB. */
  maxMessageSize?: number;
}

export type CaptureDirection = 'client_to_server' | 'server_to_client';

/** A file-level problem (the rest of the file is still read where possible). */
export interface CaptureError {
  /** CAPTURE_* */
  code: string;
  message: string;
  /** Index of the record (packet) concerned, counting from 0. */
  packet: number;
}

export interface CaptureReport {
  format: 'pcap' | 'pcapng' | 'har';
  /**
   * pcap: one; pcapng: one per interface; har: none. 'ethernet', 'linux_sll', 'linux_sll2',
   * 'null', 'loop', 'raw', 'ipv4', 'ipv6', or 'linktype_N' for others.
   */
  link_types: string[];
  /** Records read (HAR: entries). */
  packets: number;
  /** Size of the input. */
  bytes: number;
  /** Packets that held no TCP segment (other protocols, IP fragments, unsupported links). */
  skipped_packets: number;
  /** TCP connections that were not WebSocket (plain HTTP, TLS...), not listed. */
  other_tcp_connections: number;
  /** In order of first packet. */
  connections: CaptureConnection[];
  errors: CaptureError[];
}

export interface CaptureHttpRequest {
  method: string;
  target: string;
  /** `[name, value]` pairs in wire order. */
  headers: [string, string][];
}

export interface CaptureHttpResponse {
  status: number;
  reason: string;
  headers: [string, string][];
}

/** permessage-deflate parameters agreed in the handshake (RFC 7692 §7.1). */
export interface CaptureDeflateParams {
  server_no_context_takeover: boolean;
  client_no_context_takeover: boolean;
  server_max_window_bits: number;
  client_max_window_bits: number;
}

export interface CaptureHandshake {
  request: CaptureHttpRequest;
  /** null if the capture holds no response. */
  response: CaptureHttpResponse | null;
  /** Sec-WebSocket-Accept matches the key. */
  accept_valid: boolean;
  subprotocol: string | null;
  /** The response's Sec-WebSocket-Extensions value. */
  extensions: string | null;
  deflate: CaptureDeflateParams | null;
}

export interface CaptureTcpDirection {
  bytes: number;
  segments: number;
  retransmitted: number;
  out_of_order: number;
  overlaps: number;
  gaps: number;
}

export interface CaptureTcp {
  client_to_server: CaptureTcpDirection;
  server_to_client: CaptureTcpDirection;
  closed: 'fin' | 'rst' | null;
}

export interface CaptureConnection {
  id: number;
  /** "127.0.0.1:50312", or "[::1]:50312" for IPv6; empty when unknown (HAR). */
  client: string;
  server: string;
  /** Seconds since the epoch, from the capture. */
  start: number;
  end: number;
  /** false: captured mid-stream, frames found by resynchronising. */
  handshake_seen: boolean;
  handshake: CaptureHandshake | null;
  notes: string[];
  tcp: CaptureTcp;
  frames: CaptureFrame[];
  messages: CaptureMessage[];
  errors: CaptureConnectionError[];
}

export interface CaptureFrame {
  /** Per connection, in time order. */
  index: number;
  direction: CaptureDirection;
  /** Time of the packet that completed the frame. */
  time: number;
  /** Offset of the frame's first byte in its direction's TCP stream. */
  stream_offset: number;
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  /** 'text', 'binary', 'continuation', 'close', 'ping', 'pong' or 'reserved ...'. */
  opcode_name: string;
  masked: boolean;
  /** 8 hex digits, or null if unmasked. */
  masking_key: string | null;
  header_len: number;
  payload_len: number;
  /** Wire bytes (header + payload as sent), up to maxBytes. */
  raw_hex: string;
  /** Unmasked payload (still compressed if rsv1), up to maxBytes. */
  payload_hex: string;
  /** raw_hex or payload_hex was cut (or the capture ended inside the frame). */
  truncated: boolean;
}

export interface CaptureMessage {
  index: number;
  direction: CaptureDirection;
  /** Time of its last frame. */
  time: number;
  kind: 'text' | 'binary' | 'ping' | 'pong' | 'close';
  /** Decoded (inflated) length. */
  length: number;
  compressed: boolean;
  /** First and last frame index; null for HAR. */
  frames: [number, number] | null;
  /** Text messages (and close reasons). */
  text: string | null;
  /** The payload, up to maxBytes. */
  data_hex: string;
  /** text or data_hex was cut. */
  truncated: boolean;
  /** A close with a status: its code and reason; null otherwise. */
  close_code: number | null;
  close_reason: string | null;
}

export interface CaptureConnectionError {
  direction: CaptureDirection;
  time: number;
  /** Index of the frame it belongs to, if any. */
  frame: number | null;
  stream_offset: number;
  /** The engine's WS_ERR_* codes; TCP/HTTP ones are CAPTURE_*. */
  code: string;
  /** What a peer would have closed with (0 when none). */
  close_code: number;
  rfc_section: string;
  message: string;
}

/**
 * Every WebSocket connection in a capture file — pcap, pcapng, or a HAR file with Chrome's
 * `_webSocketMessages` — rebuilt by the Rust capture crate: TCP reassembly, the HTTP upgrade,
 * every frame through the engine (permessage-deflate applied as negotiated). `bytes` is the file's content; a string is taken
 * as its text (HAR). A file that cannot be read at all throws; problems inside a readable file
 * are listed in the report's `errors` and each connection's `errors`.
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`) for bytes or options of the wrong type
 * @throws RangeError (`ERR_OUT_OF_RANGE`) for a negative or fractional limit
 * @throws Error with `code` `CAPTURE_*` (e.g. `CAPTURE_UNSUPPORTED_FORMAT`) for an unreadable
 *   file; `CAPTURE_REPORT_TOO_LARGE` when the report would exceed a JS string (lower `maxBytes`)
 */
export function inspectCapture(bytes: Bytes | string, options?: CaptureOptions): CaptureReport;

// ---------------------------------------------------------------------------------------------
// Decoder

export interface DecoderOptions {
  /** The receiving side, default 'server' (expects masked frames). */
  role?: Role;
  /** Largest frame payload accepted (default 16 MiB); larger fails with 1009. `Infinity`: none. */
  maxFrameSize?: number;
  /** Largest message after reassembly and decompression (default 64 MiB). */
  maxMessageSize?: number;
  /** Agreed permessage-deflate parameters (null/false: not negotiated). */
  perMessageDeflate?: PerMessageDeflateParams | boolean | null;
  /** Most data frames in one message, empty ones included (default 0: no limit); over it fails with 1008. */
  maxFragments?: number;
  /** Most input chunks that may end inside one incomplete frame (default 0: no limit); over it fails with 1008. */
  maxBufferedChunks?: number;
}

/** A protocol violation by the peer. */
export interface WebSocketProtocolError extends Error {
  /** 'WS_ERR_*', e.g. 'WS_ERR_INVALID_UTF8'. */
  code: string;
  /** The close code to answer with: 1002 (protocol), 1007 (invalid payload), 1009 (too big). */
  closeCode: 1002 | 1007 | 1009 | number;
  /** e.g. 'RFC 6455 §5.2'. */
  rfcSection: string;
  /** Stream offset (bytes since the decoder started) where the violation was found. */
  offset: number;
}

export type DecoderEvent =
  | { type: 'message'; data: Buffer; binary: boolean }
  | { type: 'ping'; data: Buffer }
  | { type: 'pong'; data: Buffer }
  /** `code` is 1005 when the close frame had no status; `data` is the raw close payload. */
  | { type: 'close'; code: number; reason: string; data: Buffer }
  | { type: 'error'; error: WebSocketProtocolError };

/**
 * A streaming frame decoder for one direction of one connection. `push` takes whatever the
 * socket delivered (half a frame, many frames) and returns the events it completed. One native
 * call per chunk; payloads are unmasked in place and, where a message lies whole in the chunk,
 * returned as a view of it (no copy).
 */
export class Decoder {
  /**
   * Releases the native state (buffers, permessage-deflate state) now, not at garbage
   * collection (also called by `[Symbol.dispose]`, for `using`). Idempotent; afterwards every
   * method throws an Error with code ERR_INVALID_STATE.
   */
  free(): void;
  constructor(options?: DecoderOptions);
  /**
   * Decodes `chunk` — which is modified: masked payloads are unmasked in place — and returns
   * the events it completed. A frame of 16 KiB or more that the chunk leaves incomplete is
   * kept (as views of the chunks, no copy) until complete, then joined once and decoded.
   * On a protocol violation the last event is `{ type: 'error' }`, and every later push
   * returns that same event.
   */
  push(chunk: Bytes): DecoderEvent[];
  /** True once a close frame was decoded. */
  readonly closed: boolean;
  /** Bytes held in reassembly buffers (bounded by the limits). */
  readonly buffered: number;
  /** True while a frame or a fragmented message is incomplete. */
  readonly partial: boolean;
  /** What the decoder waits for, in words. */
  readonly waitingFor: string;
  /** Bytes consumed so far. */
  readonly offset: number;
  /** The error the stream failed with, or null. */
  readonly error: WebSocketProtocolError | null;
}

// ---------------------------------------------------------------------------------------------
// Encoder

export interface EncoderOptions {
  /** The SENDING side, default 'server'. A client masks every frame. */
  role?: Role;
  /** Agreed permessage-deflate parameters; needed for `compress: true`. */
  perMessageDeflate?: PerMessageDeflateParams | boolean | null;
  /** Deflate level 0-9 (default 6). */
  level?: number;
  /** zlib memLevel 1-9 (default 8): lower uses less compressor memory. */
  memLevel?: number;
}

export interface MessageOptions {
  /** Default: true unless `data` is a string. */
  binary?: boolean;
  /** Compress with permessage-deflate (the encoder must have it). Default false. */
  compress?: boolean;
  /** False: this is a fragment; finish the message with a later call with `fin: true`. */
  fin?: boolean;
  /**
   * Client only: a fixed masking key (default, or `true`: a random key per frame). `false`:
   * the frames go out unmasked, which RFC 6455 §5.1 forbids (a server closes with 1002); for
   * testing servers, as `ws`'s per-send `mask: false`.
   */
  mask?: MaskKey | boolean;
  /** Split the message into frames of at most this many payload bytes. */
  fragmentSize?: number;
}

/** An error from the encoder (a rule the caller broke). RangeErrors for argument values. */
export interface EncodeError extends Error {
  /** e.g. 'WS_ERR_INVALID_CLOSE_CODE', 'WS_ERR_CLOSE_REASON_TOO_LONG', 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH'. */
  code: string;
}

/** Frames outgoing messages. Server frames up to 64 KiB are framed in JS (faster than a native call). */
export class Encoder {
  /**
   * Releases the native state (buffers, permessage-deflate state) now, not at garbage
   * collection (also called by `[Symbol.dispose]`, for `using`). Idempotent; afterwards every
   * method throws an Error with code ERR_INVALID_STATE.
   */
  free(): void;
  constructor(options?: EncoderOptions);
  /**
   * A message (or fragment) as wire bytes: one Buffer, holding several frames if fragmented.
   * @throws RangeError (code WS_ERR_INVALID_FRAGMENT_SIZE) for fragmentSize < 1
   * @throws Error (code WS_ERR_COMPRESSION_NOT_NEGOTIATED) for compress without permessage-deflate
   */
  message(data: Bytes | string, options?: MessageOptions): Buffer;
  /** @throws RangeError (WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH) for more than 125 bytes */
  ping(data?: Bytes | string): Buffer;
  /** @throws RangeError (WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH) for more than 125 bytes */
  pong(data?: Bytes | string): Buffer;
  /**
   * A close frame; no `code`: an empty close (then no reason).
   * @throws RangeError (WS_ERR_INVALID_CLOSE_CODE) for a code that may not be sent (valid:
   *   1000-1003, 1007-1014, 3000-4999), (WS_ERR_CLOSE_REASON_TOO_LONG) for a reason over 123 bytes
   */
  close(code?: number, reason?: string | Bytes): Buffer;
  /** True while a message sent with `fin: false` is unfinished. */
  readonly inMessage: boolean;
  /** True if permessage-deflate is on. */
  readonly canCompress: boolean;
}

// ---------------------------------------------------------------------------------------------
// Handshake

/** Default limit on a request/response head: 8 KiB. */
export const DEFAULT_MAX_HEAD_SIZE: number;

/** A malformed or too large HTTP head. */
export class HandshakeError extends Error {
  /** HTTP status to refuse with: 400, 431 (0 on the client side). */
  status: number;
  /** 'WS_ERR_INVALID_HANDSHAKE' (not HTTP/1.1) | 'WS_ERR_HANDSHAKE_TOO_LARGE' */
  code: string;
}

export interface HeadOptions {
  /** Largest head accepted, default 8 KiB (then 431). */
  maxSize?: number;
}

export type HeaderList = Array<[name: string, value: string]>;

export type ParsedRequest =
  | { complete: false }
  | { complete: true; length: number; method: string; path: string; httpVersion: string; headers: HeaderList };

/**
 * Parses an HTTP request head at the start of `buf` (feed it what arrived so far).
 * `length` is the head's size: the bytes after it are WebSocket frames.
 * @throws HandshakeError with `status` 400 (malformed) or 431 (too large)
 */
export function parseHandshakeRequest(buf: Bytes | string, options?: HeadOptions): ParsedRequest;

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

export type ValidatedRequest =
  | {
      ok: true;
      /** The Sec-WebSocket-Accept value to answer with. */
      accept: string;
      key: string;
      path: string;
      host: string;
      origin: string | undefined;
      /** Offered subprotocols, in the client's order. */
      protocols: string[];
      /** Offered extensions, in order. */
      extensions: Extension[];
      headers: HeaderList;
      length: number;
    }
  | {
      ok: false;
      /** 400 (a missing or other version too: the response names 13, 8), 405 (not GET) or 431. */
      status: number;
      /** Which rule failed: 'WS_ERR_HANDSHAKE_METHOD', 'WS_ERR_HANDSHAKE_VERSION', 'WS_ERR_HANDSHAKE_KEY', ... */
      code: string;
      message: string;
      /** The complete HTTP rejection to write to the socket. */
      response: Buffer;
    };

/** Parses and validates a WebSocket upgrade request (RFC 6455 §4.2.1). */
export function validateHandshakeRequest(request: Bytes | string, options?: HeadOptions): ValidatedRequest;

export interface ResponseOptions {
  /** The client's Sec-WebSocket-Key (the accept value is computed)... */
  key?: string;
  /** ...or the Sec-WebSocket-Accept value itself. */
  accept?: string;
  /** The chosen subprotocol (one token). */
  protocol?: string;
  /** The Sec-WebSocket-Extensions value, e.g. negotiatePerMessageDeflate(...).response, or a list. */
  extensions?: string | ExtensionSpec[];
  /** More headers (values must not contain CR/LF). */
  headers?: Record<string, string | number | Array<string | number>> | HeaderList;
}

/** The `101 Switching Protocols` response head. @throws TypeError for header injection attempts */
export function buildHandshakeResponse(options: ResponseOptions): Buffer;

export interface RequestOptions {
  /** Host header value (host[:port]). */
  host: string;
  /** Request target, default '/'. */
  path?: string;
  /** Default: generateKey(). */
  key?: string;
  protocols?: string | string[];
  /** Sec-WebSocket-Extensions offer, e.g. perMessageDeflateOffer(), or a list. */
  extensions?: string | ExtensionSpec[];
  origin?: string;
  headers?: Record<string, string | number | Array<string | number>> | HeaderList;
}

/** A client's upgrade request head. */
export function buildHandshakeRequest(options: RequestOptions): Buffer;

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
      /** Why it is not ok. */
      message?: string;
    };

/**
 * Parses a server's response head and validates it (status 101, Upgrade/Connection,
 * Sec-WebSocket-Accept, subprotocol and extension names offered).
 * @throws HandshakeError for a malformed or too large head
 */
export function parseHandshakeResponse(buf: Bytes | string, options?: ResponseCheck): ParsedResponse;

/**
 * Server side (RFC 7692): picks the first acceptable permessage-deflate offer. `offers` is the
 * Sec-WebSocket-Extensions header value or the `extensions` of validateHandshakeRequest.
 * Returns the header value to answer with and the agreed parameters, or null (no compression).
 */
export function negotiatePerMessageDeflate(
  offers: string | ExtensionSpec[],
  config?: PerMessageDeflateConfig | boolean
): { response: string; params: Required<PerMessageDeflateParams> } | null;

/** Client side: the Sec-WebSocket-Extensions offer for `config`. */
export function perMessageDeflateOffer(config?: PerMessageDeflateConfig | boolean): string;

/**
 * Client side: checks the server's Sec-WebSocket-Extensions answer against the offer made with
 * `config`. Returns the agreed parameters, or null if the server did not accept compression.
 * @throws Error (code 'WS_ERR_INVALID_EXTENSION') for an answer the offer does not allow
 */
export function acceptPerMessageDeflate(
  response: string | null | undefined,
  config?: PerMessageDeflateConfig | boolean
): Required<PerMessageDeflateParams> | null;

// ---------------------------------------------------------------------------------------------
// ws-style classes (lib/websocket.js, lib/websocket-server.js): see README.md.

export { WebSocket, WebSocketServer, createWebSocketStream } from './lib/websocket';
export type * from './lib/websocket';
