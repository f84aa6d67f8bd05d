// The wsprism frame visualizer: the composition root. It loads the engine (the ES module entry
// of wsprism-web, served by server.js under /wsprism-web/), creates one module per panel —
// each owns the elements of its own <section> — and hands each panel the others it sends
// bytes to. Every protocol decision (parsing, masking, validation, compression, handshakes,
// capture files) is made by the engine; the panels only turn its reports into HTML.
import init from '/wsprism-web/index.js';
import { errText } from './lib/format.js';
import { createDecodePanel } from './panels/decode.js';
import { createBuildPanel } from './panels/build.js';
import { createHandshakePanel } from './panels/handshake.js';
import { createStreamPanel } from './panels/stream.js';
import { createCompressPanel } from './panels/compress.js';
import { createLivePanel } from './panels/live.js';
import { createCapturePanel } from './panels/capture.js';
import { createWhyPanel } from './panels/why.js';

/** The page's own words (English). */
export const TEXT = {
  ready: (version) => 'Engine ready: wsprism-web ' + (version ? version + ' ' : '') + '(WebAssembly).',
  failed: (e) => 'The engine failed to start: ' + errText(e) + '. Run `npm start` (it builds packages/wsprism-web) and open the URL it prints.',
  broken: (e) => 'The page failed to start: ' + errText(e),
};

const section = (id) => document.getElementById(id);

function start(W, version) {
  const decode = createDecodePanel(section('decode'), { W });
  const build = createBuildPanel(section('build'), { W, decode });
  const handshake = createHandshakePanel(section('handshake'), { W });
  const stream = createStreamPanel(section('stream'), { W });
  createCompressPanel(section('compress'), { W, decode });
  const live = createLivePanel(section('live'), { W, decode });
  createCapturePanel(section('capture'), { W, decode, build, workerUrl: new URL('./capture-worker.js', import.meta.url) });
  createWhyPanel(section('why'), { decode, handshake, stream, live });
  const status = section('engine-status');
  status.textContent = TEXT.ready(version);
  status.className = 'status ok';
  document.body.setAttribute('data-ready', 'true');
}

// The package's version, for the status line (the ES module entry does not carry it).
const version = fetch('/wsprism-web/package.json').then((r) => (r.ok ? r.json() : {})).then((p) => p.version, () => null);

function fail(words) {
  const status = section('engine-status');
  status.textContent = words;
  status.className = 'status bad';
}

Promise.all([init(), version]).then(([W, v]) => {
  try {
    start(W, v);
  } catch (e) {
    fail(TEXT.broken(e));
    throw e;
  }
}, (e) => fail(TEXT.failed(e)));
