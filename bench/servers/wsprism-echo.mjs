// Echo server on the wsprism Node package (WebSocketServer from packages/wsprism), for
// bench/e2e.mjs. `node wsprism-echo.mjs [--deflate [--compressor shared]] [--port 0]`: prints `READY <port>` once
// listening. Every message goes back as it came (same type); with --deflate, permessage-deflate
// is on with the settings the ws server uses too: threshold 0 (compress every message),
// default windows (15 bits), context takeover, zlib's default level.
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { answerGcRequests } from '../lib/gc-requests.mjs';

const require = createRequire(import.meta.url);
const { WebSocketServer } = require('../../packages/wsprism');
const args = process.argv.slice(2);
const deflate = args.includes('--deflate');
// --compressor shared|dedicated (with --deflate): perMessageDeflate.compressor
const compArg = args.indexOf('--compressor');
const compressor = compArg >= 0 ? args[compArg + 1] : undefined;
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  backlog: 2048,
  perMessageDeflate: deflate ? { threshold: 0, ...(compressor ? { compressor } : {}) } : false
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
wss.on('listening', () => process.stdout.write(`READY ${wss.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
answerGcRequests();
// For tools/heapsnapshot-diff.mjs: `kill -USR2 PID` writes a heap snapshot to the temp directory.
process.on('SIGUSR2', () => {
  const file = path.join(os.tmpdir(), `${path.basename(import.meta.url, '.mjs')}-${process.pid}-${Date.now()}.heapsnapshot`);
  process.stderr.write(`heap snapshot: ${v8.writeHeapSnapshot(file)}\n`);
});
