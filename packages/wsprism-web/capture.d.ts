// Types of wsprism-web/capture (capture.js): the capture decoder and writer in their own
// WebAssembly module (wasm/wsprism_capture_bg.wasm), initialized by this entry's own init().
import type { BytesLike } from './index.js';

/** The argument of init(): as wsprism-web's. */
export type InitInput =
  | { module_or_path: RequestInfo | URL | Response | BufferSource | WebAssembly.Module }
  | undefined;

/** The capture API, resolved by init(). */
export interface WsprismCapture {
  readonly initialized: boolean;
  inspectCapture: typeof inspectCapture;
  openCapture: typeof openCapture;
  CaptureSession: typeof CaptureSession;
  writeCapture: typeof writeCapture;
}

/**
 * Instantiates the capture module once (later calls return the same promise): by default the
 * .wasm next to this module (fetched; read from disk in Node).
 */
export function init(input?: InitInput): Promise<WsprismCapture>;
/** Synchronous instantiation from bytes or a WebAssembly.Module (`{ module }`). */
export function initSync(input: { module: BufferSource | WebAssembly.Module }): WsprismCapture;
export default init;


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
export function inspectCapture(bytes: BytesLike | string, options?: CaptureOptions): CaptureReport;

/** Which frames or messages a CaptureSession window lists (every field set must hold). */
export interface CaptureFilter {
  direction?: CaptureDirection;
  /** data: frames with opcode < 8, text and binary messages; control: the others. */
  kind?: 'data' | 'control';
  /** Only RSV1 frames / messages sent compressed. */
  compressed?: boolean;
  /** Only frames an error names / messages holding such a frame. */
  errors?: boolean;
}

/** A connection in CaptureSession.summary(): frames and messages are empty, counts are given. */
export interface CaptureConnectionSummary extends CaptureConnection {
  frame_count: number;
  message_count: number;
  /** Frames / messages sent by the client. */
  client_frames: number;
  client_messages: number;
  truncated_frames: number;
}

export interface CaptureSummary extends Omit<CaptureReport, 'connections'> {
  connections: CaptureConnectionSummary[];
}

export interface CaptureFrameWindow {
  /** Frames passing the filter. */
  total: number;
  start: number;
  frames: CaptureFrame[];
  /** For each frame, the index of the (last) message that ends with it, or null. */
  message_ends: (number | null)[];
}

export interface CaptureMessageWindow {
  total: number;
  start: number;
  messages: CaptureMessage[];
}

/**
 * A capture read once into wasm memory, queried a window at a time (docs/capture.md, "Paged
 * index"): the same frame and message objects as inspectCapture's report. `conn` is the
 * position in `summary().connections`; positions past the end give empty windows or null.
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`) / RangeError (`ERR_OUT_OF_RANGE`,
 *   `ERR_INVALID_ARG_VALUE`) for bad arguments (`count` at most 100000); `ERR_INVALID_STATE`
 *   after free()
 */
export class CaptureSession {
  private constructor();
  summary(): CaptureSummary;
  frames(conn: number, start: number, count: number, filter?: CaptureFilter | null): CaptureFrameWindow;
  messages(conn: number, start: number, count: number, filter?: CaptureFilter | null): CaptureMessageWindow;
  frame(conn: number, index: number): CaptureFrame | null;
  message(conn: number, index: number): CaptureMessage | null;
  /** Gives the wasm memory of the index back (the instance's memory does not shrink, but is reused). */
  free(): void;
}

/**
 * Reads a capture once into a CaptureSession (options as inspectCapture's; `maxBytes` bytes of
 * each frame and message are kept in wasm memory, never more than the file holds).
 * @throws as inspectCapture; `CAPTURE_OUT_OF_MEMORY` when wasm memory cannot hold the index
 */
export function openCapture(bytes: BytesLike | string, options?: CaptureOptions): CaptureSession;

/** Bytes one side sends in a writeCapture connection. */
export interface CaptureSegment {
  /** The sender. */
  from: 'client' | 'server';
  /** The bytes (a string is sent as UTF-8). */
  data: BytesLike | string;
  /** Cut the bytes into TCP segments after these byte counts. */
  cuts?: number[];
  /** Send every segment twice (a TCP retransmission). */
  retransmit?: boolean;
}
/** One TCP connection of writeCapture: three-way handshake, the segments, then `close`. */
export interface CaptureConnection {
  /** "10.0.0.2:50312" or "[2001:db8::1]:50312". */
  client: string;
  /** "10.0.0.1:8080". */
  server: string;
  segments: CaptureSegment[];
  /** How the connection ends: both FIN (default), a client RST, or nothing. */
  close?: 'fin' | 'rst' | 'none';
}
export interface WriteCaptureOptions {
  /** Time of the first packet, seconds since the epoch (default 1732240000). */
  start?: number;
  /** Microseconds between packets (default 12500). */
  stepUs?: number;
  /** Largest TCP payload per segment (default 1448). */
  mss?: number;
}
/**
 * A pcap file (Ethernet, microsecond timestamps) of the connections, its packets built by the
 * engine's capture crate (wsprism_capture::synth).
 */
export function writeCapture(connections: CaptureConnection[], options?: WriteCaptureOptions): Uint8Array;
