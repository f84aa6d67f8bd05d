// The wsprism frame visualizer: the composition root. It loads the engine (the ES module entry
// of wsprism-web, served by server.js under /wsprism-web/), creates one module per panel —
// each owns the elements of its own <section> — and hands each panel the others it sends
// bytes to. Every protocol decision (parsing, masking, validation, compression, handshakes,
// capture files) is made by the engine; the panels only turn its reports into HTML.
// The words come from www/i18n/ (English or Chinese, switched without a reload).
import init from '/wsprism-web/index.js';
import { startI18n, words, onLangChange } from './i18n/index.js';
import { createDecodePanel } from './panels/decode.js';
import { createBuildPanel } from './panels/build.js';
import { createHandshakePanel } from './panels/handshake.js';
import { createStreamPanel } from './panels/stream.js';
import { createCompressPanel } from './panels/compress.js';
import { createLivePanel } from './panels/live.js';
import { createCapturePanel } from './panels/capture.js';
import { createWhyPanel } from './panels/why.js';
import { createLearnPanel } from './panels/learn.js';

const section = (id) => document.getElementById(id);
const TEXT = words('main');
const common = words('common');
const violations = words('violations');

// index.html's own text: found and translated before any panel draws into the page
startI18n();
let status = null;
function say(key, cls, ...args) {
  status = { key, cls, args };
  const s = section('engine-status');
  s.textContent = TEXT[key](...args);
  s.className = 'status ' + cls;
}

function start(W, version) {
  const decode = createDecodePanel(section('decode'), { W, text: words('decode'), common, violations });
  const build = createBuildPanel(section('build'), { W, decode, text: words('build'), common, violations });
  const handshake = createHandshakePanel(section('handshake'), { W, text: words('handshake') });
  const stream = createStreamPanel(section('stream'), { W, text: words('stream'), common });
  const compress = createCompressPanel(section('compress'), { W, decode, text: words('compress') });
  const live = createLivePanel(section('live'), { W, decode, text: words('live') });
  const capture = createCapturePanel(section('capture'), {
    W, decode, build, text: words('capture'), workerUrl: new URL('./capture-worker.js', import.meta.url),
  });
  createWhyPanel(section('why'), { decode, handshake, stream, live });
  const learn = createLearnPanel(section('learn'), { panels: { decode, handshake, stream, compress, live, capture }, text: words('learn') });
  // a language switch: every panel draws its current state again (inputs are kept)
  onLangChange(() => {
    if (status) say(status.key, status.cls, ...status.args);
    for (const p of [decode, build, compress]) p.render();
    for (const p of [handshake, stream, live, capture, learn]) p.refresh();
  });
  say('ready', 'ok', version);
  document.body.setAttribute('data-ready', 'true');
}

// The package's version, for the status line (the ES module entry does not carry it).
const version = fetch('/wsprism-web/package.json').then((r) => (r.ok ? r.json() : {})).then((p) => p.version, () => null);

Promise.all([init(), version]).then(([W, v]) => {
  try {
    start(W, v);
  } catch (e) {
    say('broken', 'bad', e);
    throw e;
  }
}, (e) => say('failed', 'bad', e));
