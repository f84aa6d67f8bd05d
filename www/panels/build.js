// Panel 2, "Build a frame": header bits, mask and payload → bytes from the engine
// (encodeFrame for one frame, an Encoder for fragmented or compressed messages), each frame's
// header in bold, checked again by inspectStream. "Open in decoder" hands the bytes to panel 1.
import { el, clear, elements, show } from '../lib/dom.js';
import { toHex, spaced, parseBytes, utf8 } from '../lib/hex.js';
import { clip, errText } from '../lib/format.js';
import { COMMON_TEXT } from '../lib/words.js';

/** The panel's words (English). */
export const TEXT = {
  badKey: 'The key must be 8 hex digits (4 bytes).',
  badPayload: (why) => 'Payload: ' + why + '.',
  byEncoder: (frag, compress) => 'Encoded as a message by the Encoder' +
    (frag ? ', fragments of at most ' + frag + ' bytes (the first frame keeps the opcode, the others are continuation frames)' : '') +
    (compress ? ', compressed (RSV1 on the first frame)' : '') + '.',
  rsvIgnored: 'The RSV boxes are ignored here: the Encoder sets RSV1 itself.',
  controlOnly: 'Fragmentation and compression apply to text and binary messages only: control frames are never fragmented or compressed (RFC 6455 §5.5, RFC 7692 §6.1).',
  headerTitle: (n) => 'header (' + n + ' bytes)',
  size: (bytes, frames) => bytes + ' bytes in ' + frames + ' frame' + (frames > 1 ? 's' : '') + ' (headers in bold).',
  rejected: (receiver, list) => 'A ' + receiver + ' would reject this: ' + list.join('; ') + '.',
  violation: (v) => v.message + ' (' + v.rfc_section + ')',
  fromHar: (index, masked) => 'Message ' + (index + 1) + ' of the HAR file, rebuilt as one ' + (masked ? 'masked client' : 'unmasked server') +
    ' frame (the HAR keeps the message, not its frames, key or compression). ',
};

/**
 * The build panel in `root` (section#build). decode: panel 1 (for "Open in decoder").
 * Returns { root, render(), rebuild(message), show() }.
 */
export function createBuildPanel(root, { W, decode, text = TEXT, common = COMMON_TEXT }) {
  const ui = elements(root, {
    fin: 'b-fin', rsv1: 'b-rsv1', rsv2: 'b-rsv2', rsv3: 'b-rsv3', opcode: 'b-opcode', mask: 'b-mask', key: 'b-key',
    randKey: 'b-randkey', ptype: 'b-ptype', payload: 'b-payload', frag: 'b-frag', compress: 'b-compress', invalid: 'b-invalid',
    note: 'build-note', out: 'build-out', open: 'build-open',
  });
  let built = null;

  function render() {
    const { note, out } = ui;
    note.textContent = '';
    out.className = 'hexout';
    built = null;
    const opcode = Number(ui.opcode.value);
    const masked = ui.mask.checked;
    const key = ui.key.value.trim();
    ui.key.disabled = !masked;
    ui.randKey.disabled = !masked;
    if (masked && !/^[0-9a-fA-F]{8}$/.test(key)) {
      out.textContent = text.badKey;
      out.className = 'hexout bad';
      return;
    }
    let payload;
    if (ui.ptype.value === 'hex') {
      const p = parseBytes(ui.payload.value, 'hex');
      if (p.error) {
        out.textContent = text.badPayload(common.bytesError(p.error));
        out.className = 'hexout bad';
        return;
      }
      payload = p.bytes;
    } else payload = utf8.encode(ui.payload.value);
    const frag = Math.max(0, Math.floor(Number(ui.frag.value) || 0));
    const compress = ui.compress.checked;
    const notes = [];
    try {
      let bytes;
      if ((frag > 0 || compress) && (opcode === 1 || opcode === 2)) {
        const enc = new W.Encoder({ role: masked ? 'client' : 'server', perMessageDeflate: compress ? true : undefined });
        const mopts = { binary: opcode === 2, compress, fin: ui.fin.checked };
        if (frag > 0) mopts.fragmentSize = frag;
        if (masked) mopts.mask = key;
        bytes = enc.message(payload, mopts);
        enc.free();
        notes.push(text.byEncoder(frag, compress));
        if (ui.rsv1.checked || ui.rsv2.checked || ui.rsv3.checked) notes.push(text.rsvIgnored);
      } else {
        if (frag > 0 || compress) notes.push(text.controlOnly);
        bytes = W.encodeFrame({
          opcode, payload, fin: ui.fin.checked, rsv1: ui.rsv1.checked, rsv2: ui.rsv2.checked, rsv3: ui.rsv3.checked,
          mask: masked ? key : undefined, allowInvalid: ui.invalid.checked,
        });
      }
      built = { bytes, role: masked ? 'server' : 'client', pmd: compress };
      const rep = W.inspectStream(bytes, { role: built.role, perMessageDeflate: compress ? true : undefined });
      clear(out);
      rep.frames.forEach((fr, i) => {
        const s = Number(fr.offset);
        const hl = Number(fr.header_len);
        const e = s + hl + Number(fr.payload_len);
        out.appendChild(el('span', { class: 'frm' }, [
          el('span', { class: 'hdr', title: text.headerTitle(hl) }, spaced(toHex(bytes.subarray(s, s + hl)))),
          e > s + hl ? ' ' + clip(spaced(toHex(bytes.subarray(s + hl, e))), 600) : '',
        ]));
        if (i < rep.frames.length - 1) out.appendChild(el('span', { class: 'sep', 'aria-hidden': 'true' }, ' │ '));
      });
      const bad = [];
      for (const fr of rep.frames) for (const v of fr.violations) bad.push(text.violation(v));
      notes.unshift(text.size(bytes.length, rep.frames.length));
      if (bad.length) notes.push(text.rejected(built.role, bad));
      note.textContent = notes.join(' ');
      out.setAttribute('data-hex', toHex(bytes));
    } catch (e) {
      out.textContent = errText(e);
      out.className = 'hexout bad';
    }
  }

  /**
   * A message without wire bytes (a HAR entry: { index, kind, direction, text, data_hex }),
   * rebuilt as the one frame its sender would send.
   */
  function rebuild(r) {
    const op = { text: 1, binary: 2, close: 8, ping: 9, pong: 10 }[r.kind] || 1;
    const masked = r.direction === 'client_to_server';
    ui.opcode.value = String(op);
    ui.fin.checked = true;
    ui.rsv1.checked = false;
    ui.rsv2.checked = false;
    ui.rsv3.checked = false;
    ui.mask.checked = masked;
    if (r.text != null && op !== 8) {
      ui.ptype.value = 'text';
      ui.payload.value = r.text;
    } else {
      ui.ptype.value = 'hex';
      ui.payload.value = spaced(r.data_hex || '');
    }
    ui.frag.value = '0';
    ui.compress.checked = false;
    render();
    ui.note.textContent = text.fromHar(r.index, masked) + ui.note.textContent;
  }

  for (const k of ['fin', 'rsv1', 'rsv2', 'rsv3', 'opcode', 'mask', 'key', 'ptype', 'payload', 'frag', 'compress', 'invalid']) {
    ui[k].addEventListener('input', render);
    ui[k].addEventListener('change', render);
  }
  ui.randKey.addEventListener('click', () => {
    ui.key.value = toHex(crypto.getRandomValues(new Uint8Array(4)));
    render();
  });
  ui.open.addEventListener('click', () => {
    if (!built) return;
    decode.load(toHex(built.bytes), built.role, built.pmd, 0);
    decode.show();
  });
  render();

  return { root, render, rebuild, show: () => show(root) };
}
