// Panel 7, "Open a capture": a pcap, pcapng or HAR file decoded off the page's thread by
// capture-worker.js (wsprism-web's openCapture): the file's connections, then one
// connection's frames or messages as a virtual list (only the rows in view are in the DOM, so
// a connection with hundreds of thousands of frames scrolls like a short one), then a frame
// in panel 1 with the frames it depends on. A HAR message (no wire bytes) is rebuilt in panel 2.
import { el, clear, elements, stack, show } from '../lib/dom.js';
import { spaced } from '../lib/hex.js';
import { errText, mb, plural } from '../lib/format.js';
import { makeExampleCapture } from './capture-example.js';

/** The panel's words (English). */
export const TEXT = {
  workerStart: (why) => 'this page cannot start a module worker here (' + why + '): open it from `npm start`',
  workerFailed: (why) => 'the capture worker failed' + (why ? ': ' + why : '') + ' (is this page served by `npm start`?)',
  cancelled: 'cancelled',
  reading: (name, size) => 'Reading ' + name + ' (' + mb(size) + ')…',
  decoding: (name, size) => 'Decoding ' + name + ' (' + mb(size) + ') in a background worker…',
  progress: (name, note) => 'Decoding ' + name + ': ' + note,
  cannotRead: (name, e) => 'Cannot read ' + name + ': ' + errText(e),
  tooBig: (maxBytes) => 'The file is too big for this page\'s WebAssembly memory (at most 4 GB: the file itself, plus a small record and up to ' + (maxBytes || 'all') + ' bytes for each frame and message). ' +
    'Choose fewer "Bytes kept per frame", or cut the capture into smaller files first (e.g. editcap -c 1000000 in.pcap out.pcap), or read it with the command line: wsprism capture FILE.',
  notCapture: 'A capture must be a pcap or pcapng file (as saved by Wireshark or tcpdump) or a HAR file (exported from a browser\'s network panel). Try another file: the rest of the page is unaffected.',
  seconds: (s) => s + ' s',
  stopped: (name) => 'Stopped: ' + name + ' was not read.',
  theFile: 'the file',
  exampleFailed: (e) => 'Could not build the example: ' + errText(e),
  fromHar: 'from HAR',
  notSeen: '✗ not seen',
  wrongAccept: ' (wrong accept)',
  summary: (s, n) => s.name + ': ' + s.format + ', ' + mb(s.bytes) + ', ' + (s.format === 'har' ? plural(s.packets, 'entry', 'entries') : plural(s.packets, 'packet')) +
    ' → ' + plural(n, 'WebSocket connection') + ' (decoded in ' + (s.ms / 1000).toFixed(2) + ' s' + (s.format === 'har' ? '' : ', ' + (s.maxBytes ? s.maxBytes + ' bytes kept per frame' : 'every byte kept')) + ').',
  otherTcp: (n) => plural(n, 'other TCP connection') + ' (plain HTTP, TLS…) not listed: no WebSocket in ' + (n === 1 ? 'it' : 'them'),
  skipped: (n) => plural(n, 'packet') + ' without a TCP segment skipped (ARP, UDP, DNS, IP fragments…)',
  linkTypes: (list) => 'link type' + (list.length > 1 ? 's ' : ' ') + list.join(', '),
  atPacket: (p) => ' (packet ' + (p + 1) + ')',
  noWebSocket: (other) => 'No WebSocket connection in this file: no HTTP upgrade was found' + (other ? ' in its ' + plural(other, 'TCP connection') : '') + ', and no TCP stream looked like WebSocket frames. ' +
    'Was the traffic encrypted (wss://, TLS)? A capture of TLS traffic shows only ciphertext; capture before TLS (e.g. on the server side of a proxy) or export a HAR from the browser instead.',
  connsCaption: (name) => 'WebSocket connections in ' + name,
  connHeads: ['#', 'client', 'server', 'handshake', 'subprotocol', 'extensions', 'frames', 'messages', 'errors', ''],
  moreConns: (page, left) => 'Show ' + page + ' more connections (' + left + ' not shown)',
  openConn: (c) => 'Open connection ' + (c.id + 1) + ': ' + c.client + ' to ' + c.server,
  frames: 'Frames',
  messages: 'Messages',
  connHeading: (c) => 'Connection ' + (c.id + 1) + ': ' + (c.client || 'the browser') + ' → ' + (c.server || '?'),
  kv: {
    time: 'time', request: 'request', response: 'response', subprotocol: 'subprotocol', extensions: 'extensions', compression: 'compression',
    handshake: 'handshake', tcpC2s: 'TCP client → server', tcpS2c: 'TCP server → client', cut: 'cut frames',
  },
  duration: (s) => ', ' + s.toFixed(3) + ' s long',
  acceptMatches: ' — Sec-WebSocket-Accept matches the key ✓',
  acceptDiffers: ' — Sec-WebSocket-Accept does not match the key ✗',
  none: 'none',
  deflate: (d) => 'permessage-deflate: client → server window 2^' + d.client_max_window_bits + (d.client_no_context_takeover ? ', no context takeover' : ', context takeover') +
    '; server → client window 2^' + d.server_max_window_bits + (d.server_no_context_takeover ? ', no context takeover' : ', context takeover') + '. Compressed messages set RSV1; the decoder inflates them with these parameters.',
  noHandshake: 'not in the capture: the recording started after the connection was opened, so the frames were found by resynchronising on the byte stream (and compression, if any, is unknown).',
  tcp: (t) => {
    const x = [mb(t.bytes) + ' in ' + plural(t.segments, 'segment')];
    if (t.retransmitted) x.push(t.retransmitted + ' retransmitted');
    if (t.out_of_order) x.push(t.out_of_order + ' out of order');
    if (t.overlaps) x.push(plural(t.overlaps, 'overlap'));
    if (t.gaps) x.push(plural(t.gaps, 'gap') + ' (bytes missing from the capture)');
    return x.join(', ');
  },
  closedBy: (how) => '; closed by ' + (how === 'rst' ? 'a reset (RST)' : 'FIN'),
  cutFrames: (n, max) => plural(n, 'frame') + ' longer than ' + max + ' bytes: the list and the decoder see their first ' + max + ' bytes (choose more under "Bytes kept per frame": the file is read again).',
  errors: (n) => plural(n, 'error'),
  errorMeta: (e, dir, time) => e.code + ' · ' + dir + ' · ' + time + ' · stream offset ' + e.stream_offset + ' ',
  openFrame: (i) => 'Open frame ' + (i + 1),
  moreErrors: (n) => '… ' + n + ' more: show "with errors" below.',
  dir: (d) => (d === 'client_to_server' ? 'client → server' : 'server → client'),
  close: (code) => 'close ' + code,
  rfc: (s) => (!s ? '' : /§|RFC/.test(s) ? s : 'RFC 6455 §' + s),
  heads: {
    frames: ['#', 'direction', 'time', 'frame', 'length', 'payload'],
    messages: ['#', 'direction', 'time', 'message', 'length', 'content'],
  },
  loading: 'loading…',
  count: (kind, n) => plural(n, kind === 'frames' ? 'frame' : 'message'),
  countOf: (kind, n, total) => n + ' of ' + plural(total, kind === 'frames' ? 'frame' : 'message'),
  listHelp: (kind, har) => 'Arrow keys, Page Up/Down, Home and End move between rows; Enter ' +
    (kind === 'frames' ? 'opens the frame in the decoder (panel 1).' : (har ? 'rebuilds the message as a frame in panel 2 (a HAR has no wire bytes).' : 'opens the message\'s last frame in the decoder (panel 1).')),
  empty: 'Nothing to show with this filter.',
  rowLoading: (p) => 'row ' + (p + 1) + '…',
  unmasked: 'unmasked',
  mask: (k) => 'mask ' + (k || ''),
  frameLabel: (r, dir, err) => 'Open frame ' + (r.index + 1) + ' (' + dir + ', ' + r.opcode_name + ', ' + r.payload_len + ' bytes' + (err ? ', error ' + err.code : '') + ') in the decoder',
  messageLabel: (r, dir) => 'Open message ' + (r.index + 1) + ' (' + dir + ', ' + r.kind + ', ' + r.length + ' bytes) in the decoder',
  rebuildLabel: (r, dir) => 'Rebuild message ' + (r.index + 1) + ' (' + dir + ', ' + r.kind + ', ' + r.length + ' bytes) as a frame in panel 2',
  compressed: ' · compressed',
  nFrames: (n) => ' · ' + n + ' frames',
  cutTitle: (max) => 'cut: the report keeps the first ' + max + ' bytes of the frame',
  cutTitleMessage: (max) => 'cut: the report keeps the first ' + max + ' bytes',
  fromCapture: (name) => 'From the capture ' + name + ': ',
  frameOrigin: (c, f, dir, time) => 'connection ' + (c.id + 1) + ' (' + c.client + ' → ' + c.server + '), frame ' + (f.index + 1) + ' of ' + c.frames + ', ' + dir + ' at ' + time + '. ',
  asServer: (key) => 'A client\'s frame, so it is decoded as a server receives it: it must be masked' + (key ? ' (key ' + key + ', chosen by the client for this frame)' : '') + '.',
  asClient: 'A server\'s frame, so it is decoded as a client receives it: it must not be masked.',
  deflateUsed: (ext) => 'permessage-deflate was agreed in this connection\'s handshake' + (ext ? ' (' + ext + ')' : '') + ': the decoder uses the negotiated parameters.',
  withEarlier: (n) => 'Loaded with the ' + plural(n - 1, 'frame') + ' sent before it in this direction: with context takeover a compressed message can refer back to earlier ones, so it can only be inflated after them. Frame ' + n + ' (the tab) is this one.',
  withFragments: (n) => 'Loaded with the earlier fragments of its message (' + plural(n, 'frame') + '): the decoder needs them to reassemble it.',
  alone: (ctx) => 'Loaded alone: ' + (ctx.cut ? 'earlier frames it depends on were cut in the report' : 'the frames it depends on are too many to load') +
    (ctx.takeover ? ', and with context takeover it can only be inflated after the messages before it, so the decoder may report an inflate error that the capture does not have.' : '.'),
  itsMessage: 'The capture\'s decoder made of its message: ',
  message: (m) => m.kind + ' (' + m.length + ' B' + (m.compressed ? ', inflated' : '') + ') ' + m.preview,
  cutFrame: (f, max) => '✂ Cut: the frame is ' + (f.header_len + f.payload_len) + ' bytes on the wire and the report keeps its first ' + f.raw_len + ' (Bytes kept per frame: ' + (max || 'all') + '), so the decoder sees an incomplete frame.',
  back: 'Back to the capture',
};

const ROW_H = 30; // px: the fixed height of a row (style.css: table.caprows tbody tr)
const BLOCK = 128; // rows asked from the worker at a time
const MAX_SCROLL_H = 6e6; // px: longer lists map the scroll position to rows proportionally
const CONN_PAGE = 200; // connections listed at a time
// "auto": the decoder's view of a clicked frame (the worker's index keeps them in wasm
// memory, never more than the file holds)
const AUTO_MAX_BYTES = 4096;

/**
 * The capture panel in `root` (section#capture). decode: panel 1; build: panel 2 (HAR
 * messages). workerUrl: the module worker (capture-worker.js).
 * Returns { root, open(file) }.
 */
export function createCapturePanel(root, { W, decode, build, workerUrl, text = TEXT }) {
  const ui = elements(root, {
    heading: 'cap-h', drop: 'cap-drop', choose: 'cap-choose', file: 'cap-file', example: 'cap-example', max: 'cap-max',
    status: 'cap-status', elapsed: 'cap-elapsed', cancel: 'cap-cancel', fileInfo: 'cap-file-info', conns: 'cap-conns',
    conn: 'cap-conn', connH: 'cap-conn-h', connInfo: 'cap-conn-info', kind: 'cap-kind', filter: 'cap-filter', goto: 'cap-goto',
    count: 'cap-count', listHelp: 'cap-list-help', scroll: 'cap-scroll', table: 'cap-table',
  });
  const cap = { worker: null, seq: 0, pending: {}, busy: false, token: 0, viewToken: 0, summary: null, conn: null, view: null, file: null, connsShown: 0 };
  let connTable = null; // the table of connections of the open file
  let moreButton = null;

  // ---- the worker

  function worker() {
    if (cap.worker) return cap.worker;
    let w;
    try {
      w = new Worker(workerUrl, { type: 'module' });
    } catch (e) {
      throw { code: 'ERR_WORKER', message: text.workerStart(e && e.message) };
    }
    w.onmessage = (ev) => {
      const m = ev.data;
      const p = cap.pending[m.id];
      if (m.ready || !p) return;
      if (m.progress) {
        if (p.progress) p.progress(m.progress);
        return;
      }
      delete cap.pending[m.id];
      if (m.ok) p.resolve(m);
      else p.reject(m.error);
    };
    w.onerror = (ev) => {
      if (ev.preventDefault) ev.preventDefault();
      kill({ code: 'ERR_WORKER', message: text.workerFailed(ev.message) });
    };
    cap.worker = w;
    return w;
  }
  function kill(err) {
    if (cap.worker) cap.worker.terminate();
    cap.worker = null;
    const p = cap.pending;
    cap.pending = {};
    for (const k of Object.keys(p)) p[k].reject(err);
  }
  function ask(msg, transfer, progress) {
    return new Promise((resolve, reject) => {
      const w = worker();
      msg.id = ++cap.seq;
      cap.pending[msg.id] = { resolve, reject, progress };
      w.postMessage(msg, transfer || []);
    });
  }
  const cancelled = () => ({ code: 'ERR_CANCELLED', message: text.cancelled });

  // ---- small formatting

  function relTime(t) {
    const c = cap.conn;
    if (t == null || !c || c.start == null) return '';
    const d = t - c.start;
    return '+' + (d < 10 ? d.toFixed(6) : d.toFixed(3)) + ' s';
  }
  function absTime(t) {
    try {
      return new Date(t * 1000).toISOString().replace('T', ' ').replace('Z', ' UTC');
    } catch {
      return String(t);
    }
  }
  function status(msg, cls) {
    ui.status.textContent = msg;
    ui.status.className = 'summary' + (cls ? ' ' + cls : '');
  }
  // An error of the report: what a peer would have closed with, the rule broken and the engine's words.
  const errLine = (e) => [el('strong', null, (e.close_code ? text.close(e.close_code) : e.code) + (e.rfc_section ? ', ' + text.rfc(String(e.rfc_section)) : '')), ': ', el('span', { lang: 'en' }, e.message)];
  const errBadge = (e) => '⚠ ' + (e.close_code ? text.close(e.close_code) : e.code) + (e.rfc_section ? ' (' + text.rfc(String(e.rfc_section)) + ')' : '');
  const failed = (e) => {
    if (e && e.code !== 'ERR_CANCELLED') status(errText(e), 'bad');
  };

  // ---- opening a file

  function open(file) {
    if (!file) return;
    // a fresh worker per file: WebAssembly memory never shrinks, so the previous file's peak is
    // given back only with its worker (this also cancels a file still being decoded)
    kill(cancelled());
    const token = ++cap.token;
    cap.file = file;
    cap.summary = null;
    cap.conn = null;
    cap.view = null;
    clear(ui.fileInfo);
    clear(ui.conns);
    connTable = null;
    moreButton = null;
    ui.conn.hidden = true;
    root.setAttribute('aria-busy', 'true');
    root.removeAttribute('data-state');
    cap.busy = true;
    const t0 = performance.now();
    let tRead = 0;
    status(text.reading(file.name, file.size), 'busy');
    busy(true, t0);
    const sel = ui.max.value;
    let maxBytes = sel === 'auto' ? AUTO_MAX_BYTES : Number(sel);
    const warm = ask({ type: 'init' }); // the worker loads the engine while the file is read
    warm.catch(() => {});
    cap.ready = Promise.all([file.arrayBuffer(), warm]).then(([buf]) => {
      if (token !== cap.token) return null;
      tRead = performance.now() - t0;
      status(text.decoding(file.name, file.size), 'busy');
      return ask({ type: 'open', buffer: buf, name: file.name, maxBytes }, [buf], (note) => {
        if (token === cap.token) status(text.progress(file.name, note), 'busy');
      });
    }).then((res) => {
      if (!res || token !== cap.token) return;
      cap.busy = false;
      busy(false);
      cap.summary = res.summary;
      maxBytes = cap.summary.maxBytes; // what the worker used in the end
      renderSummary(res.summary);
      const total = performance.now() - t0;
      ui.status.setAttribute('data-ms-total', total.toFixed(0));
      ui.status.setAttribute('data-ms-read', tRead.toFixed(0));
      ui.status.setAttribute('data-ms-decode', res.summary.ms.toFixed(0));
      root.removeAttribute('aria-busy');
      root.setAttribute('data-state', 'ready');
    }).catch((e) => {
      if (token !== cap.token) return;
      cap.busy = false;
      busy(false);
      root.removeAttribute('aria-busy');
      root.setAttribute('data-state', 'error');
      if (e && e.code === 'ERR_CANCELLED') return;
      status(text.cannotRead(file.name, e), 'bad');
      const big = e && (e.code === 'CAPTURE_OUT_OF_MEMORY' || e.code === 'ERR_OUT_OF_MEMORY' || e.code === 'CAPTURE_TOO_LARGE');
      ui.fileInfo.appendChild(el('p', { class: 'hint' }, big ? text.tooBig(maxBytes) : text.notCapture));
    });
  }

  // While a file is read and decoded: the seconds so far (outside the live region: not read
  // out every second) and a Stop button.
  let busyTimer = 0;
  function busy(on, t0) {
    clearInterval(busyTimer);
    ui.cancel.hidden = !on;
    ui.elapsed.textContent = '';
    if (on) busyTimer = setInterval(() => { ui.elapsed.textContent = text.seconds(Math.round((performance.now() - t0) / 1000)); }, 1000);
  }
  function cancel() {
    if (!cap.busy) return;
    const name = cap.file ? cap.file.name : text.theFile;
    cap.token++;
    cap.busy = false;
    kill(cancelled());
    busy(false);
    root.removeAttribute('aria-busy');
    root.setAttribute('data-state', 'cancelled');
    status(text.stopped(name));
    ui.choose.focus();
  }

  // ---- the file's connections

  function handshakeCell(c, s) {
    if (s.format === 'har') return el('span', null, text.fromHar);
    if (!c.handshake_seen || !c.handshake) return el('span', { class: 'muted' }, text.notSeen);
    const h = c.handshake;
    const st = h.response ? h.response.status : null;
    const good = st === 101 && h.accept_valid !== false;
    return el('span', { class: good ? 'ok' : 'bad' },
      (good ? '✓ ' : '✗ ') + (h.request ? h.request.method + ' ' + h.request.target : '') + (st != null ? ' → ' + st : '') + (h.accept_valid === false ? text.wrongAccept : ''));
  }
  const dirSplit = (n, d) => (n ? ' (' + d.client_to_server + ' ↑ ' + d.server_to_client + ' ↓)' : '');

  function renderSummary(s) {
    const info = clear(ui.fileInfo);
    const n = s.connections.length;
    status(text.summary(s, n), n ? 'ok' : '');
    const extra = [];
    if (s.other_tcp_connections) extra.push(text.otherTcp(s.other_tcp_connections));
    if (s.skipped_packets) extra.push(text.skipped(s.skipped_packets));
    if (s.link_types && s.link_types.length) extra.push(text.linkTypes(s.link_types));
    if (extra.length) info.appendChild(el('p', { class: 'hint' }, extra.join('; ') + '.'));
    if (s.errors.length) {
      info.appendChild(el('ul', { class: 'violations' }, s.errors.slice(0, 20).map((e) =>
        el('li', null, [el('strong', null, e.code), ': ', el('span', { lang: 'en' }, e.message), e.packet != null ? text.atPacket(Number(e.packet)) : '']))));
    }
    if (!n) {
      info.appendChild(el('p', null, text.noWebSocket(s.other_tcp_connections)));
      return;
    }
    cap.connsShown = 0;
    connTable = el('table', { class: 'conns', id: 'cap-conn-table' }, [
      el('caption', { class: 'vh' }, text.connsCaption(s.name)),
      el('thead', null, el('tr', null, text.connHeads.map((h, i) => el('th', { scope: 'col', class: i >= 6 && i <= 8 ? 'num' : null }, h)))),
      el('tbody'),
    ]);
    clear(ui.conns).appendChild(el('div', { class: 'scroll-x' }, connTable));
    moreConns();
  }
  function moreConns() {
    const s = cap.summary;
    const tb = connTable.tBodies[0];
    const end = Math.min(s.connections.length, cap.connsShown + CONN_PAGE);
    for (let i = cap.connsShown; i < end; i++) tb.appendChild(connRow(s.connections[i], s));
    cap.connsShown = end;
    stack(connTable);
    if (moreButton) moreButton.remove();
    moreButton = null;
    if (end < s.connections.length) {
      moreButton = el('button', { type: 'button', id: 'cap-more', onclick: moreConns },
        text.moreConns(Math.min(CONN_PAGE, s.connections.length - end), s.connections.length - end));
      ui.conns.appendChild(moreButton);
    }
  }
  function connRow(c, s) {
    const hs = c.handshake || {};
    return el('tr', { 'data-conn': String(c.id) }, [
      el('td', { class: 'num' }, String(c.id + 1)),
      el('td', { class: 'mono' }, c.client || '—'),
      el('td', { class: 'mono' }, c.server || '—'),
      el('td', null, handshakeCell(c, s)),
      el('td', { class: 'mono' }, hs.subprotocol || '—'),
      el('td', { class: 'mono brk' }, hs.extensions || '—'),
      el('td', { class: 'num' }, String(c.frames) + dirSplit(c.frames, c.frame_dirs)),
      el('td', { class: 'num' }, String(c.messages) + dirSplit(c.messages, c.message_dirs)),
      el('td', { class: 'num' + (c.errors ? ' bad' : '') }, String(c.errors)),
      el('td', null, el('button', { type: 'button', class: 'small', 'aria-label': text.openConn(c), onclick: () => openConn(c.id) },
        c.frames ? text.frames : text.messages)),
    ]);
  }

  // ---- one connection

  function openConn(id) {
    const c = cap.summary.connections[id];
    cap.conn = c;
    for (const row of connTable.tBodies[0].rows) row.classList.toggle('on', row.getAttribute('data-conn') === String(id));
    ui.conn.hidden = false;
    ui.connH.textContent = text.connHeading(c);
    renderConnInfo(c);
    ui.kind.options[0].disabled = !c.frames;
    ui.kind.value = c.frames ? 'frames' : 'messages';
    ui.kind.disabled = !c.frames;
    ui.filter.value = 'all';
    ui.connH.focus({ preventScroll: true });
    ui.conn.scrollIntoView({ behavior: 'smooth', block: 'start' });
    return makeView();
  }

  function renderConnInfo(c) {
    const box = clear(ui.connInfo);
    const s = cap.summary;
    const K = text.kv;
    const dl = el('dl', { class: 'kv' });
    const add = (k, v, cls) => {
      dl.appendChild(el('dt', null, k));
      dl.appendChild(el('dd', { class: cls || '' }, v));
    };
    if (c.start != null) add(K.time, absTime(c.start) + (c.end != null ? text.duration(c.end - c.start) : ''));
    const h = c.handshake;
    if (h) {
      if (h.request) add(K.request, h.request.method + ' ' + h.request.target, 'mono');
      if (h.response) {
        add(K.response, h.response.status + ' ' + (h.response.reason || '') + (h.accept_valid === true ? text.acceptMatches : h.accept_valid === false ? text.acceptDiffers : ''),
          h.accept_valid === false ? 'bad' : '');
      }
      add(K.subprotocol, h.subprotocol || text.none);
      add(K.extensions, h.extensions || text.none, 'mono brk');
      if (h.deflate) add(K.compression, text.deflate(h.deflate));
    } else if (s.format !== 'har') {
      add(K.handshake, text.noHandshake);
    }
    if (c.tcp && s.format !== 'har') {
      const line = (t) => (t ? text.tcp(t) : '');
      add(K.tcpC2s, line(c.tcp.client_to_server));
      add(K.tcpS2c, line(c.tcp.server_to_client) + (c.tcp.closed ? text.closedBy(c.tcp.closed) : ''));
    }
    if (c.truncated) add(K.cut, text.cutFrames(c.truncated, s.maxBytes));
    box.appendChild(dl);
    if (c.notes.length) box.appendChild(el('ul', { class: 'events notes' }, c.notes.map((n) => el('li', { class: 'muted' }, n))));
    if (c.error_list.length) {
      box.appendChild(el('h3', null, text.errors(c.errors)));
      box.appendChild(el('ul', { class: 'violations' }, c.error_list.map((e) => el('li', null, errLine(e).concat([
        el('br'), el('small', { class: 'muted' }, text.errorMeta(e, text.dir(e.direction), relTime(e.time))),
        e.frame != null ? el('button', { type: 'button', class: 'small', onclick: () => openFrame(e.frame) }, text.openFrame(e.frame)) : null,
      ])))));
      if (c.errors > c.error_list.length) box.appendChild(el('p', { class: 'hint' }, text.moreErrors(c.errors - c.error_list.length)));
    }
  }

  // ---- the virtual list

  function makeView() {
    const token = ++cap.viewToken;
    const kind = ui.kind.value;
    cap.view = null; // the rows drawn belong to the previous view
    clear(ui.table.tBodies[0]);
    ui.count.textContent = text.loading;
    return ask({ type: 'view', conn: cap.conn.id, kind, filter: ui.filter.value }).then((r) => {
      if (token !== cap.viewToken) return;
      cap.view = { id: r.view, kind: r.kind, n: r.n, total: r.total, blocks: {}, asked: {}, focus: 0, token };
      const ths = ui.table.tHead.rows[0].cells;
      text.heads[r.kind].forEach((h, i) => { ths[i].textContent = h; });
      ui.count.textContent = ui.filter.value === 'all' ? text.count(r.kind, r.n) : text.countOf(r.kind, r.n, r.total);
      ui.goto.max = String(Math.max(1, r.n));
      ui.table.setAttribute('aria-rowcount', String(r.n + 1));
      ui.listHelp.textContent = text.listHelp(r.kind, cap.summary.format === 'har');
      ui.scroll.scrollTop = 0;
      renderRows();
    }, failed);
  }

  function geometry() {
    const v = cap.view;
    const sc = ui.scroll;
    const head = ui.table.tHead.offsetHeight;
    const full = v.n * ROW_H;
    const height = Math.min(full, MAX_SCROLL_H);
    // the list grows up to its max-height: count the rows it can show, not the ones it shows now
    const box = Math.max(sc.clientHeight, (parseFloat(getComputedStyle(sc).maxHeight) || 0) - 2);
    const viewRows = Math.max(1, Math.ceil((box - head) / ROW_H));
    return { sc, head, full, height, scaled: full > height, viewRows };
  }
  function firstRow(g) {
    const v = cap.view;
    const st = g.sc.scrollTop;
    if (!g.scaled) return Math.floor(st / ROW_H);
    const maxSt = Math.max(1, g.height + g.head - g.sc.clientHeight);
    return Math.round(Math.min(1, st / maxSt) * Math.max(0, v.n - g.viewRows));
  }
  function rowCached(p) {
    const b = cap.view.blocks[Math.floor(p / BLOCK)];
    return b ? b[p % BLOCK] : null;
  }
  function fetchBlock(k) {
    const v = cap.view;
    if (v.blocks[k] || v.asked[k]) return;
    v.asked[k] = true;
    ask({ type: 'rows', view: v.id, start: k * BLOCK, count: BLOCK }).then((r) => {
      if (cap.view !== v) return;
      v.blocks[k] = r.rows;
      const keys = Object.keys(v.blocks);
      if (keys.length > 64) {
        delete v.blocks[keys[0]];
        delete v.asked[keys[0]];
      }
      scheduleRender();
    }, () => { delete v.asked[k]; });
  }
  let renderQueued = false;
  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      if (cap.view) renderRows();
    });
  }

  function renderRows() {
    const v = cap.view;
    const tb = ui.table.tBodies[0];
    const act = document.activeElement;
    let keep = null;
    if (act && tb.contains(act) && act.classList.contains('rowbtn')) keep = Number(act.getAttribute('data-pos'));
    if (v.focusPending != null) keep = v.focusPending;
    if (!v.n) {
      clear(tb).appendChild(el('tr', { class: 'empty' }, el('td', { colspan: '6', class: 'muted' }, text.empty)));
      return;
    }
    // measure before touching the rows (an emptied table would clamp the scroll position)
    const g = geometry();
    const st = g.sc.scrollTop;
    const out = document.createDocumentFragment();
    let a;
    let b;
    let top;
    let f0 = 0;
    if (g.scaled) {
      // the first row comes from the scroll position, or from scrollToPos (keyboard) if the
      // position is still the one it set (the mapping rounds)
      const first = v.anchor && Math.abs(v.anchor.st - st) < 1 ? v.anchor.first : firstRow(g);
      a = Math.min(first, Math.max(0, v.n - g.viewRows));
      b = Math.min(v.n, a + g.viewRows + 1);
      top = Math.max(0, Math.min(st, g.height - (b - a) * ROW_H));
    } else {
      f0 = Math.floor(st / ROW_H);
      a = Math.max(0, f0 - 8);
      b = Math.min(v.n, f0 + g.viewRows + 8);
      top = a * ROW_H;
    }
    v.first = g.scaled ? a : Math.min(v.n - 1, f0);
    const bottom = Math.max(0, g.height - top - (b - a) * ROW_H);
    for (let k = Math.floor(a / BLOCK); k <= Math.floor((b - 1) / BLOCK); k++) fetchBlock(k);
    if (top > 0) out.appendChild(el('tr', { class: 'pad', 'aria-hidden': 'true', style: 'height:' + Math.round(top) + 'px' }, el('td', { colspan: '6' })));
    if (v.focus < a || v.focus >= b) v.focus = Math.min(Math.max(v.focus, a), b - 1);
    for (let p = a; p < b; p++) {
      const r = rowCached(p);
      out.appendChild(r ? (v.kind === 'frames' ? frameRow(r, p === v.focus) : messageRow(r, p === v.focus))
        : el('tr', { class: 'loading', 'aria-rowindex': String(p + 2) }, el('td', { colspan: '6', class: 'muted' }, text.rowLoading(p))));
    }
    if (bottom > 0) out.appendChild(el('tr', { class: 'pad', 'aria-hidden': 'true', style: 'height:' + Math.round(bottom) + 'px' }, el('td', { colspan: '6' })));
    tb.replaceChildren(out);
    if (keep != null) {
      const btn = tb.querySelector('button[data-pos="' + keep + '"]');
      if (btn) {
        btn.focus({ preventScroll: true });
        v.focusPending = null;
      } else if (keep >= a && keep < b) v.focusPending = keep; // drawn once its rows arrive
      else v.focusPending = null;
    }
  }

  function rowButton(r, on, label, content) {
    return el('button', { type: 'button', class: 'small rowbtn', tabindex: on ? '0' : '-1', 'data-pos': String(r.pos), 'aria-label': label }, content);
  }
  const rowAttrs = (r, err) => ({
    class: 'row ' + (r.direction === 'client_to_server' ? 'dir-c2s' : 'dir-s2c') + (err ? ' err' : ''),
    'aria-rowindex': String(r.pos + 2), 'data-pos': String(r.pos), 'data-index': String(r.index),
  });
  function frameRow(r, on) {
    const flags = [r.opcode_name];
    if (!r.fin) flags.push('FIN 0');
    if (r.rsv1) flags.push('RSV1');
    if (r.rsv2) flags.push('RSV2');
    if (r.rsv3) flags.push('RSV3');
    flags.push(r.masked ? text.mask(r.masking_key) : text.unmasked);
    const err = r.errors.length ? r.errors[0] : null;
    const dir = text.dir(r.direction);
    const preview = err ? [el('strong', { class: 'bad' }, errBadge(err)), ' ', el('span', { class: 'bad', lang: 'en' }, err.code + ': ' + err.message), ' ', r.preview] : r.preview;
    const title = err ? err.code + ' → ' + text.close(err.close_code) + ' (' + text.rfc(String(err.rfc_section || '')) + '): ' + err.message + '\n' + r.preview : r.preview;
    return el('tr', rowAttrs(r, err), [
      el('td', null, rowButton(r, on, text.frameLabel(r, dir, err), String(r.index + 1))),
      el('td', null, dir),
      el('td', { class: 'mono', title: absTime(r.time) }, relTime(r.time)),
      el('td', { class: 'mono', title: flags.join(' · ') }, flags.join(' · ')),
      el('td', { class: 'num' }, [String(r.payload_len), r.truncated ? el('span', { class: 'cut', title: text.cutTitle(cap.summary.maxBytes) }, ' ✂') : null]),
      el('td', { class: 'preview', title }, preview),
    ]);
  }
  function messageRow(r, on) {
    const err = r.errors.length ? r.errors[0] : null;
    const dir = text.dir(r.direction);
    const what = r.kind + (r.compressed ? text.compressed : '') + (r.frames && r.frames[1] > r.frames[0] ? text.nFrames(r.frames[1] - r.frames[0] + 1) : '');
    const label = r.frames ? text.messageLabel(r, dir) : text.rebuildLabel(r, dir);
    return el('tr', rowAttrs(r, err), [
      el('td', null, rowButton(r, on, label, String(r.index + 1))),
      el('td', null, dir),
      el('td', { class: 'mono', title: absTime(r.time) }, relTime(r.time)),
      el('td', { class: 'mono' }, what),
      el('td', { class: 'num' }, [String(r.length), r.truncated ? el('span', { class: 'cut', title: text.cutTitleMessage(cap.summary.maxBytes) }, ' ✂') : null]),
      el('td', { class: 'preview', title: r.preview }, err ? [el('strong', { class: 'bad' }, errBadge(err)), ' ', r.preview] : r.preview),
    ]);
  }

  function scrollToPos(p, focus) {
    const v = cap.view;
    if (!v || !v.n) return;
    p = Math.max(0, Math.min(v.n - 1, p));
    v.focus = p;
    const g = geometry();
    const sc = g.sc;
    if (g.scaled) {
      const full = Math.max(1, Math.floor((sc.clientHeight - g.head) / ROW_H));
      const cur = v.first || 0;
      let first = cur;
      if (p < cur) first = p;
      else if (p >= cur + full) first = p - full + 1;
      first = Math.max(0, Math.min(first, v.n - g.viewRows));
      if (first !== cur) {
        sc.scrollTop = first / Math.max(1, v.n - g.viewRows) * Math.max(1, g.height + g.head - sc.clientHeight);
        v.anchor = { st: sc.scrollTop, first };
      }
    } else {
      const y = p * ROW_H;
      const visible = sc.clientHeight - g.head;
      if (y < sc.scrollTop) sc.scrollTop = y;
      else if (y + ROW_H > sc.scrollTop + visible) sc.scrollTop = y + ROW_H - visible;
    }
    renderRows();
    if (focus) {
      const btn = ui.table.querySelector('button[data-pos="' + p + '"]');
      if (btn) btn.focus({ preventScroll: true });
      else v.focusPending = p; // still being fetched: focused once drawn
    }
  }
  function rowAction(p) {
    const v = cap.view;
    const r = v && rowCached(p);
    if (!r) return;
    v.focus = p;
    if (v.kind === 'frames') return openFrame(r.index, p);
    if (r.frames) return openFrame(r.frames[1], p);
    build.rebuild(r);
    build.show();
  }

  function openFrame(index, pos) {
    const c = cap.conn;
    const s = cap.summary;
    return ask({ type: 'frame', conn: c.id, index }).then((r) => {
      const f = r.frame;
      const role = f.direction === 'client_to_server' ? 'server' : 'client';
      const lines = [];
      lines.push(el('p', null, [el('strong', null, text.fromCapture(s.name)),
        text.frameOrigin(c, f, text.dir(f.direction), relTime(f.time)) + (role === 'server' ? text.asServer(f.masking_key) : text.asClient)]));
      if (r.deflate) lines.push(el('p', null, text.deflateUsed(c.handshake && c.handshake.extensions)));
      if (r.context && !r.context.missing && r.context.frames > 1) {
        lines.push(el('p', null, r.context.from === 'start' ? text.withEarlier(r.context.frames) : text.withFragments(r.context.frames)));
      } else if (r.context && r.context.missing) {
        lines.push(el('p', { class: 'bad' }, text.alone(r.context)));
      }
      if (r.message) lines.push(el('p', null, [text.itsMessage, el('code', { class: 'brk' }, text.message(r.message))]));
      if (f.truncated) lines.push(el('p', { class: 'bad' }, text.cutFrame(f, s.maxBytes)));
      if (r.errors.length) lines.push(el('ul', { class: 'violations' }, r.errors.map((e) => el('li', null, errLine(e)))));
      lines.push(el('p', null, el('button', { type: 'button', class: 'small', id: 'dec-back', onclick: () => back(pos) }, text.back)));
      decode.load(r.hex, role, r.deflate || false, r.select, el('div', null, lines));
      decode.show();
    }, failed);
  }
  function back(pos) {
    root.scrollIntoView({ behavior: 'smooth', block: 'start' });
    if (cap.view && pos != null) scrollToPos(pos, true);
    else ui.heading.focus();
  }

  function onListKey(ev) {
    const t = ev.target;
    if (!t.classList || !t.classList.contains('rowbtn') || !cap.view) return;
    const p = Number(t.getAttribute('data-pos'));
    const page = Math.max(1, geometry().viewRows - 1);
    const to = { ArrowDown: p + 1, ArrowUp: p - 1, PageDown: p + page, PageUp: p - page, Home: 0, End: cap.view.n - 1 }[ev.key];
    if (to == null) return;
    ev.preventDefault();
    scrollToPos(to, true);
  }

  // ---- wiring

  const hasFiles = (ev) => ev.dataTransfer && Array.from(ev.dataTransfer.types || []).includes('Files');
  // a file dropped anywhere else must not make the browser navigate away from the page
  for (const t of ['dragover', 'drop']) {
    document.addEventListener(t, (ev) => {
      if (hasFiles(ev) && !root.contains(ev.target)) {
        ev.preventDefault();
        if (t === 'dragover') ev.dataTransfer.dropEffect = 'none';
      }
    });
  }
  ui.choose.addEventListener('click', () => ui.file.click());
  ui.file.addEventListener('change', () => {
    if (ui.file.files && ui.file.files[0]) open(ui.file.files[0]);
    ui.file.value = '';
  });
  // writeCapture lives in wsprism-web/capture (the second .wasm), loaded on first use.
  let captureLib = null;
  async function loadExample() {
    // Not ready while the capture module loads (as open() marks it at once for a file).
    root.removeAttribute('data-state');
    try {
      if (captureLib === null) captureLib = await (await import('/wsprism-web/capture.js')).init();
      open(makeExampleCapture({ ...W, writeCapture: captureLib.writeCapture }));
    } catch (e) {
      root.setAttribute('data-state', 'error');
      status(text.exampleFailed(e), 'bad');
    }
  }
  ui.example.addEventListener('click', loadExample);
  for (const t of ['dragenter', 'dragover']) {
    root.addEventListener(t, (ev) => {
      ev.preventDefault();
      if (ev.dataTransfer) ev.dataTransfer.dropEffect = 'copy';
      ui.drop.classList.add('over');
    });
  }
  for (const t of ['dragleave', 'drop']) {
    root.addEventListener(t, (ev) => {
      if (t === 'dragleave' && root.contains(ev.relatedTarget)) return;
      ui.drop.classList.remove('over');
    });
  }
  root.addEventListener('drop', (ev) => {
    ev.preventDefault();
    const f = ev.dataTransfer && ev.dataTransfer.files && ev.dataTransfer.files[0];
    if (f) open(f);
  });
  ui.max.addEventListener('change', () => {
    if (cap.file) open(cap.file);
  });
  ui.cancel.addEventListener('click', cancel);
  ui.kind.addEventListener('change', () => {
    if (cap.conn) makeView();
  });
  ui.filter.addEventListener('change', () => {
    if (cap.conn) makeView();
  });
  ui.goto.addEventListener('change', () => scrollToPos(Math.floor(Number(ui.goto.value) || 1) - 1, true));
  ui.scroll.addEventListener('scroll', scheduleRender, { passive: true });
  ui.table.addEventListener('keydown', onListKey);
  ui.table.addEventListener('click', (ev) => {
    const tr = ev.target.closest && ev.target.closest('tr.row');
    if (!tr || window.getSelection().toString()) return;
    rowAction(Number(tr.getAttribute('data-pos')));
  });
  ui.table.addEventListener('focusin', (ev) => {
    if (ev.target.classList.contains('rowbtn') && cap.view) cap.view.focus = Number(ev.target.getAttribute('data-pos'));
  });

  /** Draws the file's summary, the open connection and its rows again in the current language. */
  function refresh() {
    if (!cap.summary || cap.busy) return;
    const conn = cap.conn;
    renderSummary(cap.summary);
    if (conn && connTable) {
      for (const row of connTable.tBodies[0].rows) row.classList.toggle('on', row.getAttribute('data-conn') === String(conn.id));
      ui.connH.textContent = text.connHeading(conn);
      renderConnInfo(conn);
    }
    const v = cap.view;
    if (v) {
      const ths = ui.table.tHead.rows[0].cells;
      text.heads[v.kind].forEach((h, i) => { ths[i].textContent = h; });
      ui.count.textContent = ui.filter.value === 'all' ? text.count(v.kind, v.n) : text.countOf(v.kind, v.n, v.total);
      ui.listHelp.textContent = text.listHelp(v.kind, cap.summary.format === 'har');
      clear(ui.table.tBodies[0]);
      renderRows();
    }
  }

  return { root, open, loadExample, refresh, hasFile: () => !!cap.file,
    /** Opens the first connection once the file is read (the guided path's "try this"). */
    openFirst: () => Promise.resolve(cap.ready).then(() => (cap.summary && cap.summary.connections.length ? openConn(0) : null)), show: () => show(root) };
}
