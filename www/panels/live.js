// Panel 6, "Live": a real WebSocket to the demo server (www/server.js), whose side channel
// (/tap) sends back every byte of the connection; each direction's bytes are decoded by the
// engine as they arrive, one row per frame. A row's button opens the frame in panel 1.
import { el, clear, elements, show, stack } from '../lib/dom.js';
import { toHex, fromHex, spaced, concat, textOf } from '../lib/hex.js';
import { clip, header } from '../lib/format.js';

/** The panel's words (English). */
export const TEXT = {
  needServer: 'The live demo needs the demo server: run `npm start` and open the URL it prints.',
  connecting: 'Connecting…',
  tapFailed: 'The side channel failed: is the demo server running?',
  connected: (url, ext) => 'Connected to ' + url + '. Extensions agreed: ' + (ext || 'none') + '.',
  closed: (ev) => 'Closed: code ' + ev.code + (ev.reason ? ' "' + ev.reason + '"' : '') + '.',
  browserSent: 'Your browser sent',
  serverAnswered: 'The server answered',
  message: 'message: ',
  inflatedFrom: (n) => ' (inflated from ' + n + ' bytes)',
  moreFragments: ' (more fragments follow)',
  fragment: '(fragment)',
  noStatus: '(no status)',
  compressed: 'RSV1 (compressed)',
  mask: (k) => 'mask ' + k,
  dir: { in: 'browser → server', out: 'server → browser' },
  decodeLabel: (n) => 'Decode frame ' + n,
  decode: 'Decode',
};

/**
 * The live panel in `root` (section#live). decode: panel 1.
 * Returns { root, connect() → Promise, send(data), show() }.
 */
export function createLivePanel(root, { W, decode, text = TEXT }) {
  const ui = elements(root, {
    connect: 'live-connect', close: 'live-close', status: 'live-status', msg: 'live-msg', send: 'live-send', json: 'live-json',
    bin: 'live-bin', big: 'live-big', ping: 'live-ping', hsBody: 'live-hs-body', table: 'live-table',
  });
  let live = null;

  function status(t, cls) {
    ui.status.textContent = t;
    ui.status.className = 'status ' + (cls || '');
  }
  function buttons(open) {
    for (const b of [ui.send, ui.json, ui.bin, ui.big, ui.ping, ui.close]) b.disabled = !open;
    ui.connect.disabled = !!open;
  }

  function connect() {
    if (live && live.ws && live.ws.readyState <= 1) return Promise.resolve();
    if (location.protocol !== 'http:' && location.protocol !== 'https:') {
      status(text.needServer, 'bad');
      return Promise.reject(new Error('no server'));
    }
    const session = toHex(crypto.getRandomValues(new Uint8Array(8)));
    const base = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;
    clear(ui.table.tBodies[0]);
    clear(ui.hsBody);
    live = {
      session, rows: 0, params: null, reqExt: null,
      dirs: { in: { bytes: new Uint8Array(0), shown: 0, msgs: 0 }, out: { bytes: new Uint8Array(0), shown: 0, msgs: 0 } },
    };
    status(text.connecting);
    return new Promise((resolve, reject) => {
      const tap = new WebSocket(base + '/tap?session=' + session);
      live.tap = tap;
      tap.onmessage = (ev) => onTap(JSON.parse(ev.data));
      tap.onerror = () => {
        status(text.tapFailed, 'bad');
        reject(new Error('tap'));
      };
      tap.onopen = () => {
        const ws = new WebSocket(base + '/demo?session=' + session);
        ws.binaryType = 'arraybuffer';
        live.ws = ws;
        ws.onopen = () => {
          status(text.connected(base + '/demo', ws.extensions), 'ok');
          buttons(true);
          resolve();
        };
        ws.onclose = (ev) => {
          status(text.closed(ev));
          buttons(false);
        };
        ws.onerror = () => reject(new Error('demo'));
      };
    });
  }

  function onTap(m) {
    if (!live || m.type !== 'bytes') return;
    const bytes = fromHex(m.hex);
    if (m.phase === 'handshake') {
      const t = textOf(bytes) || '';
      ui.hsBody.appendChild(el('h3', null, m.dir === 'in' ? text.browserSent : text.serverAnswered));
      ui.hsBody.appendChild(el('pre', { class: 'http' }, t));
      try {
        if (m.dir === 'in') live.reqExt = header(W.parseHandshakeRequest(t).headers, 'sec-websocket-extensions');
        else {
          const ext = header(W.parseHandshakeResponse(t).headers, 'sec-websocket-extensions');
          if (ext) {
            try {
              live.params = W.acceptPerMessageDeflate(ext, true);
            } catch {
              const n = live.reqExt ? W.negotiatePerMessageDeflate(live.reqExt, true) : null;
              live.params = n ? n.params : null;
            }
          }
        }
      } catch {
        // shown as text anyway
      }
      return;
    }
    const d = live.dirs[m.dir];
    d.bytes = concat([d.bytes, bytes]);
    const opts = { role: m.dir === 'in' ? 'server' : 'client' };
    if (live.params) opts.perMessageDeflate = live.params;
    const rep = W.inspectStream(d.bytes, opts);
    for (; d.shown < rep.frames.length; d.shown++) {
      const f = rep.frames[d.shown];
      if (!f.complete) break;
      addRow(m.dir, f, d, rep);
    }
  }

  function payloadText(f, d, rep) {
    if (f.opcode === 0 || f.opcode === 1 || f.opcode === 2) {
      if (!f.fin) return f.text != null ? JSON.stringify(clip(f.text, 120)) + text.moreFragments : text.fragment;
      const msg = rep.messages[d.msgs++];
      if (!msg) return '';
      return (f.rsv1 || f.opcode === 0 ? text.message : '') + (msg.text != null ? JSON.stringify(clip(msg.text, 120)) : clip(spaced(msg.data_hex), 60)) +
        (f.rsv1 ? text.inflatedFrom(f.payload_len) : '');
    }
    if (f.opcode === 8) return f.close_code != null ? f.close_code + (f.close_reason ? ' "' + f.close_reason + '"' : '') : text.noStatus;
    return f.text != null ? JSON.stringify(f.text) : spaced(f.payload_hex);
  }

  function addRow(dir, f, d, rep) {
    const s = Number(f.offset);
    const e = s + Number(f.header_len) + Number(f.payload_len);
    const hex = toHex(d.bytes.subarray(s, e));
    const index = d.shown;
    const payload = payloadText(f, d, rep);
    const flags = [f.opcode_name, f.fin ? 'FIN' : 'FIN=0'];
    if (f.rsv1) flags.push(text.compressed);
    if (f.masked) flags.push(text.mask(f.masking_key));
    const n = ++live.rows;
    const role = dir === 'in' ? 'server' : 'client';
    const params = live.params;
    const row = el('tr', { class: dir === 'in' ? 'dir-in' : 'dir-out' }, [
      el('td', { class: 'num' }, String(n)),
      el('td', null, text.dir[dir]),
      el('td', null, flags.join(', ') + (f.violations.length ? ' ⚠ ' + f.violations[0].message : '')),
      el('td', { class: 'mono' }, clip(spaced(hex), 72)),
      el('td', { class: 'brk' }, payload),
      el('td', null, el('button', {
        type: 'button', class: 'small', 'aria-label': text.decodeLabel(n),
        onclick: () => {
          // With permessage-deflate (context takeover) a message can only be inflated after the
          // ones before it: load the connection's bytes up to this frame and select it.
          if (params) decode.load(toHex(d.bytes.subarray(0, e)), role, true, index);
          else decode.load(hex, role, false, 0);
          decode.show();
        },
      }, text.decode)),
    ]);
    ui.table.tBodies[0].appendChild(row);
    stack(ui.table);
  }

  function send(data) {
    if (live && live.ws && live.ws.readyState === 1) live.ws.send(data);
  }

  ui.connect.addEventListener('click', () => connect().catch(() => {}));
  ui.close.addEventListener('click', () => {
    if (live && live.ws) live.ws.close(1000, 'done');
  });
  ui.send.addEventListener('click', () => send(ui.msg.value));
  ui.json.addEventListener('click', () => send(JSON.stringify({ type: 'chat', text: ui.msg.value, at: new Date().toISOString() })));
  ui.bin.addEventListener('click', () => send(new Uint8Array([0xde, 0xad, 0xbe, 0xef])));
  ui.big.addEventListener('click', () => send(new Array(31).join('websocket ').slice(0, 300)));
  ui.ping.addEventListener('click', () => send('/ping'));

  return { root, connect, send, show: () => show(root) };
}
