// Type declarations for the ws-style classes (lib/websocket.js, lib/websocket-server.js).
// The package's index.d.ts re-exports them:
//   export { WebSocket, WebSocketServer } from './lib/websocket';
/// <reference types="node" />

import { EventEmitter } from 'events';
import * as http from 'http';
import * as https from 'https';
import { Duplex } from 'stream';
import { URL } from 'url';

/** What `send`/`ping`/`pong` accept: strings (and numbers) are sent as UTF-8 text; a Blob's bytes are read first, later sends wait behind it. */
export type Data = string | number | Buffer | ArrayBuffer | ArrayBufferView | Blob;

/** The `ws` permessage-deflate option (`true` = defaults). */
export interface PerMessageDeflateOptions {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  /** 8-15 (a number); `true` offers/accepts the parameter without a value. */
  serverMaxWindowBits?: number | boolean;
  clientMaxWindowBits?: number | boolean;
  /** Only with no context takeover on the sending side: messages smaller than this (bytes) are sent uncompressed. Default 1024. */
  threshold?: number;
  /** Only `level` (0-9) is used. */
  zlibDeflateOptions?: { level?: number };
}

/**
 * Client options as in `ws` 8. Every `http.request` / `https.request` / `tls.connect` option is
 * passed through (`agent`, `ca`, `cert`, `key`, `pfx`, `passphrase`, `rejectUnauthorized`,
 * `servername`, `lookup`, `family`, `localAddress`, ...).
 */
export interface ClientOptions extends Omit<https.RequestOptions, 'host' | 'hostname' | 'path' | 'port' | 'protocol' | 'method' | 'timeout' | 'socketPath' | 'createConnection'> {
  /** Default true (offer permessage-deflate). */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Largest accepted message in bytes. Default 100 MiB. */
  maxPayload?: number;
  /** Extra request headers. */
  headers?: http.OutgoingHttpHeaders;
  /** Milliseconds for the opening handshake. */
  handshakeTimeout?: number;
  /** Sent as `Origin` (as `Sec-WebSocket-Origin` with protocolVersion 8). */
  origin?: string;
  /** 13 (default) or 8; anything else is a RangeError. */
  protocolVersion?: 8 | 13;
  /** Follow 3xx redirects (default false), at most `maxRedirects` (default 10). */
  followRedirects?: boolean;
  maxRedirects?: number;
  /** `user:password` for Basic authentication (credentials in the URL do the same). */
  auth?: string;
  /** Opens the connection instead of `net.connect`/`tls.connect` (any Duplex). */
  createConnection?: (options: http.ClientRequestArgs, callback?: () => void) => Duplex;
  /** Fills the 4-byte masking key of each frame (default: random bytes from the engine). */
  generateMask?: (mask: Buffer) => void;
  /** Answer pings automatically. Default true. */
  autoPong?: boolean;
  /** Milliseconds to wait for the closing handshake before destroying the socket. Default 30000. */
  closeTimeout?: number;
  /** Accepted for `ws` compatibility; text is always validated. */
  skipUTF8Validation?: boolean;
  /**
   * Default true: a chunk's messages, pings and pongs are emitted in one turn. false: at most
   * one of them per turn of the event loop (setImmediate), reading paused meanwhile, as `ws`.
   */
  allowSynchronousEvents?: boolean;
  /**
   * Most data frames in one message (default 131072, as `ws`; 0 for no limit). Over it the
   * connection is closed with 1008 and `error` is a RangeError 'Too many message fragments'
   * (code `WS_ERR_TOO_MANY_BUFFERED_PARTS`).
   */
  maxFragments?: number;
  /**
   * Most socket chunks that may end inside one incomplete frame (default 1048576, as `ws`; 0 for
   * no limit). Over it: 1008, RangeError 'Too many buffered chunks' (`WS_ERR_TOO_MANY_BUFFERED_PARTS`).
   */
  maxBufferedChunks?: number;
  /** Called with the request before it is sent (it must call `req.end()`). */
  finishRequest?(req: http.ClientRequest, ws: WebSocket): void;
}

export interface SendOptions {
  /** Default: false for strings, true otherwise. */
  binary?: boolean;
  /** Default true (when permessage-deflate was negotiated). */
  compress?: boolean;
  /** false: this is a fragment; later calls continue the message until `fin: true`. */
  fin?: boolean;
  /**
   * Client only: `false` sends this message unmasked, as `ws` does. RFC 6455 §5.1 forbids it
   * (a server closes with 1002): for testing servers. Default: masked. A server never masks.
   */
  mask?: boolean;
}

export type BinaryType = 'nodebuffer' | 'arraybuffer' | 'fragments' | 'blob';

export interface WebSocketEvent {
  type: string;
  target: WebSocket;
}
export interface MessageEvent extends WebSocketEvent {
  /** A string for text messages; binary as per `binaryType`. */
  data: string | Buffer | ArrayBuffer | Buffer[] | Blob;
}
export interface CloseEvent extends WebSocketEvent {
  code: number;
  reason: string;
  wasClean: boolean;
}
export interface ErrorEvent extends WebSocketEvent {
  error: Error;
  message: string;
}

/**
 * A protocol error, with `ws`'s class (RangeError or Error), message and code for the same
 * condition, and the engine's facts as extra properties.
 */
export interface WebSocketError extends Error {
  /** `ws`'s code: `WS_ERR_INVALID_OPCODE`, `WS_ERR_INVALID_UTF8`, ..., `Z_DATA_ERROR`. */
  code: string;
  /** The close code sent to the peer (1002, 1007, 1009, ...). */
  closeCode?: number;
  /** The rule broken, e.g. 'RFC 6455 §5.2'. */
  rfcSection?: string;
  /** The byte offset in the stream where the violation was found. */
  offset?: number;
  /** The engine's own sentence, as inspectFrame/inspectStream report it. */
  engineMessage?: string;
  /** The engine's code where it differs from `ws`'s. */
  engineCode?: string;
  /** The number the violation is about (an opcode, a length, a close code). */
  detail?: number;
}

export declare class WebSocket extends EventEmitter {
  /** The same function as the package's `createWebSocketStream`. */
  static createWebSocketStream: typeof createWebSocketStream;
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;

  /** A client for ws:, wss:, http:, https: and ws+unix: URLs. `protocols` may be omitted (then the second argument is the options). */
  constructor(address: string | URL, protocols?: string | string[], options?: ClientOptions);
  constructor(address: string | URL, options?: ClientOptions);

  binaryType: BinaryType;
  /** Bytes queued and not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** The negotiated Sec-WebSocket-Extensions value ('' if none), e.g. "permessage-deflate". */
  readonly extensions: string;
  readonly isPaused: boolean;
  readonly protocol: string;
  readonly readyState: 0 | 1 | 2 | 3;
  readonly url: string | undefined;

  onopen: ((event: WebSocketEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;

  /** Starts the closing handshake; throws RangeError/TypeError for a code or reason that may not be sent. */
  close(code?: number, reason?: string | Buffer): void;
  terminate(): void;
  ping(data?: Data | number, mask?: boolean, cb?: (err?: Error) => void): void;
  pong(data?: Data | number, mask?: boolean, cb?: (err?: Error) => void): void;
  /**
   * Sends a message; returns its status (uWebSockets/Bun): the bytes written or queued; `0`
   * when queued with a server connection now over half its server's `backpressureLimit`; `-1`
   * when dropped (not open, or a server connection already at the limit: its callback gets
   * `WS_ERR_BACKPRESSURE_LIMIT`; with `closeOnBackpressureLimit` the connection is closed, 1008).
   */
  send(data: Data, cb?: (err?: Error) => void): number;
  send(data: Data, options: SendOptions, cb?: (err?: Error) => void): number;
  pause(): void;
  resume(): void;

  addEventListener(type: 'message', listener: (event: MessageEvent) => void, options?: { once?: boolean }): void;
  addEventListener(type: 'close', listener: (event: CloseEvent) => void, options?: { once?: boolean }): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void, options?: { once?: boolean }): void;
  addEventListener(type: 'open', listener: (event: WebSocketEvent) => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'message' | 'close' | 'error' | 'open', listener: (...args: any[]) => void): void;

  on(event: 'open', listener: (this: WebSocket) => void): this;
  on(event: 'message', listener: (this: WebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): this;
  on(event: 'ping' | 'pong', listener: (this: WebSocket, data: Buffer) => void): this;
  on(event: 'close', listener: (this: WebSocket, code: number, reason: Buffer) => void): this;
  /** Emitted only when a listener exists: an app without one does not crash. */
  on(event: 'error', listener: (this: WebSocket, err: WebSocketError) => void): this;
  on(event: 'upgrade', listener: (this: WebSocket, res: http.IncomingMessage) => void): this;
  on(event: 'unexpected-response', listener: (this: WebSocket, req: http.ClientRequest, res: http.IncomingMessage) => void): this;
  /** A redirect is followed (followRedirects): the new URL and its request. */
  on(event: 'redirect', listener: (this: WebSocket, url: string, req: http.ClientRequest) => void): this;
  /** The socket's write buffer emptied after a write that returned false. */
  on(event: 'drain', listener: (this: WebSocket) => void): this;
  on(event: string | symbol, listener: (this: WebSocket, ...args: any[]) => void): this;
  once(event: 'open', listener: (this: WebSocket) => void): this;
  once(event: 'message', listener: (this: WebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): this;
  once(event: 'close', listener: (this: WebSocket, code: number, reason: Buffer) => void): this;
  once(event: string | symbol, listener: (this: WebSocket, ...args: any[]) => void): this;
}

export interface VerifyClientInfo {
  origin: string | undefined;
  secure: boolean;
  req: http.IncomingMessage;
}

export interface ServerOptions {
  host?: string;
  port?: number;
  backlog?: number;
  server?: http.Server;
  noServer?: boolean;
  /** Accept only this pathname (else 400). */
  path?: string;
  /** Largest accepted message in bytes (frames and whole messages, after inflating). Default 100 MiB. */
  maxPayload?: number;
  /** Default false. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  handleProtocols?: (protocols: Set<string>, request: http.IncomingMessage) => string | false;
  /**
   * Sync (a boolean, or a promise of one), or with a callback `(result, code = 401, message,
   * headers)`. A throw, a rejection, a status outside 300-599 or a bad header fails the
   * handshake with 500 and 'error' on the server.
   */
  verifyClient?:
    | ((info: VerifyClientInfo) => boolean | Promise<boolean>)
    | ((info: VerifyClientInfo, callback: (res: boolean, code?: number, message?: string, headers?: http.OutgoingHttpHeaders) => void) => void);
  /** Default true. */
  autoPong?: boolean;
  /** Default true: `clients` holds the open connections. */
  clientTracking?: boolean;
  /** Milliseconds to wait for the closing handshake. Default 30000. */
  closeTimeout?: number;
  /** Milliseconds an upgrade request may take to arrive and be accepted. Default 10000. */
  handshakeTimeout?: number;
  /** The class of the server's connections (a subclass of WebSocket). */
  WebSocket?: typeof WebSocket;
  /** Accepted for `ws` compatibility (see ClientOptions). */
  skipUTF8Validation?: boolean;
  /** See ClientOptions: default true; false emits at most one message, ping or pong per turn. */
  allowSynchronousEvents?: boolean;
  /** See ClientOptions: most data frames per message, default 131072 (0: no limit). */
  maxFragments?: number;
  /** See ClientOptions: most chunks ending inside one frame, default 1048576 (0: no limit). */
  maxBufferedChunks?: number;
}

export declare class WebSocketServer extends EventEmitter {
  constructor(options: ServerOptions, callback?: () => void);
  options: ServerOptions;
  clients: Set<WebSocket>;
  address(): ReturnType<import('net').Server['address']>;
  close(cb?: (err?: Error) => void): void;
  shouldHandle(request: http.IncomingMessage): boolean;
  handleUpgrade(
    request: http.IncomingMessage,
    socket: Duplex,
    upgradeHead: Buffer,
    callback: (client: WebSocket, request: http.IncomingMessage) => void
  ): void;

  on(event: 'connection', listener: (this: WebSocketServer, socket: WebSocket, request: http.IncomingMessage) => void): this;
  /** Also an app callback (handleProtocols, verifyClient, 'headers') that failed a handshake with 500. */
  on(event: 'error', listener: (this: WebSocketServer, error: Error) => void): this;
  on(event: 'headers', listener: (this: WebSocketServer, headers: string[], request: http.IncomingMessage) => void): this;
  on(event: 'listening' | 'close', listener: (this: WebSocketServer) => void): this;
  on(event: 'wsClientError', listener: (this: WebSocketServer, error: Error & { status: number }, socket: Duplex, request: http.IncomingMessage) => void): this;
  on(event: string | symbol, listener: (this: WebSocketServer, ...args: any[]) => void): this;
}

/**
 * A WebSocket as a Duplex stream, as `ws`'s function of that name: each message received is one
 * chunk read (text as a string with `readableObjectMode`), each chunk written is one message
 * sent (writes made while CONNECTING wait for 'open'). A full readable buffer pauses the
 * WebSocket until it is read; ending the writable side starts the closing handshake; the
 * readable side ends at 'close'; `destroy()` terminates the connection. `autoDestroy`,
 * `emitClose` and `objectMode`/`writableObjectMode` are fixed (false).
 */
export declare function createWebSocketStream(websocket: WebSocket, options?: import('stream').DuplexOptions): Duplex;

export default WebSocket;

// ---------------------------------------------------------------------------------------------
// Issue 13 (topics, heartbeats, shared compressor): a separate block, merged into the
// declarations above by TypeScript's interface/class declaration merging.

export interface PublishOptions {
  /** Binary frame (default: `data` is not a string). */
  binary?: boolean;
  /** Compress with permessage-deflate where negotiated (default true; threshold as send()). */
  compress?: boolean;
}

export interface PerMessageDeflateOptions {
  /**
   * 'dedicated' (default): a compressor per connection. 'shared': no context takeover (the
   * server answers server_no_context_takeover) and one compressor for every connection.
   */
  compressor?: 'dedicated' | 'shared';
}

export interface ServerOptions {
  /** Seconds without a received byte before a connection is closed (1001) then terminated; 0 = off (default). */
  idleTimeout?: number;
  /** With idleTimeout: a ping after half of it, so a healthy peer's pong keeps it (default true). */
  sendPings?: boolean;
  /** Minutes after which a connection is closed with 1001 "max lifetime"; 0 = off (default). */
  maxLifetime?: number;
  /** publish skips a subscriber with this many bytes buffered (default 16 MiB). */
  backpressureLimit?: number;
  /** Close such a subscriber with 1008 instead of skipping it (default false). */
  closeOnBackpressureLimit?: boolean;
  /**
   * A cross-process adapter (`new RedisPubSub({ url })` from `wsprism/redis`): publish also
   * reaches the subscribers of every server process sharing it. Closed with the server.
   */
  pubsub?: PubSubAdapter;
}

/** The messages of this server's topics, handed to a PubSubAdapter (lib/pubsub.js). */
export interface PubSubHub {
  /** The topics with at least one local subscriber. */
  localTopics(): Iterable<string>;
  /** Writes a message another process published to the local subscribers; returns how many. */
  deliver(topic: string, data: Buffer, binary: boolean, compress: boolean): number;
}

/** What the `pubsub` option takes (RedisPubSub is one). */
export interface PubSubAdapter {
  attach(hub: PubSubHub): void;
  /** `topic` has its first local subscriber. */
  topicAdded(topic: string): void;
  /** `topic` lost its last local subscriber. */
  topicRemoved(topic: string): void;
  /** A message published in this process (already written to its own subscribers). */
  forward(topic: string, data: Buffer, binary: boolean, compress: boolean): void;
  close(): Promise<void>;
}

export interface WebSocket {
  /** Subscribes this server connection to `topic`; false if already subscribed or closed. */
  subscribe(topic: string): boolean;
  /** Ends the subscription; false if there was none. */
  unsubscribe(topic: string): boolean;
  isSubscribed(topic: string): boolean;
  /** The subscribed topics (a new array; empty once closed). */
  readonly topics: string[];
  /** Sends to every subscriber of `topic` on this server but this connection; returns how many. */
  publish(topic: string, data: string | Buffer | ArrayBuffer | ArrayBufferView, options?: PublishOptions): number;
}

export interface WebSocketServer {
  /**
   * Sends to every subscriber of `topic` (framed once); returns how many of this server's it was
   * written to (with `pubsub`, the other processes' subscribers get it too, uncounted).
   */
  publish(topic: string, data: string | Buffer | ArrayBuffer | ArrayBufferView, options?: PublishOptions): number;
  /** Subscribers of `topic` on this server (local even with `pubsub`). */
  subscriberCount(topic: string): number;
}
