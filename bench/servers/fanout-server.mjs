// Fan-out server for bench/fanout.mjs: `node|bun fanout-server.mjs <wsprism|ws|bun> [--deflate]`.
// Every connection is subscribed to "all" (wsprism, Bun) or tracked (ws). Prints `READY <port>`;
// then each stdin line `pub <count> <size>` publishes <count> messages of <size> bytes
// (wsprism: wss.publish; ws: wss.clients.forEach(c => c.send(m)); Bun: server.publish) and
// prints `PUB <ms>`: the time the server's loop took.
import { createRequire } from 'node:module';
import readline from 'node:readline';

const [lib] = process.argv.slice(2);
const deflate = process.argv.includes('--deflate');
const require = createRequire(import.meta.url);
const msgOf = (size, i) => `${i} `.padEnd(size, 'fan-out message ');
let publish;
let ready;

if (lib === 'bun') {
  const server = globalThis.Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(req, srv) {
      return srv.upgrade(req) ? undefined : new Response('no', { status: 400 });
    },
    websocket: {
      perMessageDeflate: deflate,
      open(ws) {
        ws.subscribe('all');
      },
      message() {}
    }
  });
  publish = (m) => server.publish('all', m, deflate);
  ready = Promise.resolve(server.port);
} else {
  const { WebSocketServer } = lib === 'ws' ? require('ws') : require('../../packages/wsprism');
  const pmd = deflate ? { threshold: 0, ...(lib === 'wsprism' ? { compressor: 'shared' } : { serverNoContextTakeover: true }) } : false;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, backlog: 2048, perMessageDeflate: pmd });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    if (lib === 'wsprism') ws.subscribe('all');
  });
  publish = lib === 'ws' ? (m) => wss.clients.forEach((c) => c.send(m)) : (m) => wss.publish('all', m);
  ready = new Promise((r) => wss.on('listening', () => r(wss.address().port)));
}

ready.then((port) => process.stdout.write(`READY ${port}\n`));
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, count, size] = line.split(' ');
  if (cmd !== 'pub') return;
  const t0 = performance.now();
  for (let i = 0; i < Number(count); i++) publish(msgOf(Number(size), i));
  process.stdout.write(`PUB ${(performance.now() - t0).toFixed(2)}\n`);
});
