// The visualizer's capture worker (panel 7, "Open a capture"): opens the file with wsprism-web's
// openCapture(bytes, { maxBytes }) off the page's thread — a CaptureSession that keeps the
// capture's frames and messages as compact records in wasm memory (Rust's CaptureIndex,
// docs/capture.md "Paged index") — and answers the page with what it draws: the connection list
// (counts, no frames), then windows of rows of one connection's frames or messages (the page
// renders only the visible rows; the filter runs in wasm), then one frame's wire bytes for the
// decoder. Only the rows asked for ever become JS objects, so a 100 MB capture of millions of
// frames opens like a small one.
//
// Messages: page → worker { id, type: 'init' | 'open' | 'view' | 'rows' | 'frame', ... };
// worker → page { id, ok: true, ... } or { id, ok: false, error: { code, message } }.
// A module worker (new Worker(url, { type: 'module' })): imports the ES module entry of
// wsprism-web, which server.js serves under /wsprism-web/.
import init from '/wsprism-web/capture.js';

let lib = null;
let session = null;      // the open CaptureSession
let report = null;       // session.summary(): the connections without frames and messages
let views = new Map();   // view id -> { conn, kind, filter, n }
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
  if (typeof lib.openCapture !== 'function') {
    const e = new Error('this build of wsprism-web has no openCapture(): rebuild it with `bash scripts/build-wasm.sh` (or `npm start`)');
    e.code = 'ERR_NO_OPEN_CAPTURE';
    throw e;
  }
  return lib;
}

// ------------------------------------------------------------------ open: the connection list

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
    connections: rep.connections.map((c) => ({
      id: c.id, client: c.client, server: c.server, start: c.start, end: c.end,
      handshake_seen: c.handshake_seen, handshake: c.handshake, notes: c.notes || [], tcp: c.tcp,
      frames: c.frame_count, messages: c.message_count, errors: c.errors.length,
      frame_dirs: { client_to_server: c.client_frames, server_to_client: c.frame_count - c.client_frames },
      message_dirs: { client_to_server: c.client_messages, server_to_client: c.message_count - c.client_messages },
      truncated: c.truncated_frames,
      error_list: c.errors.slice(0, 50)
    }))
  };
}

async function open(msg) {
  const W = await engine();
  if (session) session.free(); // give the previous capture's memory back before reading the next
  session = null;
  report = null;
  views = new Map();
  blocks = new Map();
  const t0 = performance.now();
  const bytes = new Uint8Array(msg.buffer);
  const maxBytes = msg.maxBytes;
  session = W.openCapture(bytes, { maxBytes });
  report = session.summary();
  const ms = performance.now() - t0;
  const sum = summary(report, msg.name, ms);
  sum.maxBytes = maxBytes;
  postMessage({ id: msg.id, ok: true, summary: sum });
}

// ------------------------------------------------------------------ views: frames or messages of one connection

function conn(i) {
  const c = report && report.connections[i];
  if (!c) throw new Error('no connection ' + i);
  if (!c._errs) {
    // frame index -> its errors (positions in c.errors)
    const errs = new Map();
    c.errors.forEach((e, k) => {
      if (e.frame == null) return;
      if (!errs.has(e.frame)) errs.set(e.frame, []);
      errs.get(e.frame).push(k);
    });
    c._errs = errs;
  }
  return c;
}

// The page's filter names → the session's filters (Rust: wsprism_capture::index::Filter).
const FILTERS = {
  all: null,
  client_to_server: { direction: 'client_to_server' },
  server_to_client: { direction: 'server_to_client' },
  data: { kind: 'data' },
  control: { kind: 'control' },
  compressed: { compressed: true },
  errors: { errors: true }
};

function makeView(msg) {
  const c = conn(msg.conn);
  const kind = msg.kind === 'messages' || !c.frame_count ? 'messages' : 'frames';
  const filter = FILTERS[msg.filter] || null;
  const n = session[kind](msg.conn, 0, 0, filter).total;
  const vid = nextView++;
  views.set(vid, { conn: msg.conn, kind, filter, n });
  if (views.size > 8) views.delete(views.keys().next().value);
  postMessage({ id: msg.id, ok: true, view: vid, kind, n, total: kind === 'frames' ? c.frame_count : c.message_count });
}

function closeText(hex) {
  if (hex.length < 4) return hex.length ? '(1 byte: invalid)' : '(no status code)';
  const code = parseInt(hex.slice(0, 4), 16);
  const reason = hex.length > 4 ? utf8.decode(bytesOfHex(hex.slice(4), 123)) : '';
  return code + (reason ? ' ' + JSON.stringify(clip(printable(reason), PREVIEW)) : '');
}

// msg: the message that ends with this frame (or null)
function framePreview(f, msg) {
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
  const count = Math.max(0, Math.min(msg.count, v.n - msg.start, 100000));
  if (v.kind === 'frames') {
    const w = session.frames(v.conn, msg.start, count, v.filter);
    w.frames.forEach((f, k) => {
      const errs = c._errs.get(f.index);
      const end = w.message_ends[k];
      // the message only matters to the preview of compressed frames and continuations
      const m = end != null && (f.rsv1 || f.opcode === 0) ? session.message(v.conn, end) : null;
      out.push({
        pos: msg.start + k, index: f.index, direction: f.direction, time: f.time, opcode: f.opcode, opcode_name: f.opcode_name,
        fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, masked: f.masked, masking_key: f.masking_key,
        payload_len: f.payload_len, header_len: f.header_len, truncated: f.truncated,
        preview: framePreview(f, m), errors: errs ? errs.map((e) => errSummary(c.errors[e])) : []
      });
    });
  } else {
    const w = session.messages(v.conn, msg.start, count, v.filter);
    w.messages.forEach((m, k) => {
      const errs = [];
      if (m.frames) for (let i = m.frames[0]; i <= m.frames[1]; i++) (c._errs.get(i) || []).forEach((e) => errs.push(errSummary(c.errors[e])));
      out.push({
        pos: msg.start + k, index: m.index, direction: m.direction, time: m.time, kind: m.kind, length: m.length, compressed: m.compressed,
        frames: m.frames, truncated: m.truncated, preview: messagePreview(m), errors: errs,
        // HAR: no frame bits; the page can rebuild a frame from the payload (panel 2)
        text: m.frames ? null : (m.text != null ? m.text : null), data_hex: m.frames ? null : m.data_hex
      });
    });
  }
  postMessage({ id: msg.id, ok: true, rows: out });
}

// ------------------------------------------------------------------ one frame for the decoder

const CONTEXT_MAX_BYTES = 256 * 1024; // the wire bytes loaded into the decoder for one compressed frame
const CONTEXT_MAX_FRAMES = 64;
const CONTEXT_MAX_SCAN = 8192;       // frames looked at (both directions) when going back for context
const BLOCK = 256;                   // frames fetched from the session at a time while going back

// Frames of one connection by index, fetched a block at a time (the walk back below).
let blocks = new Map(); // 'conn:block' -> { frames, message_ends }
function frameAt(ci, i) {
  const b = Math.floor(i / BLOCK), key = ci + ':' + b;
  let w = blocks.get(key);
  if (!w) {
    w = session.frames(ci, b * BLOCK, BLOCK, null);
    blocks.set(key, w);
    if (blocks.size > 64) blocks.delete(blocks.keys().next().value);
  }
  const k = i - b * BLOCK;
  return w.frames[k] ? { f: w.frames[k], end: w.message_ends[k] } : null;
}

function frame(msg) {
  const c = conn(msg.conn);
  const at = frameAt(msg.conn, msg.index);
  if (!at) throw new Error('no frame ' + msg.index);
  const f = at.f;
  const deflate = c.handshake && c.handshake.deflate ? c.handshake.deflate : null;
  const m = at.end != null ? session.message(msg.conn, at.end) : null;
  let hex = f.raw_hex;
  let select = 0;
  let context = null;
  // With permessage-deflate and context takeover, a compressed message refers back to earlier
  // ones of the same direction: load those frames too (if the capture kept them whole).
  const takeover = deflate && !(f.direction === 'client_to_server' ? deflate.client_no_context_takeover : deflate.server_no_context_takeover);
  let firstOfMsg = f.index;
  let scanned = 0;
  if (m && m.frames) firstOfMsg = m.frames[0];
  else {
    // a fragment: find the first frame of its message (same direction, after the last FIN)
    for (let k = f.index - 1; k >= 0 && scanned < CONTEXT_MAX_SCAN; k--, scanned++) {
      const g = frameAt(msg.conn, k).f;
      if (g.direction !== f.direction || g.opcode >= 8) continue;
      if (g.fin) break;
      firstOfMsg = k;
    }
  }
  const first = frameAt(msg.conn, firstOfMsg).f;
  const needsHistory = deflate && (first.rsv1 || f.rsv1);
  if (needsHistory || firstOfMsg !== f.index) {
    // the frames of this direction from where the decoder must start, up to this one
    let startAt = firstOfMsg;
    if (needsHistory && takeover) startAt = 0;
    const parts = [];
    let size = 0, frames = 0, cut = false, ok = true;
    scanned = 0;
    for (let k = f.index; k >= startAt; k--) {
      if (++scanned > CONTEXT_MAX_SCAN) { ok = false; break; }
      const g = frameAt(msg.conn, k).f;
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
    message: m ? { kind: m.kind, length: m.length, compressed: m.compressed, preview: messagePreview(m) } : null,
    errors: (c._errs.get(f.index) || []).map((k) => errSummary(c.errors[k]))
  });
}

self.onmessage = (ev) => {
  const msg = ev.data;
  const run = async () => {
    if (msg.type === 'init') return engine().then(() => postMessage({ id: msg.id, ok: true }));
    if (msg.type === 'open') return open(msg);
    if (!session) throw new Error('no capture is open');
    if (msg.type === 'view') return makeView(msg);
    if (msg.type === 'rows') return rows(msg);
    if (msg.type === 'frame') return frame(msg);
    throw new Error('unknown request ' + msg.type);
  };
  run().catch((e) => fail(msg.id, e));
};
postMessage({ ready: true });
