#!/usr/bin/env node
'use strict';
// The wsprism demo server (`npm start`): serves the frame visualizer (www/) and the browser
// package (packages/wsprism-web/ under /wsprism-web/), plus two WebSocket endpoints built on the
// Node package's WebSocketServer:
//   /demo?session=S  an echo server with permessage-deflate on ("/ping" makes it ping you,
//                    "/close" makes it close the connection)
//   /tap?session=S   a side channel: every byte the server received from and wrote to the /demo
//                    connection of the same session, as JSON messages { dir, phase, hex, t }
// Listens on 127.0.0.1 only. Port: --port N, or PORT, default 8080 (a free port if busy; 0 = any).
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { WebSocketServer } = require('../packages/wsprism');

const ROOT = __dirname;
const WEB_PKG = path.join(__dirname, '..', 'packages', 'wsprism-web');
const HOST = '127.0.0.1';

function parsePort() {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port' && args[i + 1] !== undefined) return { port: Number(args[i + 1]), explicit: true };
    const m = /^--port=(\d+)$/.exec(args[i]);
    if (m) return { port: Number(m[1]), explicit: true };
  }
  if (process.env.PORT !== undefined && process.env.PORT !== '') return { port: Number(process.env.PORT), explicit: true };
  return { port: 8080, explicit: false };
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.md': 'text/markdown; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8'
};

function send(res, status, body, type) {
  res.writeHead(status, { 'Content-Type': type || 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
  res.end(body);
}

function serveFile(res, base, rel, method) {
  const file = path.resolve(base, '.' + path.posix.normalize('/' + rel));
  if (!file.startsWith(base + path.sep) && file !== base) return send(res, 403, 'forbidden\n');
  if (file === __filename) return send(res, 404, 'not found\n');
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) return send(res, 404, 'not found\n');
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream',
      'Content-Length': st.size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff'
    });
    if (method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  });
}

function onRequest(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    return send(res, 400, 'bad request\n');
  }
  if (pathname.includes('\0')) return send(res, 400, 'bad request\n');
  if (pathname === '/') pathname = '/index.html';
  if (pathname.startsWith('/wsprism-web/')) return serveFile(res, WEB_PKG, pathname.slice('/wsprism-web'.length), req.method);
  return serveFile(res, ROOT, pathname, req.method);
}

// ------------------------------------------------------------------ side channel

const sessions = new Map(); // session id -> { tap: WebSocket | null, pending: [] }

function session(id) {
  let s = sessions.get(id);
  if (!s) {
    s = { tap: null, pending: [], demo: 0 };
    sessions.set(id, s);
  }
  return s;
}

function report(id, msg) {
  const s = sessions.get(id);
  if (!s) return;
  const text = JSON.stringify(msg);
  if (s.tap && s.tap.readyState === 1) s.tap.send(text);
  else if (s.pending.length < 1000) s.pending.push(text);
}

function dropIfIdle(id) {
  const s = sessions.get(id);
  if (s && !s.tap && s.demo === 0) sessions.delete(id);
}

// The request head as it came (Node's parser consumed it; rawHeaders keeps names and order).
function rawHead(req) {
  let head = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  for (let i = 0; i < req.rawHeaders.length; i += 2) head += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
  return Buffer.from(head + '\r\n', 'latin1');
}

// Records every byte the socket receives and every byte written to it, before the library sees
// (and unmasks in place) the received chunks. Demo server only: this is not an API of wsprism.
function tapSocket(id, req, socket, head) {
  let phase = 'handshake';
  const t0 = Date.now();
  const emit = (dir, buf, ph) =>
    report(id, { type: 'bytes', dir, phase: ph || phase, hex: buf.toString('hex'), t: Date.now() - t0 });
  emit('in', rawHead(req), 'handshake');
  if (head && head.length) emit('in', Buffer.from(head), 'frames');
  socket.on('data', (chunk) => emit('in', Buffer.from(chunk), 'frames')); // registered first: runs first
  const write = socket.write;
  socket.write = function (chunk, encoding, cb) {
    if (chunk != null) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(chunk);
      emit('out', buf);
      if (phase === 'handshake') phase = 'frames';
    }
    return write.apply(this, arguments);
  };
  const end = socket.end;
  socket.end = function (chunk, encoding) {
    if (chunk != null && typeof chunk !== 'function') {
      emit('out', typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(chunk));
    }
    return end.apply(this, arguments);
  };
  socket.once('close', () => report(id, { type: 'closed', t: Date.now() - t0 }));
}

const demo = new WebSocketServer({ noServer: true, perMessageDeflate: { threshold: 0 }, maxPayload: 1 << 20 });
const tap = new WebSocketServer({ noServer: true, perMessageDeflate: false });

demo.on('connection', (ws) => {
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      const text = data.toString();
      if (text === '/ping') return ws.ping('are you there?');
      if (text === '/close') return ws.close(1000, 'bye');
    }
    ws.send(data, { binary: isBinary });
  });
});

tap.on('connection', (ws, req, id) => {
  ws.on('error', () => {});
  const s = session(id);
  if (s.tap) s.tap.close(1008, 'another tap took over');
  s.tap = ws;
  ws.send(JSON.stringify({ type: 'hello', session: id }));
  for (const m of s.pending.splice(0)) ws.send(m);
  ws.on('close', () => {
    if (s.tap === ws) s.tap = null;
    dropIfIdle(id);
  });
});

function onUpgrade(req, socket, head) {
  let url;
  try {
    url = new URL(req.url, 'http://x');
  } catch {
    return socket.destroy();
  }
  const id = (url.searchParams.get('session') || '').slice(0, 64);
  if (url.pathname === '/demo' && id) {
    const s = session(id);
    s.demo++;
    socket.once('close', () => {
      s.demo--;
      dropIfIdle(id);
    });
    tapSocket(id, req, socket, head);
    demo.handleUpgrade(req, socket, head, (ws) => demo.emit('connection', ws, req));
  } else if (url.pathname === '/tap' && id) {
    tap.handleUpgrade(req, socket, head, (ws) => tap.emit('connection', ws, req, id));
  } else {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  }
}

function start(port, explicit) {
  const server = http.createServer(onRequest);
  server.on('upgrade', onUpgrade);
  server.on('clientError', (err, socket) => socket.destroy());
  server.once('error', (err) => {
    if (err.code === 'EADDRINUSE' && port !== 0) {
      console.error(`port ${port} is busy${explicit ? '' : ' (default)'}: using a free port instead`);
      return start(0, explicit);
    }
    console.error(`cannot listen on ${HOST}:${port}: ${err.message}`);
    process.exit(1);
  });
  server.listen(port, HOST, () => {
    const addr = server.address();
    console.log(`wsprism visualizer: http://${HOST}:${addr.port}/`);
    console.log(`  demo WebSocket: ws://${HOST}:${addr.port}/demo?session=ID  side channel: ws://${HOST}:${addr.port}/tap?session=ID`);
    console.log('  Ctrl-C to stop');
  });
  const stop = () => {
    server.close();
    for (const c of demo.clients) c.terminate();
    for (const c of tap.clients) c.terminate();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}

const { port, explicit } = parsePort();
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid port: ${port}`);
  process.exit(2);
}
start(port, explicit);
