// wsprism/redis (ESM entry): the same as redis.js (CommonJS), re-exported.
import redis from './redis.js';

export const { RedisPubSub } = redis;
export default redis;
