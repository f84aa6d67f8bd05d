// Panel 4, "Stream: sticky and half packets": a byte stream cut into reads, each read pushed
// into one streaming Decoder; per read, what it delivered and what it then waits for.
import { el, clear, elements, show, stack, table } from '../lib/dom.js';
import { toHex, spaced, hexByte, fromHex, concat, parseBytes, textOf } from '../lib/hex.js';
import { clip } from '../lib/format.js';
import { COMMON_TEXT } from '../lib/words.js';

/** The panel's words (English). */
export const TEXT = {
  badStream: (why) => 'Stream: ' + why,
  byteLabel: (i, b, cut) => 'byte ' + i + ' (0x' + hexByte(b) + ')' + (cut ? ', cut after it' : ''),
  byteTitle: (i, cut) => 'byte ' + i + ': press to ' + (cut ? 'remove the cut after it' : 'cut after it'),
  moreBytes: (n) => '… ' + n + ' more bytes (use the cut list)',
  intro: (frames, role, reads) => 'The stream holds ' + frames + ' frame' + (frames === 1 ? '' : 's') + ' (colours) and is fed to new Decoder({ role: "' + role + '" }) in ' + reads + ' read' + (reads > 1 ? 's' : '') + '.',
  ev: { message: 'message ', close: 'close ', error: 'error ' },
  noData: '(no data)',
  nothingYet: 'nothing yet',
  failed: (code) => 'failed: close with ' + code,
  between: 'nothing: between frames',
  heads: ['read', 'bytes', 'chunk', 'delivered', 'then waits for'],
};

/** The panel's examples (data-st buttons): { hex, cuts }. */
function examples(W) {
  const big = new Uint8Array(130);
  for (let i = 0; i < big.length; i++) big[i] = i;
  const ping = W.encodeFrame({ opcode: 9, payload: 'hb', mask: '0a0b0c0d' });
  const mdn = fromHex('018511223344704c5764700089556677883d0707f82c4619ed22808599aabbcce0cfdabeb8');
  const withPing = concat([mdn.subarray(0, 11), ping, mdn.subarray(11)]);
  const two = concat([W.encodeFrame({ opcode: 1, payload: 'first', mask: '01020304' }), W.encodeFrame({ opcode: 1, payload: 'second message', mask: 'a1b2c3d4' })]);
  return {
    mdn: { hex: toHex(withPing), cuts: [4, 15, 24, 30] },
    sticky: { hex: toHex(two), cuts: [17] },
    big: { hex: toHex(W.encodeFrame({ opcode: 2, payload: big, mask: '37fa213d' })), cuts: [1, 3, 6, 70] },
  };
}

/**
 * The stream panel in `root` (section#stream).
 * Returns { root, set(hex, cuts), loadExample(name), show() }.
 */
export function createStreamPanel(root, { W, text = TEXT, common = COMMON_TEXT }) {
  const ui = elements(root, {
    input: 'st-input', cuts: 'st-cuts', random: 'st-random', every: 'st-every', none: 'st-none', bytes: 'st-bytes', result: 'st-result',
  });
  const EXAMPLES = examples(W);
  let bytes = new Uint8Array(0);

  function readCuts() {
    const n = bytes.length;
    const seen = new Set();
    return ui.cuts.value.split(/[\s,;]+/).map(Number).filter((c) => {
      if (!(Number.isInteger(c) && c >= 1 && c < n) || seen.has(c)) return false;
      seen.add(c);
      return true;
    }).sort((a, b) => a - b);
  }
  function setCuts(list) {
    ui.cuts.value = list.join(', ');
    render();
  }
  function set(hex, cuts) {
    ui.input.value = spaced(hex);
    setCuts(cuts);
  }

  function eventNode(ev) {
    const E = text.ev;
    if (ev.type === 'message') {
      const t = ev.binary ? null : textOf(ev.data);
      return el('div', null, [el('strong', null, E.message), t != null ? JSON.stringify(clip(t, 80)) : clip(spaced(toHex(ev.data)), 60)]);
    }
    if (ev.type === 'close') return el('div', null, [el('strong', null, E.close), ev.code + (ev.reason ? ' ' + JSON.stringify(ev.reason) : '')]);
    if (ev.type === 'error') return el('div', { class: 'bad' }, [el('strong', null, E.error), ev.error.code + ' (' + ev.error.rfcSection + ')']);
    return el('div', null, [el('strong', null, ev.type + ' '), ev.data && ev.data.length ? JSON.stringify(textOf(ev.data) || toHex(ev.data)) : text.noData]);
  }

  function render() {
    const parsed = parseBytes(ui.input.value, 'hex');
    const strip = clear(ui.bytes);
    const res = clear(ui.result);
    if (parsed.error) {
      res.appendChild(el('p', { class: 'bad' }, text.badStream(common.bytesError(parsed.error))));
      return;
    }
    bytes = parsed.bytes;
    const cuts = readCuts();
    // which frame each byte belongs to (from the engine's report), for colouring
    let role = 'server';
    try {
      const f0 = W.inspectFrame(bytes);
      if (f0 && !f0.masked) role = 'client';
    } catch {
      // empty
    }
    const rep = W.inspectStream(bytes, { role });
    const frameOf = new Array(bytes.length).fill(-1);
    rep.frames.forEach((fr, i) => {
      const end = Math.min(bytes.length, Number(fr.offset) + Number(fr.header_len) + Number(fr.payload_len));
      for (let b = Number(fr.offset); b < end; b++) frameOf[b] = i;
    });
    const limit = Math.min(bytes.length, 300);
    for (let i = 0; i < limit; i++) {
      const cut = cuts.includes(i + 1);
      strip.appendChild(el('button', {
        type: 'button', class: 'byte sb fr' + (frameOf[i] % 4) + (cut ? ' cut' : ''), 'aria-pressed': cut ? 'true' : 'false',
        'aria-label': text.byteLabel(i, bytes[i], cut), title: text.byteTitle(i, cut),
        disabled: i === bytes.length - 1,
        onclick: () => {
          const cs = readCuts();
          const k = cs.indexOf(i + 1);
          if (k >= 0) cs.splice(k, 1);
          else cs.push(i + 1);
          setCuts(cs.sort((a, b) => a - b));
          const again = ui.bytes.children[i];
          if (again) again.focus();
        },
      }, hexByte(bytes[i])));
    }
    if (bytes.length > limit) strip.appendChild(el('span', { class: 'hint' }, text.moreBytes(bytes.length - limit)));
    res.appendChild(el('p', { class: 'hint' }, text.intro(rep.frames.length, role, cuts.length + 1)));
    const dec = new W.Decoder({ role });
    const bounds = [0, ...cuts, bytes.length];
    const rows = [];
    for (let c = 0; c + 1 < bounds.length; c++) {
      const chunk = bytes.subarray(bounds[c], bounds[c + 1]);
      const evs = dec.push(chunk);
      rows.push(el('tr', null, [
        el('td', { class: 'num' }, String(c + 1)),
        el('td', { class: 'num' }, bounds[c] + '–' + (bounds[c + 1] - 1)),
        el('td', { class: 'mono' }, clip(spaced(toHex(chunk)), 60)),
        el('td', null, evs.length ? evs.map(eventNode) : [el('span', { class: 'muted' }, text.nothingYet)]),
        el('td', null, dec.error ? el('span', { class: 'bad' }, text.failed(dec.error.closeCode)) : (dec.partial ? dec.waitingFor : el('span', { class: 'ok' }, text.between))),
      ]));
    }
    dec.free();
    res.appendChild(stack(table({ class: 'stream' }, text.heads, rows)));
  }

  function randomCuts() {
    const n = bytes.length;
    if (n < 2) return;
    const k = 1 + Math.floor(Math.random() * Math.min(5, n - 1));
    const s = new Set();
    while (s.size < k) s.add(1 + Math.floor(Math.random() * (n - 1)));
    setCuts([...s].sort((a, b) => a - b));
  }

  ui.input.addEventListener('input', render);
  ui.cuts.addEventListener('change', render);
  ui.random.addEventListener('click', randomCuts);
  ui.every.addEventListener('click', () => {
    const c = [];
    for (let i = 1; i < Math.min(bytes.length, 300); i++) c.push(i);
    setCuts(c);
  });
  ui.none.addEventListener('click', () => setCuts([]));
  const loadExample = (name) => set(EXAMPLES[name].hex, EXAMPLES[name].cuts);
  for (const b of root.querySelectorAll('[data-st]')) b.addEventListener('click', () => loadExample(b.getAttribute('data-st')));

  loadExample('mdn');

  return { root, set, loadExample, show: () => show(root) };
}
