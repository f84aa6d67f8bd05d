// Fan-out (issue 13): one message to 1,000 and 10,000 subscribers, in the same run:
// wsprism's wss.publish, `ws`'s wss.clients.forEach(c => c.send(m)) and Bun's server.publish
// (Bun from scripts/setup/bun-deno.sh), plain and permessage-deflate (wsprism: the shared
// compressor; ws: server_no_context_takeover, compressed per client; Bun: its default).
// Each server runs in its own process (bench/servers/fanout-server.mjs); the subscribers are raw
// sockets in this process that count whole frames. A round: `--msgs` messages of `--size`
// bytes published back to back; its time runs from the command to the last frame received by
// the last subscriber (deliveries/s = subscribers × messages / time). One warm-up round first.
//
//   node bench/fanout.mjs [--subs 1000,10000] [--msgs 20] [--size 256] [--libs wsprism,ws,bun]
import { spawn, execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/args.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const { opt } = parseArgs();
const SUBS = opt('--subs', '1000,10000').split(',').map(Number);
const MSGS = Number(opt('--msgs', 20));
const SIZE = Number(opt('--size', 256));
const LIBS = opt('--libs', 'wsprism,ws,bun').split(',');

let bun = null;
if (LIBS.includes('bun')) {
  bun = execFileSync('bash', [path.join(root, 'scripts/setup/bun-deno.sh')], { encoding: 'utf8' }).split('\n')[0];
}

async function start(lib, deflate) {
  const cmd = lib === 'bun' ? bun : process.execPath;
  const child = spawn(cmd, [path.join(here, 'servers/fanout-server.mjs'), lib, ...(deflate ? ['--deflate'] : [])], {
    stdio: ['pipe', 'pipe', 'inherit']
  });
  let buf = '';
  const waiters = [];
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w(line);
    }
  });
  const line = () => new Promise((r) => waiters.push(r));
  const port = Number((await line()).split(' ')[1]);
  return { child, port, line };
}

/** n raw subscribers; `counter.frames` counts whole frames received by all of them. */
async function subscribe(port, n, deflate, counter) {
  const req = Buffer.from(
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
      (deflate ? 'Sec-WebSocket-Extensions: permessage-deflate\r\n' : '') +
      '\r\n'
  );
  const sockets = [];
  const one = () =>
    new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      sockets.push(s);
      let head = true;
      let buf = Buffer.alloc(0);
      s.on('connect', () => s.write(req));
      s.on('error', reject);
      s.on('data', (chunk) => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        if (head) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          buf = buf.subarray(end + 4);
          head = false;
          resolve();
        }
        let off = 0;
        for (;;) {
          if (buf.length - off < 2) break;
          let len = buf[off + 1] & 0x7f;
          let h = 2;
          if (len === 126) {
            if (buf.length - off < 4) break;
            len = buf.readUInt16BE(off + 2);
            h = 4;
          } else if (len === 127) {
            if (buf.length - off < 10) break;
            len = Number(buf.readBigUInt64BE(off + 2));
            h = 10;
          }
          if (buf.length - off < h + len) break;
          off += h + len;
          counter.frames++;
        }
        buf = buf.subarray(off);
      });
    });
  for (let i = 0; i < n; i += 200) await Promise.all(Array.from({ length: Math.min(200, n - i) }, one));
  return sockets;
}

async function round(s, counter, target) {
  const t0 = performance.now();
  s.child.stdin.write(`pub ${MSGS} ${SIZE}\n`);
  const pub = Number((await s.line()).split(' ')[1]);
  while (counter.frames < target) await new Promise((r) => setImmediate(r));
  return { ms: performance.now() - t0, pubMs: pub };
}

const results = [];
for (const deflate of [false, true]) {
  for (const n of SUBS) {
    for (const lib of LIBS) {
      const s = await start(lib, deflate);
      const counter = { frames: 0 };
      const sockets = await subscribe(s.port, n, deflate, counter);
      await new Promise((r) => setTimeout(r, 300)); // every 'open' handler has subscribed
      await round(s, counter, n * MSGS); // warm-up
      const r = await round(s, counter, 2 * n * MSGS);
      for (const x of sockets) x.destroy();
      s.child.kill('SIGTERM');
      const rate = (n * MSGS) / (r.ms / 1000);
      results.push({ lib, deflate, n, ms: r.ms, pubMs: r.pubMs, rate });
      console.error(`${lib} ${deflate ? 'deflate' : 'plain'} ${n}: ${r.ms.toFixed(1)} ms (server loop ${r.pubMs} ms), ${Math.round(rate)} deliveries/s`);
    }
  }
}
console.log(`# fan-out: ${MSGS} messages of ${SIZE} bytes to N subscribers (end to end, last frame at the last subscriber)`);
console.log('| mode | N | ' + LIBS.map((l) => `${l} deliveries/s`).join(' | ') + ' | wsprism/ws | wsprism/bun |');
console.log('| --- | --- | ' + LIBS.map(() => '---').join(' | ') + ' | --- | --- |');
for (const deflate of [false, true]) {
  for (const n of SUBS) {
    const get = (lib) => results.find((r) => r.lib === lib && r.deflate === deflate && r.n === n);
    const w = get('wsprism');
    const ratio = (l) => (get(l) && w ? (w.rate / get(l).rate).toFixed(2) + 'x' : '-');
    console.log(`| ${deflate ? 'deflate' : 'plain'} | ${n} | ${LIBS.map((l) => Math.round(get(l).rate)).join(' | ')} | ${ratio('ws')} | ${ratio('bun')} |`);
  }
}
