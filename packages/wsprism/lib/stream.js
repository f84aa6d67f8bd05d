'use strict';

// `createWebSocketStream(ws, options)`: a WebSocket as a Node Duplex stream, with the behaviour
// of `ws` 8's function of that name. Each received message is one chunk read; each chunk
// written is one message sent. Backpressure runs both ways: a full readable buffer pauses the
// WebSocket (its socket stops being read) until the consumer reads again, and a write completes
// when `ws.send` has handed the frame to the socket. Ending the writable side starts the closing
// handshake; the readable side ends when the WebSocket closes; destroying the stream terminates
// the connection (unless the WebSocket is already failing: it sends its own close frame).

const { Duplex } = require('stream');

const CONNECTING = 0;
const CLOSED = 3;

function emitStreamClose(duplex) {
  duplex.emit('close');
}

/** 'end' of the readable side: with the writable side also done, the stream is finished. */
function onDuplexEnd() {
  if (!this.destroyed && this._writableState.finished) this.destroy();
}

/**
 * 'error' on the stream: destroy it. When this listener is the only one, the error is emitted
 * again so that an unhandled stream error still throws, as it would on any stream.
 */
function onDuplexError(err) {
  this.removeListener('error', onDuplexError);
  this.destroy();
  if (this.listenerCount('error') === 0) this.emit('error', err);
}

/**
 * Wraps `ws` in a Duplex stream. `options` go to the Duplex constructor (highWaterMark,
 * encoding, decodeStrings, readableObjectMode, ...); `autoDestroy`, `emitClose` and the object
 * modes of both sides are fixed as `ws` fixes them (with `readableObjectMode`, text messages are
 * read as strings).
 * @param {import('./websocket')} ws
 * @param {import('stream').DuplexOptions} [options]
 * @returns {Duplex}
 */
function createWebSocketStream(ws, options) {
  // A WebSocket that reported an error is already failing the connection (close frame, then
  // FIN): destroying the stream then must not cut it short with terminate().
  let terminateOnDestroy = true;

  const duplex = new Duplex({
    ...options,
    autoDestroy: false,
    emitClose: false,
    objectMode: false,
    writableObjectMode: false
  });

  ws.on('message', (data, isBinary) => {
    const chunk = !isBinary && duplex._readableState.objectMode ? data.toString() : data;
    if (!duplex.push(chunk)) ws.pause();
  });

  ws.once('error', (err) => {
    if (duplex.destroyed) return;
    terminateOnDestroy = false;
    duplex.destroy(err);
  });

  ws.once('close', () => {
    if (duplex.destroyed) return;
    duplex.push(null);
  });

  duplex._destroy = (err, callback) => {
    if (ws.readyState === CLOSED) {
      callback(err);
      process.nextTick(emitStreamClose, duplex);
      return;
    }
    // The stream is destroyed once the connection is gone; an error while it goes (e.g. a
    // handshake that fails) is the destroy error.
    let reported = false;
    ws.once('error', (e) => {
      reported = true;
      callback(e);
    });
    ws.once('close', () => {
      if (!reported) callback(err);
      process.nextTick(emitStreamClose, duplex);
    });
    if (terminateOnDestroy) ws.terminate();
  };

  duplex._final = (callback) => {
    if (ws.readyState === CONNECTING) {
      ws.once('open', () => duplex._final(callback));
      return;
    }
    const socket = ws._socket;
    // A client whose handshake failed never gets a socket: its 'error' destroys the stream.
    if (socket === null || socket === undefined) return;
    if (socket._writableState && socket._writableState.finished) {
      callback();
      if (duplex._readableState.endEmitted) duplex.destroy();
      return;
    }
    // Done when our side of the connection is finished (close frame sent, FIN written); the
    // readable side ends with the WebSocket's 'close'.
    socket.once('finish', () => callback());
    ws.close();
  };

  duplex._read = () => {
    if (ws.isPaused) ws.resume();
  };

  duplex._write = (chunk, encoding, callback) => {
    if (ws.readyState === CONNECTING) {
      ws.once('open', () => duplex._write(chunk, encoding, callback));
      return;
    }
    ws.send(chunk, callback);
  };

  duplex.on('end', onDuplexEnd);
  duplex.on('error', onDuplexError);
  return duplex;
}

module.exports = createWebSocketStream;
