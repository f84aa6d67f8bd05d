'use strict';
// Drives Autobahn|Testsuite's fuzzingserver with the wsprism WebSocket client:
// getCaseCount, then runCase 1..N (echoing every message), then updateReports.
//   node tests/autobahn/client-runner.js ws://127.0.0.1:9001 [agent]
// Each case is bounded in time (WSPRISM_AB_CASE_TIMEOUT ms, default 120000).
const path = require('path');
const pkgDir = path.resolve(__dirname, '../../packages/wsprism');
const pkg = require(pkgDir);
const WebSocket = pkg.WebSocket || require(path.join(pkgDir, 'lib/websocket.js'));

const base = (process.argv[2] || 'ws://127.0.0.1:9001').replace(/\/$/, '');
const agent = process.argv[3] || 'wsprism';
const caseTimeout = Number(process.env.WSPRISM_AB_CASE_TIMEOUT || 120000);

function connect(url, onMessage) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, [], { maxPayload: 64 * 1024 * 1024, perMessageDeflate: true });
    let settled = false;
    const timer = setTimeout(() => {
      if (!settled) {
        console.error(`timeout: ${url}`);
        ws.terminate();
      }
    }, caseTimeout);
    ws.on('error', () => {}); // Autobahn checks how we close; nothing to report here
    ws.on('message', (data, isBinary) => onMessage(ws, data, isBinary));
    ws.on('close', (code) => {
      settled = true;
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function main() {
  let count = 0;
  await connect(`${base}/getCaseCount`, (ws, data) => {
    count = Number(data.toString());
  });
  if (!Number.isInteger(count) || count <= 0) throw new Error(`bad case count ${count}`);
  console.log(`autobahn client: ${count} cases`);
  const started = Date.now();
  for (let i = 1; i <= count; i++) {
    await connect(`${base}/runCase?case=${i}&agent=${encodeURIComponent(agent)}`, (ws, data, isBinary) => {
      ws.send(data, { binary: isBinary });
    });
    if (i % 50 === 0) console.log(`autobahn client: ${i}/${count} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  await connect(`${base}/updateReports?agent=${encodeURIComponent(agent)}`, () => {});
  console.log(`autobahn client: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(`client-runner: ${err.stack || err}`);
  process.exit(1);
});
