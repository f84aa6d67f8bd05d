// Panel 5, "Compression (permessage-deflate)": one message compressed twice by a server
// Encoder, with and without context takeover, both frames inflated again by inspectStream.
import { el, clear, elements, show, stack, table } from '../lib/dom.js';
import { toHex, spaced, concat } from '../lib/hex.js';
import { clip, errText } from '../lib/format.js';

/** The panel's words (English). */
export const TEXT = {
  rows: ['uncompressed', '1st compressed', '2nd, same message'],
  ghostTitle: 'stripped by the sender, appended again by the receiver before inflating',
  heads: ['frame', 'RSV1', 'frame bytes', 'payload bytes', 'bytes (header bold; [stripped tail])'],
  takeoverSmaller: (a, b) => 'With context takeover the second copy is ' + b + ' bytes instead of ' + a + ': the compressor refers back to the first message instead of repeating it.',
  takeoverSame: (a, b) => 'The second copy is ' + b + ' bytes (the first ' + a + ').',
  noTakeover: (a, b) => 'Without context takeover each message is compressed from scratch, so both copies cost ' + a + ' and ' + b + ' bytes.',
  inflated: '✓ the engine inflates both back to the original text',
  notInflated: '✗ inflating did not give the text back',
  needsFirst: ' (the second frame alone cannot be inflated: it needs the first one\'s context).',
  open: 'Open both frames in the decoder',
};

/**
 * The compression panel in `root` (section#compress). decode: panel 1.
 * Returns { root, render(), show() }.
 */
export function createCompressPanel(root, { W, decode, text = TEXT }) {
  const ui = elements(root, { input: 'cz-input', takeover: 'cz-takeover', result: 'cz-result' });

  function render() {
    const box = clear(ui.result);
    const msg = ui.input.value;
    const takeover = ui.takeover.checked;
    const params = { serverNoContextTakeover: !takeover };
    try {
      const enc = new W.Encoder({ role: 'server', perMessageDeflate: params });
      const plain = W.encodeFrame({ opcode: 1, payload: msg });
      const a = enc.message(msg, { compress: true });
      const b = enc.message(msg, { compress: true });
      enc.free();
      const both = concat([a, b]);
      const rep = W.inspectStream(both, { role: 'client', perMessageDeflate: params });
      const rows = [[plain, W.inspectFrame(plain, { role: 'client' })], [a, rep.frames[0]], [b, rep.frames[1]]];
      const tb = rows.map(([bytes, f], i) => {
        const hl = Number(f.header_len);
        const payloadNodes = [el('span', { class: 'hdr' }, spaced(toHex(bytes.subarray(0, hl)))), ' ', clip(spaced(toHex(bytes.subarray(hl))), 240)];
        if (f.rsv1) payloadNodes.push(el('span', { class: 'ghost', title: text.ghostTitle }, ' [00 00 ff ff]'));
        return el('tr', null, [
          el('th', { scope: 'row' }, text.rows[i]),
          el('td', { class: 'mono' }, f.rsv1 ? '1' : '0'),
          el('td', { class: 'num' }, String(bytes.length)),
          el('td', { class: 'num' }, String(f.payload_len)),
          el('td', { class: 'mono brk' }, payloadNodes),
        ]);
      });
      box.appendChild(stack(table({ class: 'cz' }, text.heads, tb)));
      const ok = rep.messages.length === 2 && rep.messages.every((m) => m.text === msg);
      const sizeA = a.length;
      const sizeB = b.length;
      box.appendChild(el('p', null, [
        takeover ? (sizeB < sizeA ? text.takeoverSmaller(sizeA, sizeB) : text.takeoverSame(sizeA, sizeB)) : text.noTakeover(sizeA, sizeB),
        ' ', el('span', { class: ok ? 'ok' : 'bad' }, ok ? text.inflated : text.notInflated),
        takeover ? text.needsFirst : '.',
      ]));
      const hex = toHex(both);
      box.appendChild(el('button', {
        type: 'button', id: 'cz-open',
        onclick: () => {
          decode.load(hex, 'client', true, 1);
          decode.show();
        },
      }, text.open));
    } catch (e) {
      box.appendChild(el('p', { class: 'bad' }, errText(e)));
    }
  }

  ui.input.addEventListener('input', render);
  ui.takeover.addEventListener('change', render);
  render();

  return { root, render, show: () => show(root) };
}
