// Panel 1, "Decode a frame": bytes (hex or base64) → the engine's inspectStream report, drawn
// as the RFC 6455 diagram, a byte strip, the field table, violations, unmasking, the payload
// and what a streaming decoder makes of the bytes. Other panels load bytes here with load().
import { el, clear, elements, show, wireHighlight } from '../lib/dom.js';
import { toHex, fromHex, spaced, hexByte, bin8, parseBytes } from '../lib/hex.js';
import { clip, errText } from '../lib/format.js';
import { COMMON_TEXT } from '../lib/words.js';

/** The panel's words (English). */
export const TEXT = {
  cannotRead: (why) => 'Cannot read the input: ' + why + '.',
  noHeader: (n, waiting) => n + ' byte' + (n === 1 ? '' : 's') + ': not even a frame header yet. The decoder waits for ' + (waiting || 'more bytes') + '.',
  complete: (n) => n + ' complete frame' + (n > 1 ? 's' : ''),
  incomplete: (afterComplete) => (afterComplete ? 'then ' : '') + 'an incomplete frame',
  summary: (n, format, parts, waiting) => n + ' bytes (' + format + ') hold ' + parts.join(', ') + (waiting ? '. The decoder waits for ' + waiting : '') + '.',
  tab: (i, f) => 'Frame ' + (i + 1) + ': ' + f.opcode_name + (f.fin ? '' : ' (FIN 0)') + ', ' + f.payload_len + ' B' + (f.violations.length ? ' ⚠' : ''),
  morePayload: (more, missing) => '… ' + more + ' more payload byte' + (more === 1 ? '' : 's') + (missing > 0 ? ' (' + missing + ' not in the input)' : '') + '.',
  byteTitle: (at, b, names) => 'byte ' + at + ' = 0x' + hexByte(b) + ' = ' + bin8(b) + ' (' + names.join(', ') + ')',
  moreBytes: (n) => '… ' + n + ' more',
  violationMeta: (v) => v.code + ' · close code ' + v.close_code + ' · at byte ' + v.offset,
  noViolations: (receiver) => '✓ No violations: ' + receiver + ' would accept this frame.',
  streamFails: (frame, e) => 'The stream fails at frame ' + (frame + 1) + ': ' + e.message + ' (' + e.rfc_section + ').',
  keyIncomplete: 'The masking key is not complete yet.',
  notMasked: 'This frame is not masked (MASK = 0): the payload is sent as is.',
  emptyPayload: 'Empty payload: nothing to unmask (the key is still sent).',
  unmaskHeads: ['i', 'key[i mod 4]', 'masked', 'XOR', 'result', 'char'],
  unmaskMore: (n) => '… and so on for ' + n + ' more bytes.',
  kv: {
    opcode: 'opcode', length: 'length', closeCode: 'close code', closeReason: 'close reason', text: 'text', note: 'note', hex: 'hex',
  },
  length: (f) => f.payload_len + ' byte' + (Number(f.payload_len) === 1 ? '' : 's') + (f.complete ? '' : ' (only ' + f.payload_available + ' present)'),
  rsv1Note: 'RSV1 set: the payload is deflate data (see Compression); the message text is under "What the decoder makes of it".',
  emptyHex: '(empty)',
  jsonLabel: 'payload as JSON',
  ev: { message: 'message', close: 'close', error: 'error', waiting: 'waiting for' },
  evMessage: (m) => ' (' + (m.opcode === 1 ? 'text' : 'binary') + ', ' + m.length + ' B): ',
  evData: (hex) => (hex ? ' data ' + spaced(hex) : ' (no data)'),
  evError: (e) => ' ' + e.code + ' → close with ' + e.close_code + ' (' + e.rfc_section + ')',
  noMessage: 'no complete message yet',
  // the RFC's field names (from the engine) → short labels and plain-words meanings
  fieldShort: {
    FIN: 'FIN', RSV1: 'R1', RSV2: 'R2', RSV3: 'R3', opcode: 'opcode', MASK: 'M',
    'Payload len': 'len (7)', 'Extended payload length': 'extended length', 'Masking-key': 'masking key', 'Payload data': 'payload',
  },
  fieldHelp: {
    FIN: 'last frame of the message?',
    RSV1: 'reserved for extensions (permessage-deflate: compressed)',
    RSV2: 'reserved for extensions',
    RSV3: 'reserved for extensions',
    opcode: 'what the payload is',
    MASK: 'is the payload masked?',
    'Payload len': '0-125: the length; 126: 16-bit length follows; 127: 64-bit length follows',
    'Extended payload length': 'the real length, big-endian',
    'Masking-key': '4 random bytes chosen by the client',
    'Payload data': 'the payload (as sent: masked if MASK is 1)',
  },
};

// Field colours (style.css).
const FIELD_CLASS = {
  FIN: 'f-fin', RSV1: 'f-rsv', RSV2: 'f-rsv', RSV3: 'f-rsv', opcode: 'f-op', MASK: 'f-mask',
  'Payload len': 'f-len', 'Extended payload length': 'f-ext', 'Masking-key': 'f-key', 'Payload data': 'f-data',
};
const fieldClass = (name) => FIELD_CLASS[name] || 'f-data';

/** The example frames of the panel's buttons (data-ex); some are built by the engine. */
function examples(W) {
  const big = new Uint8Array(256);
  for (let i = 0; i < 256; i++) big[i] = i;
  const E = (hex, role, pmd) => ({ hex, role, pmd });
  return {
    'rfc-masked': E('818537fa213d7f9f4d5158', 'server'),
    'rfc-unmasked': E('810548656c6c6f', 'client'),
    'mdn-fragments': E('018511223344704c5764700089556677883d0707f82c4619ed22808599aabbcce0cfdabeb8', 'server'),
    len126: E(toHex(W.encodeFrame({ opcode: 2, payload: big })), 'client'),
    len127: E('827f0000000000010000', 'client'),
    socketio: E('810133', 'client'),
    'java-ping': E('8900', 'client'),
    'java-pong': E('8a00', 'client'),
    'close-bye': E('880503e8627965', 'client'),
    json: E(toHex(W.encodeFrame({ opcode: 1, payload: '{"type":"chat","user":"ada","tags":["ws","rfc6455"],"text":"hello"}' })), 'client'),
    'bad-rsv1': E('c100', 'client'),
    'bad-opcode': E('8300', 'client'),
    'bad-fragping': E('0900', 'client'),
    'bad-nonminimal': E('817e000548656c6c6f', 'client'),
    'bad-utf8': E('8104cebae1bd', 'client'),
  };
}

/**
 * The decode panel in `root` (section#decode). W: the initialized wsprism-web.
 * Returns { root, load(hex, role, pmd, frame, origin), loadExample(name), example(name), show(), render() }.
 */
export function createDecodePanel(root, { W, text = TEXT, common = COMMON_TEXT }) {
  const ui = elements(root, {
    input: 'dec-input', format: 'dec-format', role: 'dec-role', pmd: 'dec-pmd', origin: 'dec-origin', summary: 'dec-summary',
    frames: 'dec-frames', diagram: 'dec-diagram', bytes: 'dec-bytes', fields: 'dec-fields', violations: 'dec-violations',
    unmask: 'dec-unmask', payload: 'dec-payload', stream: 'dec-stream',
  });
  const EXAMPLES = examples(W);
  const state = { frame: 0, pmdParams: null };

  function setOrigin(node) {
    clear(ui.origin);
    if (node) ui.origin.appendChild(node);
    ui.origin.hidden = !node;
  }

  // pmd: false, true (default parameters) or the negotiated parameters (snake_case, as in a
  // capture report's handshake.deflate). origin: a node saying where the bytes came from (a
  // capture), shown above the summary until other bytes are loaded or typed.
  function load(hex, role, pmd, frame, origin) {
    ui.input.value = spaced(hex);
    ui.format.value = 'auto';
    if (role) ui.role.value = role;
    ui.pmd.checked = !!pmd;
    state.pmdParams = pmd && typeof pmd === 'object' ? pmd : null;
    state.frame = frame || 0;
    setOrigin(origin || null);
    render();
  }
  function loadExample(name) {
    const ex = EXAMPLES[name];
    load(ex.hex, ex.role, ex.pmd, 0);
  }

  // The fields overlapping bit range [a, b) of the frame, as a data-fields value.
  function fieldsIn(f, a, b) {
    const ids = [];
    f.fields.forEach((fd, i) => {
      const s = Number(fd.bit_offset);
      const e = s + Number(fd.bit_width);
      if (s < b && e > a && Number(fd.bit_width) > 0) ids.push(String(i));
    });
    return ids.join(' ');
  }

  function renderDiagram(f, bytes) {
    const box = ui.diagram;
    const start = Number(f.offset);
    const avail = Math.min(bytes.length - start, Number(f.header_len) + Number(f.payload_available));
    const shownBytes = Math.min(avail, Number(f.header_len) + 12);
    const shownBits = shownBytes * 8;
    const rows = Math.ceil(shownBits / 32);
    const bitAt = (bit) => (bytes[start + (bit >> 3)] >> (7 - (bit & 7))) & 1;
    // bit numbers, as in the RFC
    const head = el('div', { class: 'drow dhead', 'aria-hidden': 'true' });
    for (let i = 0; i < 32; i++) head.appendChild(el('span', { class: 'dnum' + (i % 8 === 0 ? ' dnum8' : '') }, String(i % 10)));
    box.appendChild(head);
    for (let r = 0; r < rows; r++) {
      const row = el('div', { class: 'drow' });
      const r0 = r * 32;
      const r1 = Math.min(r0 + 32, shownBits);
      f.fields.forEach((fd, idx) => {
        const s = Math.max(Number(fd.bit_offset), r0);
        const e = Math.min(Number(fd.bit_offset) + Number(fd.bit_width), r1);
        if (e <= s) return;
        const w = e - s;
        let content;
        if (w <= 16) {
          content = '';
          for (let b = s; b < e; b++) content += bitAt(b);
        } else {
          let hx = '';
          for (let by = s >> 3; by < (e + 7) >> 3; by++) hx += hexByte(bytes[start + by]) + ' ';
          content = hx.trim();
        }
        const short = text.fieldShort[fd.name];
        const label = w >= 6 ? short || fd.name : w >= 2 ? short : short.slice(0, 3);
        row.appendChild(el('div', {
          class: 'dcell ' + fieldClass(fd.name) + (w <= 3 ? ' narrow' : ''), 'data-fields': String(idx),
          style: 'grid-column: ' + (s - r0 + 1) + ' / span ' + w, title: fd.name + ': ' + fd.value,
        }, [el('span', { class: 'dlabel' }, label), el('span', { class: 'dbits' }, content)]));
      });
      box.appendChild(row);
    }
    const more = Number(f.payload_len) - (shownBytes - Number(f.header_len));
    if (more > 0) box.appendChild(el('p', { class: 'hint' }, text.morePayload(more, Number(f.payload_len) - Number(f.payload_available))));
  }

  function renderByteStrip(f, bytes) {
    const box = ui.bytes;
    const start = Number(f.offset);
    const n = Math.min(bytes.length - start, Number(f.header_len) + Number(f.payload_available));
    const shown = Math.min(n, 96);
    for (let i = 0; i < shown; i++) {
      const ids = fieldsIn(f, i * 8, i * 8 + 8);
      const first = ids.split(' ')[0];
      const name = first !== '' ? f.fields[Number(first)].name : '';
      const b = bytes[start + i];
      box.appendChild(el('span', {
        class: 'byte ' + fieldClass(name), 'data-fields': ids, tabindex: '0',
        title: text.byteTitle(start + i, b, ids.split(' ').map((x) => f.fields[Number(x)].name)),
      }, [el('b', null, hexByte(b)), el('small', null, bin8(b))]));
    }
    if (n > shown) box.appendChild(el('span', { class: 'hint' }, text.moreBytes(n - shown)));
  }

  function renderFieldTable(f) {
    const tb = ui.fields.tBodies[0];
    f.fields.forEach((fd, i) => {
      tb.appendChild(el('tr', { 'data-fields': String(i), tabindex: '0', class: fieldClass(fd.name) }, [
        el('th', { scope: 'row' }, [el('span', { class: 'swatch ' + fieldClass(fd.name), 'aria-hidden': 'true' }), fd.name]),
        el('td', { class: 'num' }, String(fd.bit_offset)),
        el('td', { class: 'num' }, String(fd.bit_width)),
        el('td', { class: 'mono' }, clip(String(fd.raw), 40) || '—'),
        el('td', null, [String(fd.value), el('br'), el('small', { class: 'muted' }, text.fieldHelp[fd.name] || '')]),
      ]));
    });
  }

  function renderViolations(f, rep) {
    const box = ui.violations;
    if (f.violations.length) {
      box.appendChild(el('ul', { class: 'violations' }, f.violations.map((v) => el('li', null, [
        el('strong', null, v.rfc_section), ' — ', v.message,
        el('br'), el('small', { class: 'muted' }, text.violationMeta(v)),
      ]))));
    } else box.appendChild(el('p', { class: 'ok' }, text.noViolations(common.receiver(ui.role.value))));
    if (rep.error && rep.error_frame !== state.frame) {
      box.appendChild(el('p', { class: 'muted' }, text.streamFails(Number(rep.error_frame), rep.error)));
    }
  }

  function renderUnmask(f) {
    const box = ui.unmask;
    if (!f.masked || !f.masking_key) {
      box.appendChild(el('p', { class: 'muted' }, f.masked ? text.keyIncomplete : text.notMasked));
      return;
    }
    const key = fromHex(f.masking_key);
    const masked = fromHex(f.masked_payload_hex || '');
    const plain = fromHex(f.payload_hex || '');
    if (!masked.length) {
      box.appendChild(el('p', { class: 'muted' }, text.emptyPayload));
      return;
    }
    const n = Math.min(masked.length, 24);
    const rows = [];
    for (let i = 0; i < n; i++) {
      const ch = plain[i] === 32 ? '␠' : plain[i] > 32 && plain[i] < 127 ? String.fromCharCode(plain[i]) : '·';
      rows.push(el('tr', null, [
        el('td', { class: 'num' }, String(i)),
        el('td', { class: 'mono' }, 'key[' + (i % 4) + '] = ' + hexByte(key[i % 4])),
        el('td', { class: 'mono' }, hexByte(masked[i])),
        el('td', { class: 'mono' }, hexByte(masked[i]) + ' ⊕ ' + hexByte(key[i % 4])),
        el('td', { class: 'mono strong' }, hexByte(plain[i])),
        el('td', { class: 'mono' }, ch),
      ]));
    }
    box.appendChild(el('table', { class: 'unmask' }, [
      el('thead', null, el('tr', null, text.unmaskHeads.map((h) => el('th', null, h)))),
      el('tbody', null, rows),
    ]));
    if (masked.length > n) box.appendChild(el('p', { class: 'hint' }, text.unmaskMore(masked.length - n)));
  }

  function renderPayload(f) {
    const dl = el('dl', { class: 'kv' });
    const add = (k, v, cls) => {
      dl.appendChild(el('dt', null, k));
      dl.appendChild(el('dd', { class: cls || '' }, v));
    };
    const K = text.kv;
    add(K.opcode, '0x' + Number(f.opcode).toString(16) + ' (' + f.opcode_name + ')');
    add(K.length, text.length(f));
    if (f.close_code != null) add(K.closeCode, f.close_code + (f.close_code_meaning ? ' (' + f.close_code_meaning + ')' : ''));
    if (f.close_reason != null) add(K.closeReason, JSON.stringify(f.close_reason));
    if (f.text != null && f.close_code == null) add(K.text, JSON.stringify(f.text), 'mono');
    if (f.rsv1 && ui.pmd.checked) add(K.note, text.rsv1Note);
    add(K.hex, f.payload_hex ? clip(spaced(f.payload_hex), 300) : text.emptyHex, 'mono brk');
    ui.payload.appendChild(dl);
    if (f.text != null) {
      const t = f.text.trim();
      if (t[0] === '{' || t[0] === '[') {
        try {
          ui.payload.appendChild(el('pre', { class: 'json', 'aria-label': text.jsonLabel }, JSON.stringify(JSON.parse(t), null, 2)));
        } catch {
          // not JSON
        }
      }
    }
  }

  function renderStreamSummary(rep) {
    const E = text.ev;
    const items = [];
    for (const ev of rep.events) {
      if (ev.kind === 'message') {
        const m = rep.messages[ev.message];
        items.push(el('li', null, [el('strong', null, E.message), text.evMessage(m), el('code', null, m.text != null ? JSON.stringify(clip(m.text, 200)) : clip(spaced(m.data_hex), 120))]));
      } else if (ev.kind === 'close') {
        items.push(el('li', null, [el('strong', null, E.close), ' ' + ev.close_code + (ev.close_reason ? ' ' + JSON.stringify(ev.close_reason) : '')]));
      } else {
        items.push(el('li', null, [el('strong', null, ev.kind), text.evData(ev.payload_hex)]));
      }
    }
    if (rep.error) items.push(el('li', { class: 'bad' }, [el('strong', null, E.error), text.evError(rep.error)]));
    if (rep.waiting_for) items.push(el('li', null, [el('strong', null, E.waiting), ' ' + rep.waiting_for]));
    if (!items.length) items.push(el('li', { class: 'muted' }, text.noMessage));
    ui.stream.appendChild(el('ul', { class: 'events' }, items));
  }

  function render() {
    const parsed = parseBytes(ui.input.value, ui.format.value);
    const summary = ui.summary;
    for (const box of [ui.frames, ui.diagram, ui.bytes, ui.violations, ui.unmask, ui.payload, ui.stream]) clear(box);
    clear(ui.fields.tBodies[0]);
    summary.className = 'summary';
    if (parsed.error) {
      summary.textContent = text.cannotRead(common.bytesError(parsed.error));
      summary.className = 'summary bad';
      return;
    }
    const bytes = parsed.bytes;
    const opts = { role: ui.role.value };
    if (ui.pmd.checked) opts.perMessageDeflate = state.pmdParams || true;
    let rep;
    try {
      rep = W.inspectStream(bytes, opts);
    } catch (e) {
      summary.textContent = errText(e);
      summary.className = 'summary bad';
      return;
    }
    if (!rep.frames.length) {
      summary.textContent = text.noHeader(bytes.length, rep.waiting_for);
      renderStreamSummary(rep);
      return;
    }
    if (state.frame >= rep.frames.length) state.frame = 0;
    const f = rep.frames[state.frame];
    const whole = rep.frames.filter((fr) => fr.complete).length;
    const parts = [];
    if (whole) parts.push(text.complete(whole));
    if (rep.frames.length > whole) parts.push(text.incomplete(whole > 0));
    summary.textContent = text.summary(bytes.length, parsed.format, parts, rep.waiting_for);
    if (rep.frames.length > 1) {
      rep.frames.forEach((fr, i) => {
        ui.frames.appendChild(el('button', {
          type: 'button', class: 'tab' + (i === state.frame ? ' on' : ''), 'aria-pressed': i === state.frame ? 'true' : 'false',
          onclick: () => {
            state.frame = i;
            render();
          },
        }, text.tab(i, fr)));
      });
    }
    renderDiagram(f, bytes);
    renderByteStrip(f, bytes);
    renderFieldTable(f);
    renderViolations(f, rep);
    renderUnmask(f);
    renderPayload(f);
    renderStreamSummary(rep);
  }

  for (const b of root.querySelectorAll('[data-ex]')) b.addEventListener('click', () => loadExample(b.getAttribute('data-ex')));
  ui.input.addEventListener('input', () => {
    state.frame = 0;
    setOrigin(null);
    render();
  });
  ui.format.addEventListener('change', render);
  ui.role.addEventListener('change', render);
  ui.pmd.addEventListener('change', () => {
    state.pmdParams = null;
    render();
  });
  wireHighlight(root);
  render();

  return {
    root,
    load,
    loadExample,
    /** An example's { hex, role, pmd }. */
    example: (name) => EXAMPLES[name],
    show: () => show(root),
    render,
  };
}
