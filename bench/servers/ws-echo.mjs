// Echo server on the `ws` package (bench/node_modules), for bench/e2e.mjs.
// `node ws-echo.mjs [--deflate] [--port 0]`: prints `READY <port> bufferutil=<bool>` once
// listening. ws loads bufferutil and utf-8-validate when they are installed; run with
// WS_NO_BUFFER_UTIL=1 WS_NO_UTF_8_VALIDATE=1 for ws without its native addons. Same settings
// as wsprism-echo.mjs: threshold 0, default windows, context takeover, zlib's default level.
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { answerGcRequests } from '../lib/gc-requests.mjs';

const require = createRequire(import.meta.url);
const { WebSocketServer } = require('ws');
const args = process.argv.slice(2);
const deflate = args.includes('--deflate');
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;
let bufferutil = false;
if (!process.env.WS_NO_BUFFER_UTIL) {
  try {
    require('bufferutil');
    bufferutil = true;
  } catch {
    bufferutil = false;
  }
}

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  backlog: 2048,
  perMessageDeflate: deflate ? { threshold: 0 } : false
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
wss.on('listening', () =>
  process.stdout.write(`READY ${wss.address().port} bufferutil=${bufferutil}\n`)
);
process.on('SIGTERM', () => process.exit(0));
answerGcRequests();
// For tools/heapsnapshot-diff.mjs: `kill -USR2 PID` writes a heap snapshot to the temp directory.
process.on('SIGUSR2', () => {
  const file = path.join(os.tmpdir(), `${path.basename(import.meta.url, '.mjs')}-${process.pid}-${Date.now()}.heapsnapshot`);
  process.stderr.write(`heap snapshot: ${v8.writeHeapSnapshot(file)}\n`);
});
