// "Start here": the guided path through the protocol, in the order of the articles this project
// grew from. Each step has its own URL (#/learn/masking), a short explanation, a live panel
// loaded with its example (the step's card moves just above that panel) and a "try this"
// action; the steps opened are kept in localStorage and shown as progress.
import { el, clear, elements } from '../lib/dom.js';

/** The path's words (English). `steps` keeps each step's title, body (HTML), correction and action. */
export const TEXT = {
  progress: (done, total) => done + ' of ' + total + ' steps opened',
  stepOf: (i, total) => 'Step ' + i + ' of ' + total,
  prev: '← Previous',
  next: 'Next →',
  list: 'All steps',
  tryThis: 'Try this: ',
  done: 'opened',
  mistake: 'A mistake in a popular article',
  steps: {
    why: {
      title: 'Why WebSocket',
      body: '<p>With plain HTTP the server can only answer: to learn about news a page <em>polls</em> (asks every few seconds, mostly for nothing) or <em>long-polls</em> (a request the server holds open until there is news). Each answer costs a request with hundreds of bytes of headers. A WebSocket is one TCP connection, opened once by an HTTP upgrade, on which both sides send whenever they like: a short text message costs a header of 2 bytes (6 from a client).</p>',
      try: 'Connect to the demo server and send a message',
    },
    handshake: {
      title: 'The upgrade request and Sec-WebSocket-Accept',
      body: '<p>The client sends an ordinary HTTP/1.1 <code>GET</code> with <code>Upgrade: websocket</code>, <code>Sec-WebSocket-Version: 13</code> and a random <code>Sec-WebSocket-Key</code>. The server answers <code>101 Switching Protocols</code> with <code>Sec-WebSocket-Accept</code>: the base64 of the SHA-1 of the key followed by a fixed GUID. The RFC\'s own example is loaded below, step by step.</p>',
      try: 'Check a response whose accept value is wrong',
    },
    frame: {
      title: 'The frame header, bit by bit',
      body: '<p>After the handshake everything is frames. Byte 0: FIN (last frame of a message), RSV1-3 (for extensions) and the 4-bit opcode (0x1 text, 0x2 binary, 0x8 close, 0x9 ping, 0xA pong). Byte 1: MASK and a 7-bit Payload len; 126 means a 16-bit length follows, 127 a 64-bit one. Below: the RFC\'s unmasked "Hello", 7 bytes in all. Hover a field to see its bits.</p>',
      try: 'Load a frame with a 16-bit length (126)',
    },
    masking: {
      title: 'Masking, and why clients mask',
      body: '<p>Every frame from a client carries a 4-byte Masking-key, and its payload is XORed with it (byte <i>i</i> with key byte <i>i</i> mod 4). It is not secrecy — the key is in the frame — but it stops a script from choosing the bytes on the wire, which could otherwise poison a transparent proxy\'s cache (RFC 6455 §10.3). Servers never mask. Below: the RFC\'s masked "Hello", unmasked byte by byte.</p>',
      try: 'Send an unmasked frame to a server',
    },
    fragmentation: {
      title: 'Fragmentation',
      body: '<p>One message may be sent as several frames: the first has the opcode (text or binary) and FIN 0, the middle ones are continuation frames (opcode 0x0, FIN 0), the last is a continuation with FIN 1. Control frames may come between the fragments but are never fragmented themselves. Below: MDN\'s three fragments of one text message.</p>',
      try: 'Load a fragmented ping (not allowed)',
    },
    'sticky-packets': {
      title: 'Sticky and half packets',
      body: '<p>TCP is a byte stream: one read can return half a frame, or one and a half, or two frames at once (the articles\' "sticky packet / half packet" question). The frame header tells the receiver how many bytes to wait for, so a streaming decoder simply keeps what it has until the frame is complete. Below: two messages arriving in one read.</p>',
      try: 'Cut the stream after every byte',
    },
    heartbeat: {
      title: 'Ping and pong: heartbeats',
      body: '<p>A ping (opcode 0x9) asks the peer to answer with a pong (0xA) carrying the same data; a pong may also be sent alone as a one-way heartbeat. They are control frames: at most 125 bytes, never fragmented, allowed between the fragments of a message. Application heartbeats (Socket.IO\'s "2"/"3") are ordinary text messages. Below: the empty ping from the Java article, <code>89 00</code>.</p>',
      note: '<p>One article lists both close and ping as 0x8. Ping is <strong>0x9</strong>: 0x8 is close, 0xA is pong. <code>89 00</code> is FIN 1 with opcode 9 and an empty payload.</p>',
      try: 'Make the live server ping your browser',
    },
    close: {
      title: 'Closing and close codes',
      body: '<p>A close frame (0x8) may carry a 2-byte status code, big-endian, then a UTF-8 reason: 1000 normal, 1001 going away, 1002 protocol error, 1007 bad data, 1009 too big, 1011 server error. 1005, 1006 and 1015 are only for reporting and never sent. Each side sends one close and then waits for the other\'s. Below: <code>88 05 03 e8 62 79 65</code>, close 1000 "bye".</p>',
      note: '<p>An article\'s close example gives <code>88 07 03 e8 62 79 65</code>: its length byte says 7 payload bytes, but only 5 follow (2 for the code 1000, 3 for "bye"). A receiver would wait for 2 more bytes; the right length byte is <code>05</code>.</p>',
      try: 'Decode the article\'s close frame with the wrong length',
    },
    compression: {
      title: 'Compression (permessage-deflate)',
      body: '<p>With permessage-deflate (RFC 7692), agreed in the handshake, a compressed message sets RSV1 on its first frame; the payload is deflate data without its final <code>00 00 ff ff</code>. With context takeover the compressor remembers earlier messages, so repeating one costs only a few bytes.</p>',
      try: 'Turn context takeover off',
    },
    capture: {
      title: 'Reading a capture',
      body: '<p>Wireshark and <code>tcpdump</code> record packets, not frames. To read WebSocket traffic from them, the TCP segments are put back in order, the HTTP upgrade is found, and the bytes after it are decoded as frames in each direction. Below: a small capture made in this page, opened by the same engine.</p>',
      try: 'Open the first connection of the example capture',
    },
  },
};

/** The path's steps, in the articles' order. */
export const STEPS = ['why', 'handshake', 'frame', 'masking', 'fragmentation', 'sticky-packets', 'heartbeat', 'close', 'compression', 'capture'];
const STORE = 'wsprism.learn';
// The close frame from an article: the length byte says 7, five bytes follow.
const ARTICLE_CLOSE = '880703e8627965';

/**
 * The guided path in `root` (section#learn). panels: the other panels as created by main.js.
 * Returns { root, open(step), refresh(), steps }.
 */
export function createLearnPanel(root, { panels, text = TEXT }) {
  const ui = elements(root, { progress: 'learn-progress', list: 'learn-steps', card: 'learn-card' });
  const { decode, handshake, stream, compress, live, capture } = panels;
  const liveThen = (msg) => live.connect().then(() => live.send(msg)).catch(() => {});
  // each step: the panel it opens, the example loaded on opening, the "try this" action
  const DO = {
    why: { panel: live, load: () => {}, try: () => liveThen('Hello') },
    handshake: { panel: handshake, load: () => { handshake.setKey(handshake.RFC_KEY); handshake.loadExample('req'); }, try: () => handshake.loadExample('res-bad') },
    frame: { panel: decode, load: () => decode.loadExample('rfc-unmasked'), try: () => decode.loadExample('len126') },
    masking: { panel: decode, load: () => decode.loadExample('rfc-masked'), try: () => decode.load(decode.example('rfc-unmasked').hex, 'server', false, 0) },
    fragmentation: { panel: decode, load: () => decode.loadExample('mdn-fragments'), try: () => decode.loadExample('bad-fragping') },
    'sticky-packets': {
      panel: stream,
      load: () => stream.loadExample('sticky'),
      try: () => {
        const ex = stream.example('sticky');
        const n = ex.hex.length / 2;
        stream.set(ex.hex, Array.from({ length: n - 1 }, (_, i) => i + 1));
      },
    },
    heartbeat: { panel: decode, load: () => decode.loadExample('java-ping'), try: () => liveThen('/ping') },
    close: { panel: decode, load: () => decode.loadExample('close-bye'), try: () => decode.load(ARTICLE_CLOSE, 'client', false, 0) },
    compression: { panel: compress, load: () => compress.setTakeover(true), try: () => compress.setTakeover(false) },
    capture: { panel: capture, load: () => { if (!capture.hasFile()) capture.loadExample(); }, try: () => capture.openFirst() },
  };
  let current = null;

  function visited() {
    try {
      const v = JSON.parse(localStorage.getItem(STORE) || '[]');
      return Array.isArray(v) ? v.filter((s) => STEPS.includes(s)) : [];
    } catch {
      return [];
    }
  }
  function remember(step) {
    const v = visited();
    if (!v.includes(step)) v.push(step);
    try { localStorage.setItem(STORE, JSON.stringify(v)); } catch { /* storage off */ }
  }

  function renderList() {
    const seen = visited();
    ui.progress.textContent = text.progress(seen.length, STEPS.length);
    ui.progress.setAttribute('data-done', String(seen.length));
    clear(ui.list);
    STEPS.forEach((s, i) => {
      const on = s === current;
      ui.list.appendChild(el('li', { class: (seen.includes(s) ? 'seen' : '') + (on ? ' on' : ''), 'data-step': s }, [
        el('a', { href: '#/learn/' + s, 'aria-current': on ? 'step' : null }, [el('span', { class: 'n' }, String(i + 1)), ' ', text.steps[s].title]),
        seen.includes(s) ? el('span', { class: 'vh' }, ' (' + text.done + ')') : null,
      ]));
    });
  }

  function renderCard() {
    const card = clear(ui.card);
    if (!current) {
      card.hidden = true;
      return;
    }
    const i = STEPS.indexOf(current);
    const t = text.steps[current];
    const body = el('div', { class: 'learn-body' });
    body.innerHTML = t.body; // the table's own markup
    const parts = [
      el('p', { class: 'hint' }, text.stepOf(i + 1, STEPS.length)),
      el('h2', { id: 'learn-card-h', tabindex: '-1' }, t.title),
      body,
    ];
    if (t.note) {
      const note = el('div', { class: 'learn-note' }, el('strong', null, text.mistake));
      note.insertAdjacentHTML('beforeend', t.note);
      parts.push(note);
    }
    parts.push(el('div', { class: 'form-row learn-nav' }, [
      el('button', { type: 'button', class: 'primary', id: 'learn-try', onclick: () => DO[current].try() }, text.tryThis + t.try),
      i > 0 ? el('a', { class: 'btn', href: '#/learn/' + STEPS[i - 1], id: 'learn-prev' }, text.prev) : null,
      i < STEPS.length - 1 ? el('a', { class: 'btn', href: '#/learn/' + STEPS[i + 1], id: 'learn-next' }, text.next) : null,
      el('a', { class: 'btn', href: '#learn' }, text.list),
    ]));
    card.append(...parts);
    card.setAttribute('data-step', current);
    card.hidden = false;
  }

  /** Opens a step: loads its example, moves the card above its panel, remembers it. */
  function open(step) {
    if (!DO[step]) return false;
    current = step;
    DO[step].load();
    DO[step].panel.root.before(ui.card);
    remember(step);
    renderList();
    renderCard();
    ui.card.scrollIntoView({ block: 'start' });
    ui.card.querySelector('h2').focus({ preventScroll: true });
    return true;
  }

  function route() {
    const m = /^#\/learn\/([a-z-]+)$/.exec(location.hash);
    if (m) open(m[1]);
  }
  window.addEventListener('hashchange', route);

  renderList();
  route();

  return {
    root, open, steps: STEPS,
    /** Draws the list and the open step again (a language switch). */
    refresh: () => {
      renderList();
      renderCard();
    },
  };
}
