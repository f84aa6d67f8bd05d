// The visualizer's capture worker (panel 7, "Open a capture"): runs wsprism-web's
// inspectCapture(bytes, { maxBytes }) off the page's thread, keeps the report here and answers
// the page with what it draws: the connection list (no frames), then windows of rows of one
// connection's frames or messages (the page renders only the visible rows), then one frame's
// wire bytes for the decoder. A 100 MB capture holds hundreds of thousands of frames: copying
// the whole report to the page would cost more than decoding it.
//
// Messages: page → worker { id, type: 'init' | 'open' | 'view' | 'rows' | 'frame', ... };
// worker → page { id, ok: true, ... } or { id, ok: false, error: { code, message } }.
// A module worker (new Worker(url, { type: 'module' })): imports the ES module entry of
// wsprism-web, which server.js serves under /wsprism-web/.
import init from '/wsprism-web/index.js';

let lib = null;
let report = null;       // the last inspectCapture report
let views = new Map();   // view id -> { conn, kind, list: Uint32Array | null, n }
let nextView = 1;
const PREVIEW = 96;      // characters of text in a row's preview

const utf8 = new TextDecoder('utf-8'); // not fatal: a preview of a cut frame may end mid-character
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function bytesOfHex(hex, max) {
  const n = Math.min(hex.length >> 1, max == null ? Infinity : max);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}
function clip(s, n) { return s.length > n ? s.slice(0, n) + '…' : s; }
function printable(s) { return s.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '·').replace(/[\r\n\t]+/g, ' '); }
function spacedHex(hex, nBytes) {
  const h = hex.slice(0, nBytes * 2).replace(/(..)(?=.)/g, '$1 ');
  return hex.length > nBytes * 2 ? h + ' …' : h;
}

function fail(id, e) {
  postMessage({ id, ok: false, error: { code: (e && e.code) || 'ERR_CAPTURE', message: (e && e.message) || String(e) } });
}

async function engine() {
  if (!lib) lib = await init();
  if (typeof lib.inspectCapture !== 'function') {
    const e = new Error('this build of wsprism-web has no inspectCapture(): rebuild it with `bash scripts/build-wasm.sh` (or `npm start`)');
    e.code = 'ERR_NO_INSPECT_CAPTURE';
    throw e;
  }
  return lib;
}

// ------------------------------------------------------------------ open: the connection list

function dirCounts(list) {
  let c2s = 0;
  for (let i = 0; i < list.length; i++) if (list[i].direction === 'client_to_server') c2s++;
  return { client_to_server: c2s, server_to_client: list.length - c2s };
}

function summary(rep, name, ms) {
  return {
    name,
    format: rep.format,
    link_types: rep.link_types || [],
    packets: rep.packets,
    bytes: rep.bytes,
    skipped_packets: rep.skipped_packets || 0,
    other_tcp_connections: rep.other_tcp_connections || 0,
    errors: rep.errors || [],
    ms,
    connections: rep.connections.map((c) => {
      let truncated = 0;
      for (let i = 0; i < c.frames.length; i++) if (c.frames[i].truncated) truncated++;
      return {
        id: c.id, client: c.client, server: c.server, start: c.start, end: c.end,
        handshake_seen: c.handshake_seen, handshake: c.handshake, notes: c.notes || [], tcp: c.tcp,
        frames: c.frames.length, messages: c.messages.length, errors: c.errors.length,
        frame_dirs: dirCounts(c.frames), message_dirs: dirCounts(c.messages), truncated,
        error_list: c.errors.slice(0, 50)
      };
    })
  };
}

async function open(msg) {
  const W = await engine();
  report = null; // let the previous report go before decoding the next one
  views = new Map();
  const t0 = performance.now();
  const bytes = new Uint8Array(msg.buffer);
  let maxBytes = msg.maxBytes;
  let rep;
  for (;;) {
    try {
      rep = W.inspectCapture(bytes, { maxBytes });
      break;
    } catch (e) {
      // The report crosses from wasm as one JSON text, and a JS string holds at most 2^29 - 24
      // characters: with fewer bytes kept per frame it may still fit (not for millions of frames).
      if (!(e && e.code === 'CAPTURE_REPORT_TOO_LARGE' && msg.fallbackMaxBytes && (maxBytes === 0 || maxBytes > msg.fallbackMaxBytes))) throw e;
      maxBytes = msg.fallbackMaxBytes;
      postMessage({ id: msg.id, progress: 'the report was too large with ' + (msg.maxBytes || 'all') + ' bytes per frame: reading again with ' + maxBytes + '…' });
    }
  }
  if (typeof rep === 'string') rep = JSON.parse(rep);
  const ms = performance.now() - t0;
  report = rep;
  views = new Map();
  const sum = summary(rep, msg.name, ms);
  sum.maxBytes = maxBytes;
  postMessage({ id: msg.id, ok: true, summary: sum });
}

// ------------------------------------------------------------------ views: frames or messages of one connection

function conn(i) {
  const c = report && report.connections[i];
  if (!c) throw new Error('no connection ' + i);
  if (!c._idx) {
    // frame index -> its errors; last frame of a message -> the message (for previews)
    const errs = new Map();
    c.errors.forEach((e, k) => {
      if (e.frame == null) return;
      if (!errs.has(e.frame)) errs.set(e.frame, []);
      errs.get(e.frame).push(k);
    });
    const msgByLast = new Map();
    c.messages.forEach((m, k) => { if (m.frames) msgByLast.set(m.frames[1], k); });
    c._idx = { errs, msgByLast };
  }
  return c;
}

const FILTERS = {
  all: null,
  client_to_server: (x) => x.direction === 'client_to_server',
  server_to_client: (x) => x.direction === 'server_to_client',
  data: (x) => x.opcode != null ? x.opcode < 8 : (x.kind === 'text' || x.kind === 'binary'),
  control: (x) => x.opcode != null ? x.opcode >= 8 : !(x.kind === 'text' || x.kind === 'binary'),
  compressed: (x) => x.opcode != null ? x.rsv1 : x.compressed
};

function makeView(msg) {
  const c = conn(msg.conn);
  const kind = msg.kind === 'messages' || !c.frames.length ? 'messages' : 'frames';
  const items = c[kind];
  let list = null;
  if (msg.filter === 'errors') {
    if (kind === 'frames') list = Uint32Array.from([...c._idx.errs.keys()].sort((a, b) => a - b));
    else {
      const withErr = [];
      items.forEach((m, k) => { if (m.frames && hasErrorIn(c, m.frames[0], m.frames[1])) withErr.push(k); });
      list = Uint32Array.from(withErr);
    }
  } else if (FILTERS[msg.filter]) {
    const f = FILTERS[msg.filter];
    const tmp = new Uint32Array(items.length);
    let n = 0;
    for (let i = 0; i < items.length; i++) if (f(items[i])) tmp[n++] = i;
    list = tmp.slice(0, n);
  }
  const n = list ? list.length : items.length;
  const vid = nextView++;
  views.set(vid, { conn: msg.conn, kind, list, n });
  if (views.size > 8) views.delete(views.keys().next().value);
  postMessage({ id: msg.id, ok: true, view: vid, kind, n, total: items.length });
}

function hasErrorIn(c, a, b) {
  for (let i = a; i <= b; i++) if (c._idx.errs.has(i)) return true;
  return false;
}

function closeText(hex) {
  if (hex.length < 4) return hex.length ? '(1 byte: invalid)' : '(no status code)';
  const code = parseInt(hex.slice(0, 4), 16);
  const reason = hex.length > 4 ? utf8.decode(bytesOfHex(hex.slice(4), 123)) : '';
  return code + (reason ? ' ' + JSON.stringify(clip(printable(reason), PREVIEW)) : '');
}

function framePreview(c, f) {
  const m = c._idx.msgByLast.get(f.index);
  const msg = m != null ? c.messages[m] : null;
  if (f.opcode === 8) return 'close ' + closeText(f.payload_hex || '');
  if (f.rsv1 && msg) return 'message ' + messagePreview(msg) + ' (inflated from ' + f.payload_len + ' B)';
  if (f.rsv1) return '(compressed ' + spacedHex(f.payload_hex || '', 12) + ')';
  const isText = f.opcode === 1 || f.opcode === 9 || f.opcode === 10 || (f.opcode === 0 && msg && msg.kind === 'text');
  if (isText || f.opcode === 0) {
    const b = bytesOfHex(f.payload_hex || '', PREVIEW * 4);
    let t = null;
    try { t = utf8Strict.decode(b); } catch (e) { t = f.opcode === 1 || (f.opcode === 0 && msg && msg.kind === 'text') ? utf8.decode(b) : null; }
    if (t != null && (isText || /^[\x20-\x7e\s]*$/.test(t))) return t.length || !f.payload_len ? JSON.stringify(clip(printable(t), PREVIEW)) + (f.truncated ? ' …' : '') : '';
  }
  return f.payload_hex ? spacedHex(f.payload_hex, 24) : (f.payload_len ? '' : '(empty)');
}

function messagePreview(m) {
  if (m.kind === 'close') return (m.close_code != null ? m.close_code : '(no status code)') + (m.close_reason ? ' ' + JSON.stringify(clip(printable(m.close_reason), PREVIEW)) : '');
  if (m.text != null) return JSON.stringify(clip(printable(m.text), PREVIEW)) + (m.truncated ? ' …' : '');
  return m.data_hex ? spacedHex(m.data_hex, 24) : '(empty)';
}

function errSummary(e) {
  return { code: e.code, close_code: e.close_code, rfc_section: e.rfc_section, message: e.message, frame: e.frame };
}

function rows(msg) {
  const v = views.get(msg.view);
  if (!v) throw new Error('stale view');
  const c = conn(v.conn);
  const out = [];
  const end = Math.min(v.n, msg.start + msg.count);
  for (let p = msg.start; p < end; p++) {
    const i = v.list ? v.list[p] : p;
    if (v.kind === 'frames') {
      const f = c.frames[i];
      const errs = c._idx.errs.get(i);
      out.push({
        pos: p, index: i, direction: f.direction, time: f.time, opcode: f.opcode, opcode_name: f.opcode_name,
        fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, masked: f.masked, masking_key: f.masking_key,
        payload_len: f.payload_len, header_len: f.header_len, truncated: f.truncated,
        preview: framePreview(c, f), errors: errs ? errs.map((k) => errSummary(c.errors[k])) : []
      });
    } else {
      const m = c.messages[i];
      const errs = [];
      if (m.frames) for (let k = m.frames[0]; k <= m.frames[1]; k++) (c._idx.errs.get(k) || []).forEach((e) => errs.push(errSummary(c.errors[e])));
      out.push({
        pos: p, index: i, direction: m.direction, time: m.time, kind: m.kind, length: m.length, compressed: m.compressed,
        frames: m.frames, truncated: m.truncated, preview: messagePreview(m), errors: errs,
        // HAR: no frame bits; the page can rebuild a frame from the payload (panel 2)
        text: m.frames ? null : (m.text != null ? m.text : null), data_hex: m.frames ? null : m.data_hex
      });
    }
  }
  postMessage({ id: msg.id, ok: true, rows: out });
}

// ------------------------------------------------------------------ one frame for the decoder

const CONTEXT_MAX_BYTES = 256 * 1024; // the wire bytes loaded into the decoder for one compressed frame
const CONTEXT_MAX_FRAMES = 64;

function frame(msg) {
  const c = conn(msg.conn);
  const f = c.frames[msg.index];
  if (!f) throw new Error('no frame ' + msg.index);
  const deflate = c.handshake && c.handshake.deflate ? c.handshake.deflate : null;
  const m = c._idx.msgByLast.get(f.index);
  let hex = f.raw_hex;
  let select = 0;
  let context = null;
  // With permessage-deflate and context takeover, a compressed message refers back to earlier
  // ones of the same direction: load those frames too (if the capture kept them whole).
  const takeover = deflate && !(f.direction === 'client_to_server' ? deflate.client_no_context_takeover : deflate.server_no_context_takeover);
  let firstOfMsg = f.index;
  if (m != null && c.messages[m].frames) firstOfMsg = c.messages[m].frames[0];
  else {
    // a fragment: find the first frame of its message (same direction, after the last FIN)
    for (let k = f.index - 1; k >= 0; k--) {
      const g = c.frames[k];
      if (g.direction !== f.direction || g.opcode >= 8) continue;
      if (g.fin) break;
      firstOfMsg = k;
    }
  }
  const first = c.frames[firstOfMsg];
  const needsHistory = deflate && (first.rsv1 || f.rsv1);
  if (needsHistory || firstOfMsg !== f.index) {
    // the frames of this direction from where the decoder must start, up to this one
    let startAt = firstOfMsg;
    if (needsHistory && takeover) startAt = 0;
    const parts = [];
    let size = 0, frames = 0, cut = false, ok = true;
    for (let k = f.index; k >= startAt; k--) {
      const g = c.frames[k];
      if (g.direction !== f.direction) continue;
      if (g.truncated) cut = true;
      size += g.raw_hex.length >> 1;
      frames++;
      if (size > CONTEXT_MAX_BYTES || frames > CONTEXT_MAX_FRAMES) { ok = false; break; }
      parts.push(g.raw_hex);
    }
    if (ok && !(cut && parts.length > 1)) {
      parts.reverse();
      hex = parts.join('');
      select = parts.length - 1;
      context = { frames: parts.length, from: startAt === 0 && takeover && needsHistory ? 'start' : 'message' };
    } else {
      context = { frames: 1, missing: true, takeover: !!takeover, cut };
    }
  }
  postMessage({
    id: msg.id, ok: true, hex, select, context, deflate,
    frame: {
      index: f.index, direction: f.direction, time: f.time, opcode: f.opcode, opcode_name: f.opcode_name,
      masked: f.masked, masking_key: f.masking_key, header_len: f.header_len, payload_len: f.payload_len,
      truncated: f.truncated, stream_offset: f.stream_offset, raw_len: f.raw_hex.length >> 1
    },
    message: m != null ? { kind: c.messages[m].kind, length: c.messages[m].length, compressed: c.messages[m].compressed, preview: messagePreview(c.messages[m]) } : null,
    errors: (c._idx.errs.get(f.index) || []).map((k) => errSummary(c.errors[k]))
  });
}

self.onmessage = (ev) => {
  const msg = ev.data;
  const run = async () => {
    if (msg.type === 'init') return engine().then(() => postMessage({ id: msg.id, ok: true }));
    if (msg.type === 'open') return open(msg);
    if (!report) throw new Error('no capture is open');
    if (msg.type === 'view') return makeView(msg);
    if (msg.type === 'rows') return rows(msg);
    if (msg.type === 'frame') return frame(msg);
    throw new Error('unknown request ' + msg.type);
  };
  run().catch((e) => fail(msg.id, e));
};
postMessage({ ready: true });
