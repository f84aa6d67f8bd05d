'use strict';
// wsprism/redis (CommonJS): RedisPubSub, the cross-process adapter for WebSocketServer's
// `pubsub` option. Needs the `redis` package (an optional peer dependency).
module.exports = require('./lib/redis.js');
