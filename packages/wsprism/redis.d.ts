// Type declarations for wsprism/redis (redis.js, lib/redis.js).
/// <reference types="node" />
import { EventEmitter } from 'events';
import type { PubSubAdapter, PubSubHub } from './lib/websocket';

export interface RedisPubSubOptions {
  /** A redis:// URL (default: node-redis's, redis://localhost:6379). */
  url?: string;
  /**
   * A node-redis client (createClient() from `redis`), connected or not: it publishes, its
   * duplicate() subscribes. Left open by close(). Takes precedence over `url`.
   */
  client?: object;
  /** Prefix of the Redis channel of each topic (default 'wsprism:'): the channel is prefix + topic. */
  channelPrefix?: string;
  /** Bytes of PUBLISHes awaiting Redis's reply beyond which messages are not forwarded (default 16 MiB). */
  maxPendingBytes?: number;
  /** More createClient() options (with `url`), e.g. `socket.reconnectStrategy`. */
  clientOptions?: object;
}

export interface RedisPubSubStats {
  /** PUBLISHes Redis acknowledged. */
  forwarded: number;
  /** Messages published while Redis was not ready, or over maxPendingBytes: local only. */
  notForwarded: number;
  /** PUBLISHes in flight when the connection broke (may or may not have reached Redis). */
  failed: number;
  /** Messages of other processes delivered to this process's subscribers. */
  received: number;
  /** Messages on a subscribed channel that were not wsprism's (dropped). */
  foreign: number;
}

/**
 * The cross-process adapter for WebSocketServer's `pubsub` option, on the `redis` package (an
 * optional peer dependency). One Redis channel per topic, subscribed while this process has a
 * subscriber of it. Delivery is at most once: what is published while Redis is unreachable is
 * delivered locally only.
 */
export declare class RedisPubSub extends EventEmitter implements PubSubAdapter {
  constructor(options?: RedisPubSubOptions);
  /** Both Redis connections are ready. */
  readonly connected: boolean;
  readonly stats: RedisPubSubStats;
  /** Server processes (Redis connections) subscribed to `topic`: PUBSUB NUMSUB, not a count of WebSocket connections. */
  processCount(topic: string): Promise<number>;
  /** Ends the Redis connections (a `client` given in the options stays open). */
  close(): Promise<void>;
  attach(hub: PubSubHub): void;
  topicAdded(topic: string): void;
  topicRemoved(topic: string): void;
  forward(topic: string, data: Buffer, binary: boolean, compress: boolean): void;

  /** Both connections ready (at first, and again after each reconnection). */
  on(event: 'ready' | 'disconnect', listener: () => void): this;
  /** The Redis clients' errors (emitted only while a listener is attached). */
  on(event: 'error', listener: (error: Error) => void): this;
}
