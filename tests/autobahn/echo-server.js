'use strict';
// Autobahn|Testsuite target (fuzzingclient mode): a wsprism WebSocketServer echoing every message,
// permessage-deflate enabled, on 127.0.0.1. Prints "listening <port>" on stdout once ready.
//   node tests/autobahn/echo-server.js [port]     (port 0 or omitted: any free port)
const path = require('path');
const pkgDir = path.resolve(__dirname, '../../packages/wsprism');
const pkg = require(pkgDir);
const WebSocketServer = pkg.WebSocketServer || require(path.join(pkgDir, 'lib/websocket-server.js'));

const port = Number(process.argv[2] || 0);
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  perMessageDeflate: { threshold: 0 },
  maxPayload: 64 * 1024 * 1024 // 9.* sends up to 16 MiB
});

wss.on('connection', (ws) => {
  ws.on('error', () => {}); // protocol errors close the connection; Autobahn checks the code
  ws.on('message', (data, isBinary) => {
    ws.send(data, { binary: isBinary });
  });
});
wss.on('listening', () => {
  process.stdout.write(`listening ${wss.address().port}\n`);
});
wss.on('error', (err) => {
  console.error(`echo-server: ${err.message}`);
  process.exit(1);
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of wss.clients) c.terminate();
    wss.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
