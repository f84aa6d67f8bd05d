// Interop with the `ws` npm package, both directions: ws's client against our WebSocketServer and
// our WebSocket client against ws's WebSocketServer, with and without permessage-deflate.
// Every server listens on 127.0.0.1, port 0; every test is bounded in time.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import net from 'node:net';
import crypto from 'node:crypto';
import { withTimeout } from './helpers.mjs';

const require = createRequire(import.meta.url);
const pkg = require('../../packages/wsprism');
const OurServer = pkg.WebSocketServer ?? require('../../packages/wsprism/lib/websocket-server.js');
const OurClient = pkg.WebSocket ?? require('../../packages/wsprism/lib/websocket.js');
const WS = require('ws');
const WsServer = WS.WebSocketServer;
const WsClient = WS.WebSocket;

const HOST = '127.0.0.1';
const T = { timeout: 60_000 };
const MiB = 1024 * 1024;


async function listen(Server, options = {}) {
  const server = new Server({ host: HOST, port: 0, ...options });
  await once(server, 'listening');
  return server;
}

function closeServer(server) {
  return new Promise((resolve) => {
    for (const c of server.clients ?? []) c.terminate();
    server.close(() => resolve());
  });
}

function echo(server) {
  server.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
}

function url(server, path = '/') {
  return `ws://${HOST}:${server.address().port}${path}`;
}

async function open(Client, address, protocols, options) {
  const ws = new Client(address, protocols, options);
  ws.on('error', () => {});
  await withTimeout(once(ws, 'open'), 10_000, `open ${address}`);
  return ws;
}

/** Resolves with the next n messages as [Buffer, isBinary]. */
function nextMessages(ws, n) {
  return new Promise((resolve) => {
    const got = [];
    const onMessage = (data, isBinary) => {
      got.push([Buffer.isBuffer(data) ? data : Buffer.from(data), isBinary]);
      if (got.length === n) {
        ws.off('message', onMessage);
        resolve(got);
      }
    };
    ws.on('message', onMessage);
  });
}

async function closeClient(ws) {
  if (ws.readyState === 3) return;
  const closed = once(ws, 'close');
  ws.close(1000);
  await withTimeout(closed, 10_000, 'close');
}

/** Compressible but not trivially so: random words. */
function textPayload(size) {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'épsilon', 'ζήτα', '日本語', 'ws', 'prism', '🦀'];
  const parts = [];
  let len = 0;
  while (len < size) {
    const w = words[crypto.randomInt(words.length)];
    parts.push(w);
    len += Buffer.byteLength(w) + 1;
  }
  return Buffer.from(parts.join(' ')).subarray(0, size).toString('utf8').replace(/\uFFFD+$/, '');
}

function binaryPayload(size) {
  const b = Buffer.alloc(size);
  // half random, half repetitive so deflate has work of both kinds
  crypto.randomFillSync(b, 0, size >> 1);
  for (let i = size >> 1; i < size; i++) b[i] = i & 0xff;
  return b;
}

/** A client (ours or ws's: same API) exchanges messages with an echo server. */
async function exchange(ws, { big = false } = {}) {
  // text, binary, empty
  const text = 'héllo wörld ' + textPayload(3000);
  const bin = binaryPayload(5000);
  let p = nextMessages(ws, 4);
  ws.send(text);
  ws.send(bin);
  ws.send('');
  ws.send(Buffer.alloc(0));
  let got = await withTimeout(p, 10_000, 'echo of text/binary/empty');
  assert.equal(got[0][0].toString(), text);
  assert.equal(got[0][1], false);
  assert.deepEqual(got[1][0], bin);
  assert.equal(got[1][1], true);
  assert.equal(got[2][0].length, 0);
  assert.equal(got[2][1], false);
  assert.equal(got[3][0].length, 0);
  assert.equal(got[3][1], true);

  // many small messages back to back
  p = nextMessages(ws, 200);
  for (let i = 0; i < 200; i++) ws.send(`m${i}`);
  got = await withTimeout(p, 10_000, 'echo of 200 small messages');
  got.forEach(([d], i) => assert.equal(d.toString(), `m${i}`));

  // fragmented: fin:false, then continuations
  p = nextMessages(ws, 2);
  ws.send('frag-1 ', { fin: false });
  ws.send('frag-2 ', { fin: false });
  ws.send('frag-3', { fin: true });
  const b1 = binaryPayload(2000);
  const b2 = binaryPayload(70000);
  ws.send(b1, { binary: true, fin: false });
  ws.send(b2, { binary: true, fin: true });
  got = await withTimeout(p, 10_000, 'echo of fragmented messages');
  assert.equal(got[0][0].toString(), 'frag-1 frag-2 frag-3');
  assert.equal(got[0][1], false);
  assert.deepEqual(got[1][0], Buffer.concat([b1, b2]));
  assert.equal(got[1][1], true);

  if (big) {
    const t = textPayload(16 * MiB);
    const b = binaryPayload(16 * MiB);
    p = nextMessages(ws, 2);
    ws.send(t);
    ws.send(b);
    got = await withTimeout(p, 40_000, 'echo of 16 MiB messages');
    assert.equal(got[0][0].length, Buffer.byteLength(t));
    assert.ok(got[0][0].equals(Buffer.from(t)), '16 MiB text echoed intact');
    assert.ok(got[1][0].equals(b), '16 MiB binary echoed intact');
  }
}

// permessage-deflate configurations: the same option object for both ends.
const deflateCases = [
  { name: 'no compression', server: false, client: false },
  { name: 'deflate, context takeover', server: true, client: true, big: true },
  {
    name: 'deflate, no context takeover both sides',
    server: { serverNoContextTakeover: true, clientNoContextTakeover: true, threshold: 0 },
    client: { serverNoContextTakeover: true, clientNoContextTakeover: true, threshold: 0 }
  },
  {
    name: 'deflate, window bits 9',
    server: { serverMaxWindowBits: 9, clientMaxWindowBits: 9 },
    client: { serverMaxWindowBits: 9, clientMaxWindowBits: 9 }
  },
  {
    name: 'deflate, window bits 10, no context takeover',
    server: { serverMaxWindowBits: 10, clientMaxWindowBits: 10, serverNoContextTakeover: true },
    client: { serverMaxWindowBits: 10, clientMaxWindowBits: 10, clientNoContextTakeover: true }
  },
  {
    name: 'deflate, window bits 15, level 9',
    server: { serverMaxWindowBits: 15, clientMaxWindowBits: 15, zlibDeflateOptions: { level: 9 } },
    client: { serverMaxWindowBits: 15, clientMaxWindowBits: 15, zlibDeflateOptions: { level: 9 } },
    big: true
  },
  {
    name: 'deflate offered by the client, refused by the server',
    server: false,
    client: true
  }
];

describe('ws client -> wsprism server', () => {
  for (const c of deflateCases) {
    test(c.name, T, async () => {
      const server = await listen(OurServer, { perMessageDeflate: c.server });
      echo(server);
      const conn = once(server, 'connection');
      const ws = await open(WsClient, url(server), [], { perMessageDeflate: c.client });
      const [sws] = await conn;
      const compressed = !!(c.server && c.client);
      assert.equal(ws.extensions.includes('permessage-deflate'), compressed);
      assert.equal(sws.extensions.includes('permessage-deflate'), compressed);
      await exchange(ws, c);
      await closeClient(ws);
      await closeServer(server);
    });
  }
});

describe('wsprism client -> ws server', () => {
  for (const c of deflateCases) {
    test(c.name, T, async () => {
      const server = await listen(WsServer, { perMessageDeflate: c.server, maxPayload: 64 * MiB });
      echo(server);
      const ws = await open(OurClient, url(server), [], { perMessageDeflate: c.client });
      const compressed = !!(c.server && c.client);
      assert.equal(ws.extensions.includes('permessage-deflate'), compressed);
      await exchange(ws, c);
      await closeClient(ws);
      await closeServer(server);
    });
  }
});

describe('wsprism client -> wsprism server', () => {
  test('deflate, 16 MiB, fragmented', T, async () => {
    const server = await listen(OurServer, { perMessageDeflate: true });
    echo(server);
    const ws = await open(OurClient, url(server));
    assert.ok(ws.extensions.includes('permessage-deflate'));
    await exchange(ws, { big: true });
    await closeClient(ws);
    await closeServer(server);
  });
});

// ping/pong with payloads in both directions --------------------------------------------------

async function pingPong(clientWs, serverWs) {
  for (const [from, to] of [
    [clientWs, serverWs],
    [serverWs, clientWs]
  ]) {
    for (const payload of [Buffer.alloc(0), Buffer.from('ping!'), crypto.randomBytes(125)]) {
      const gotPing = once(to, 'ping');
      const gotPong = once(from, 'pong');
      from.ping(payload);
      const [p] = await withTimeout(gotPing, 5000, 'ping');
      assert.deepEqual(Buffer.from(p), payload);
      const [q] = await withTimeout(gotPong, 5000, 'auto pong');
      assert.deepEqual(Buffer.from(q), payload);
    }
    // unsolicited pong
    const gotPong = once(to, 'pong');
    from.pong('unsolicited');
    const [q] = await withTimeout(gotPong, 5000, 'pong');
    assert.equal(Buffer.from(q).toString(), 'unsolicited');
  }
  assert.throws(() => clientWs.ping(Buffer.alloc(126)), RangeError);
}

test('ping/pong with payloads: ws client <-> wsprism server', T, async () => {
  const server = await listen(OurServer);
  const conn = once(server, 'connection');
  const ws = await open(WsClient, url(server));
  const [sws] = await conn;
  await pingPong(ws, sws);
  await closeClient(ws);
  await closeServer(server);
});

test('ping/pong with payloads: wsprism client <-> ws server', T, async () => {
  const server = await listen(WsServer);
  const conn = once(server, 'connection');
  const ws = await open(OurClient, url(server));
  const [sws] = await conn;
  await pingPong(ws, sws);
  await closeClient(ws);
  await closeServer(server);
});

test('autoPong: false leaves pongs to the app', T, async () => {
  const server = await listen(OurServer, { autoPong: false });
  const conn = once(server, 'connection');
  const ws = await open(WsClient, url(server));
  const [sws] = await conn;
  let pongs = 0;
  ws.on('pong', () => pongs++);
  const gotPing = once(sws, 'ping');
  ws.ping('x');
  await withTimeout(gotPing, 5000, 'ping');
  // a round trip later, still no pong
  const echoed = once(ws, 'message');
  sws.send('after');
  await withTimeout(echoed, 5000, 'message');
  assert.equal(pongs, 0);
  await closeClient(ws);
  await closeServer(server);
});

// close codes -------------------------------------------------------------------------------------

const closeCodes = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
  3000, 3001, 3999, 4000, 4321, 4998, 4999];

describe('every valid close code, with a reason', () => {
  test('ws client closes, wsprism server reports and echoes', T, async () => {
    const server = await listen(OurServer);
    for (const code of closeCodes) {
      const reason = `bye ${code} ✓`;
      const conn = once(server, 'connection');
      const ws = await open(WsClient, url(server));
      const [sws] = await conn;
      const serverClosed = once(sws, 'close');
      const clientClosed = once(ws, 'close');
      ws.close(code, reason);
      const [sc, sr] = await withTimeout(serverClosed, 5000, `server close ${code}`);
      const [cc, cr] = await withTimeout(clientClosed, 5000, `client close ${code}`);
      assert.equal(sc, code);
      assert.equal(sr.toString(), reason);
      assert.ok(Buffer.isBuffer(sr));
      assert.equal(cc, code); // the server echoes the code
      assert.equal(cr.toString(), reason);
    }
    await closeServer(server);
  });

  test('wsprism client closes, ws server reports', T, async () => {
    const server = await listen(WsServer);
    for (const code of closeCodes) {
      const reason = `bye ${code} ✓`;
      const conn = once(server, 'connection');
      const ws = await open(OurClient, url(server));
      const [sws] = await conn;
      const serverClosed = once(sws, 'close');
      const clientClosed = once(ws, 'close');
      ws.close(code, reason);
      const [sc, sr] = await withTimeout(serverClosed, 5000, `server close ${code}`);
      const [cc, cr] = await withTimeout(clientClosed, 5000, `client close ${code}`);
      assert.equal(sc, code);
      assert.equal(sr.toString(), reason);
      assert.equal(cc, code);
      assert.equal(cr.toString(), reason);
      assert.equal(ws.readyState, OurClient.CLOSED);
    }
    await closeServer(server);
  });

  test('wsprism server closes, ws client reports', T, async () => {
    const server = await listen(OurServer);
    for (const code of [1000, 1001, 1011, 3000, 4999]) {
      const conn = once(server, 'connection');
      const ws = await open(WsClient, url(server));
      const [sws] = await conn;
      const clientClosed = once(ws, 'close');
      const serverClosed = once(sws, 'close');
      sws.close(code, 'server says bye');
      const [cc, cr] = await withTimeout(clientClosed, 5000, 'client close');
      assert.equal(cc, code);
      assert.equal(cr.toString(), 'server says bye');
      const [sc] = await withTimeout(serverClosed, 5000, 'server close');
      assert.equal(sc, code);
    }
    await closeServer(server);
  });

  test('close without a code is 1005 on both sides', T, async () => {
    const server = await listen(OurServer);
    const conn = once(server, 'connection');
    const ws = await open(WsClient, url(server));
    const [sws] = await conn;
    const serverClosed = once(sws, 'close');
    const clientClosed = once(ws, 'close');
    ws.close();
    assert.equal((await withTimeout(serverClosed, 5000, 'server close'))[0], 1005);
    assert.equal((await withTimeout(clientClosed, 5000, 'client close'))[0], 1005);
    await closeServer(server);
  });

  test('invalid close codes and long reasons throw', T, async () => {
    const server = await listen(WsServer);
    const ws = await open(OurClient, url(server));
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
      assert.throws(() => ws.close(code), (e) => e instanceof RangeError || e instanceof TypeError, `code ${code}`);
    }
    assert.throws(() => ws.close(1000, 'x'.repeat(124)), RangeError);
    assert.equal(ws.readyState, OurClient.OPEN);
    await closeClient(ws);
    await closeServer(server);
  });
});

// handshake ---------------------------------------------------------------------------------------

describe('handshake', () => {
  test('subprotocol selection: ws client -> wsprism server', T, async () => {
    const server = await listen(OurServer, {
      handleProtocols: (protocols, req) => {
        assert.ok(protocols instanceof Set);
        assert.ok(req.headers);
        return protocols.has('chat.v2') ? 'chat.v2' : false;
      }
    });
    const ws = await open(WsClient, url(server), ['chat.v1', 'chat.v2']);
    assert.equal(ws.protocol, 'chat.v2');
    await closeClient(ws);
    // no acceptable protocol: no header, ws's client then fails ("Server sent no subprotocol")
    const ws2 = new WsClient(url(server), ['other']);
    const [err] = await withTimeout(once(ws2, 'error'), 5000, 'error');
    assert.match(err.message, /no subprotocol/);
    // default: the first one
    const server2 = await listen(OurServer);
    const ws3 = await open(WsClient, url(server2), ['first', 'second']);
    assert.equal(ws3.protocol, 'first');
    await closeClient(ws3);
    await closeServer(server);
    await closeServer(server2);
  });

  test('subprotocol selection: wsprism client -> ws server', T, async () => {
    const server = await listen(WsServer, { handleProtocols: (ps) => (ps.has('b') ? 'b' : false) });
    const ws = await open(OurClient, url(server), ['a', 'b']);
    assert.equal(ws.protocol, 'b');
    await closeClient(ws);
    const ws2 = await open(OurClient, url(server));
    assert.equal(ws2.protocol, '');
    await closeClient(ws2);
    assert.throws(() => new OurClient(url(server), ['a', 'a']), SyntaxError);
    await closeServer(server);
  });

  test('verifyClient: sync and async rejection', T, async () => {
    const sync = await listen(OurServer, {
      verifyClient: (info) => info.req.headers['x-token'] === 'ok'
    });
    const bad = new WsClient(url(sync));
    const [res] = await withTimeout(once(bad, 'unexpected-response').then(([, r]) => [r]), 5000, '401');
    assert.equal(res.statusCode, 401);
    res.resume();
    bad.on('error', () => {});
    bad.terminate();
    const good = await open(WsClient, url(sync), [], { headers: { 'x-token': 'ok' } });
    await closeClient(good);

    const asyncServer = await listen(OurServer, {
      verifyClient: (info, cb) =>
        setTimeout(() => (info.origin === 'https://good.example' ? cb(true) : cb(false, 403, 'Go away', { 'X-Why': 'origin' })), 10)
    });
    const bad2 = new OurClient(url(asyncServer), [], { origin: 'https://evil.example' });
    const [, res2] = await withTimeout(once(bad2, 'unexpected-response'), 5000, '403');
    assert.equal(res2.statusCode, 403);
    assert.equal(res2.headers['x-why'], 'origin');
    res2.resume();
    bad2.terminate();
    const good2 = await open(OurClient, url(asyncServer), [], { origin: 'https://good.example' });
    await closeClient(good2);
    // without an 'unexpected-response' listener our client reports an error, then close 1006
    const bad3 = new OurClient(url(asyncServer));
    const errors = [];
    bad3.on('error', (e) => errors.push(e));
    const code = await withTimeout(new Promise((r) => bad3.on('close', r)), 5000, 'close');
    assert.equal(code, 1006);
    assert.match(errors[0].message, /Unexpected server response: 403/);
    await closeServer(sync);
    await closeServer(asyncServer);
  });

  test('path mismatch -> 400', T, async () => {
    const server = await listen(OurServer, { path: '/chat' });
    const ok = await open(WsClient, url(server, '/chat?room=1'));
    await closeClient(ok);
    const bad = new WsClient(url(server, '/other'));
    const [, res] = await withTimeout(once(bad, 'unexpected-response'), 5000, '400');
    assert.equal(res.statusCode, 400);
    res.resume();
    bad.on('error', () => {});
    bad.terminate();
    await closeServer(server);
  });

  async function rawRequest(port, head) {
    const sock = net.connect(port, HOST);
    sock.on('error', () => {});
    await once(sock, 'connect');
    sock.write(head);
    const chunks = [];
    sock.on('data', (c) => chunks.push(c));
    await withTimeout(once(sock, 'close'), 5000, 'server closes the rejected connection');
    return Buffer.concat(chunks).toString('latin1');
  }

  const goodHead = (extra = {}) => {
    const h = {
      Host: `${HOST}`,
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version': '13',
      ...extra
    };
    return (
      'GET / HTTP/1.1\r\n' +
      Object.entries(h)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('') +
      '\r\n'
    );
  };

  test('bad version -> 400 with Sec-WebSocket-Version: 13, 8; bad key -> 400; plain HTTP -> 426', T, async () => {
    const server = await listen(OurServer);
    const port = server.address().port;
    let r = await rawRequest(port, goodHead({ 'Sec-WebSocket-Version': '12' }));
    assert.match(r, /^HTTP\/1\.1 400 /);
    assert.match(r, /\r\nSec-WebSocket-Version: 13, 8\r\n/i);
    r = await rawRequest(port, goodHead({ 'Sec-WebSocket-Key': 'short' }));
    assert.match(r, /^HTTP\/1\.1 400 /);
    r = await rawRequest(port, goodHead({ 'Sec-WebSocket-Version': null }));
    assert.match(r, /^HTTP\/1\.1 400 /);
    r = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.match(r, /^HTTP\/1\.1 426 /);
    // and a good one gets the RFC's accept value
    const sock = net.connect(port, HOST);
    await once(sock, 'connect');
    sock.write(goodHead());
    const [data] = await withTimeout(once(sock, 'data'), 5000, '101');
    assert.match(data.toString('latin1'), /^HTTP\/1\.1 101 /);
    assert.match(data.toString('latin1'), /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
    sock.destroy();
    await closeServer(server);
  });

  test("'headers' event, clientTracking, noServer + handleUpgrade, server.close()", T, async () => {
    const http = await import('node:http');
    const httpServer = http.createServer((req, res) => res.end('plain'));
    const wss = new OurServer({ noServer: true });
    wss.on('headers', (headers) => headers.push('X-Hello: world'));
    httpServer.on('upgrade', (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
    echo(wss);
    await new Promise((r) => httpServer.listen(0, HOST, r));
    const ws = new WsClient(`ws://${HOST}:${httpServer.address().port}/`);
    const upgraded = once(ws, 'upgrade');
    const opened = once(ws, 'open');
    const [res] = await withTimeout(upgraded, 5000, 'upgrade');
    assert.equal(res.headers['x-hello'], 'world');
    await withTimeout(opened, 5000, 'open');
    assert.equal(wss.clients.size, 1);
    const p = nextMessages(ws, 1);
    ws.send('via noServer');
    assert.equal((await p)[0][0].toString(), 'via noServer');
    const wssClosed = new Promise((r) => wss.close(r));
    await closeClient(ws);
    await withTimeout(wssClosed, 5000, 'wss close after last client');
    assert.equal(wss.clients.size, 0);
    await new Promise((r) => httpServer.close(r));
  });

  test('server option with a shared http.Server; DOM-style events on our client', T, async () => {
    const http = await import('node:http');
    const httpServer = http.createServer();
    const wss = new OurServer({ server: httpServer });
    echo(wss);
    await new Promise((r) => httpServer.listen(0, HOST, r));
    const ws = new OurClient(`ws://${HOST}:${httpServer.address().port}/`);
    ws.binaryType = 'arraybuffer';
    const events = [];
    ws.onopen = () => {
      events.push('open');
      ws.send('text');
      ws.send(new Uint8Array([1, 2, 3]));
    };
    const done = new Promise((resolve) => {
      ws.addEventListener('message', (ev) => {
        events.push(typeof ev.data === 'string' ? `text:${ev.data}` : `ab:${new Uint8Array(ev.data).join(',')}`);
        if (events.length === 3) ws.close(1000, 'done');
      });
      ws.onclose = (ev) => {
        events.push(`close:${ev.code}:${ev.reason}:${ev.wasClean}`);
        resolve();
      };
    });
    await withTimeout(done, 5000, 'DOM events');
    assert.deepEqual(events, ['open', 'text:text', 'ab:1,2,3', 'close:1000:done:true']);
    await new Promise((r) => wss.close(r));
    await new Promise((r) => httpServer.close(r));
  });
});

// send callbacks and bufferedAmount ---------------------------------------------------------------

test('send callbacks, bufferedAmount and drain', T, async () => {
  const server = await listen(WsServer);
  let received = 0;
  server.on('connection', (sws) => {
    sws.pause(); // do not read: our writes back up
    sws.on('message', () => received++);
    setTimeout(() => sws.resume(), 300);
  });
  const ws = await open(OurClient, url(server));
  const chunk = Buffer.alloc(1 * MiB, 7);
  let acked = 0;
  let sawBuffered = 0;
  for (let i = 0; i < 16; i++) {
    ws.send(chunk, (err) => {
      assert.ifError(err);
      acked++;
    });
    sawBuffered = Math.max(sawBuffered, ws.bufferedAmount);
  }
  assert.ok(sawBuffered > 0, 'bufferedAmount reflects queued bytes');
  await withTimeout(once(ws, 'drain'), 10_000, 'drain');
  while (acked < 16) await new Promise((r) => setTimeout(r, 20));
  assert.equal(ws.bufferedAmount, 0);
  await closeClient(ws);
  assert.equal(received, 16);
  // after close: callback gets an error, no throw
  const err = await new Promise((resolve) => ws.send('late', resolve));
  assert.match(err.message, /not open/);
  await closeServer(server);
});

after(() => {
  // nothing global to clean up: every test closes its servers
});
