/* wsprism frame visualizer. Every protocol decision (parsing, masking, validation, compression,
 * handshakes) is made by the wsprism engine (packages/wsprism-web, the classic-script global
 * `wsprism`); this file only turns its reports into HTML. */
'use strict';

(function () {
  var W = null; // the initialized wsprism library
  var $ = function (id) { return document.getElementById(id); };

  // ------------------------------------------------------------------ small helpers (display only)

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (attrs[k] == null || attrs[k] === false) continue;
        if (k === 'class') e.className = attrs[k];
        else if (k === 'text') e.textContent = attrs[k];
        else if (k === 'style') e.setAttribute('style', attrs[k]);
        else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
        else e.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
      }
    }
    if (children != null) {
      (Array.isArray(children) ? children : [children]).forEach(function (c) {
        if (c == null || c === false) return;
        e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
      });
    }
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function toHex(u8) {
    var s = '';
    for (var i = 0; i < u8.length; i++) s += (u8[i] < 16 ? '0' : '') + u8[i].toString(16);
    return s;
  }
  function spaced(hex) { return (hex || '').replace(/(..)(?=.)/g, '$1 '); }
  function fromHex(hex) {
    var out = new Uint8Array(hex.length >> 1);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
    return out;
  }
  function concat(list) {
    var n = 0; list.forEach(function (a) { n += a.length; });
    var out = new Uint8Array(n), o = 0;
    list.forEach(function (a) { out.set(a, o); o += a.length; });
    return out;
  }
  function clip(s, n) { return s.length > n ? s.slice(0, n) + '…' : s; }
  function hexByte(n) { return (n < 16 ? '0' : '') + n.toString(16); }
  function bin8(n) { return ('0000000' + n.toString(2)).slice(-8); }
  var utf8 = new TextEncoder();
  function textOf(u8) {
    try { return new TextDecoder('utf-8', { fatal: true }).decode(u8); } catch (e) { return null; }
  }
  function printable(s) {
    return s.replace(/[\x00-\x1f\x7f]/g, function (c) { return '\\x' + hexByte(c.charCodeAt(0)); });
  }
  // Phone layout: each cell carries its column's name (CSS shows it when rows are stacked).
  function stack(table) {
    var heads = Array.prototype.map.call(table.querySelectorAll('thead th'), function (th) { return th.textContent; });
    Array.prototype.forEach.call(table.querySelectorAll('tbody tr'), function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, i) { if (td.tagName === 'TD') td.setAttribute('data-label', heads[i] || ''); });
    });
    table.classList.add('stack');
    return table;
  }
  function errText(e) { return (e && e.code ? e.code + ': ' : '') + (e && e.message ? e.message : String(e)); }

  // User input: hex (spaces, colons, commas, 0x ignored) or base64. Returns { bytes } or { error }.
  function parseBytes(text, format) {
    var t = String(text).trim();
    var hex = t.replace(/0x/gi, '').replace(/[\s:,]/g, '');
    var looksHex = /^[0-9a-fA-F]*$/.test(hex) && hex.length % 2 === 0;
    if (format === 'hex' || (format === 'auto' && looksHex)) {
      if (!/^[0-9a-fA-F]*$/.test(hex)) return { error: 'not hex: only 0-9 and a-f are allowed' };
      if (hex.length % 2) return { error: 'odd number of hex digits (' + hex.length + ')' };
      return { bytes: fromHex(hex), format: 'hex' };
    }
    try {
      var b = atob(t.replace(/\s/g, '').replace(/-/g, '+').replace(/_/g, '/'));
      var u = new Uint8Array(b.length);
      for (var i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);
      return { bytes: u, format: 'base64' };
    } catch (e) {
      return { error: 'neither hex nor base64' };
    }
  }

  // Field colours and plain-words meanings (labels only; the values come from the engine).
  var FIELD_CLASS = {
    'FIN': 'f-fin', 'RSV1': 'f-rsv', 'RSV2': 'f-rsv', 'RSV3': 'f-rsv', 'opcode': 'f-op', 'MASK': 'f-mask',
    'Payload len': 'f-len', 'Extended payload length': 'f-ext', 'Masking-key': 'f-key', 'Payload data': 'f-data'
  };
  var FIELD_SHORT = {
    'FIN': 'FIN', 'RSV1': 'R1', 'RSV2': 'R2', 'RSV3': 'R3', 'opcode': 'opcode', 'MASK': 'M',
    'Payload len': 'len (7)', 'Extended payload length': 'extended length', 'Masking-key': 'masking key', 'Payload data': 'payload'
  };
  var FIELD_HELP = {
    'FIN': 'last frame of the message?',
    'RSV1': 'reserved for extensions (permessage-deflate: compressed)',
    'RSV2': 'reserved for extensions',
    'RSV3': 'reserved for extensions',
    'opcode': 'what the payload is',
    'MASK': 'is the payload masked?',
    'Payload len': '0-125: the length; 126: 16-bit length follows; 127: 64-bit length follows',
    'Extended payload length': 'the real length, big-endian',
    'Masking-key': '4 random bytes chosen by the client',
    'Payload data': 'the payload (as sent: masked if MASK is 1)'
  };
  function fieldClass(name) { return FIELD_CLASS[name] || 'f-data'; }

  // ------------------------------------------------------------------ highlight (hover / focus)

  function setHighlight(root, ids) {
    var nodes = root.querySelectorAll('[data-fields]');
    for (var i = 0; i < nodes.length; i++) {
      var mine = nodes[i].getAttribute('data-fields').split(' ');
      var on = ids && mine.some(function (x) { return ids.indexOf(x) >= 0; });
      nodes[i].classList.toggle('hl', !!on);
    }
    root.classList.toggle('highlighting', !!ids);
  }
  function wireHighlight(root) {
    var enter = function (ev) {
      var t = ev.target.closest && ev.target.closest('[data-fields]');
      if (t && root.contains(t)) setHighlight(root, t.getAttribute('data-fields').split(' '));
    };
    var leave = function (ev) {
      var t = ev.target.closest && ev.target.closest('[data-fields]');
      if (t) setHighlight(root, null);
    };
    root.addEventListener('mouseover', enter);
    root.addEventListener('focusin', enter);
    root.addEventListener('mouseout', leave);
    root.addEventListener('focusout', leave);
  }

  // ------------------------------------------------------------------ 1. decode

  var EXAMPLES = {}; // filled in init() (some are built by the engine)
  var decState = { frame: 0, pmdParams: null };

  function decodeRole() { return $('dec-role').value; }

  // pmd: false, true (default parameters) or the negotiated parameters (snake_case, as in a
  // capture report's handshake.deflate). origin: a node saying where the bytes came from (a
  // capture), shown above the summary until other bytes are loaded or typed.
  function loadBytes(hex, role, pmd, frame, origin) {
    $('dec-input').value = spaced(hex);
    $('dec-format').value = 'auto';
    if (role) $('dec-role').value = role;
    $('dec-pmd').checked = !!pmd;
    decState.pmdParams = pmd && typeof pmd === 'object' ? pmd : null;
    decState.frame = frame || 0;
    setOrigin(origin || null);
    renderDecode();
  }
  function setOrigin(node) {
    var box = clear($('dec-origin'));
    if (node) box.appendChild(node);
    box.hidden = !node;
  }
  function loadExample(name) {
    var ex = EXAMPLES[name];
    loadBytes(ex.hex, ex.role, ex.pmd, 0);
  }
  function goto(id) {
    var s = $(id);
    s.scrollIntoView({ behavior: 'smooth', block: 'start' });
    var h = s.querySelector('h2');
    if (h) { h.setAttribute('tabindex', '-1'); h.focus({ preventScroll: true }); }
  }

  function renderDecode() {
    var parsed = parseBytes($('dec-input').value, $('dec-format').value);
    var summary = $('dec-summary');
    ['dec-frames', 'dec-diagram', 'dec-bytes', 'dec-violations', 'dec-unmask', 'dec-payload', 'dec-stream'].forEach(function (id) { clear($(id)); });
    clear($('dec-fields').tBodies[0]);
    summary.className = 'summary';
    if (parsed.error) { summary.textContent = 'Cannot read the input: ' + parsed.error + '.'; summary.className = 'summary bad'; return; }
    var bytes = parsed.bytes;
    var opts = { role: decodeRole() };
    if ($('dec-pmd').checked) opts.perMessageDeflate = decState.pmdParams || true;
    var rep;
    try { rep = W.inspectStream(bytes, opts); } catch (e) { summary.textContent = errText(e); summary.className = 'summary bad'; return; }
    if (!rep.frames.length) {
      summary.textContent = bytes.length + ' byte' + (bytes.length === 1 ? '' : 's') + ': not even a frame header yet. The decoder waits for ' + (rep.waiting_for || 'more bytes') + '.';
      renderStreamSummary(rep);
      return;
    }
    if (decState.frame >= rep.frames.length) decState.frame = 0;
    var f = rep.frames[decState.frame];
    var whole = rep.frames.filter(function (fr) { return fr.complete; }).length;
    var parts = [];
    if (whole) parts.push(whole + ' complete frame' + (whole > 1 ? 's' : ''));
    if (rep.frames.length > whole) parts.push((whole ? 'then ' : '') + 'an incomplete frame');
    summary.textContent = bytes.length + ' bytes (' + parsed.format + ') hold ' + parts.join(', ') +
      (rep.waiting_for ? '. The decoder waits for ' + rep.waiting_for : '') + '.';

    if (rep.frames.length > 1) {
      rep.frames.forEach(function (fr, i) {
        $('dec-frames').appendChild(el('button', {
          type: 'button', class: 'tab' + (i === decState.frame ? ' on' : ''), 'aria-pressed': i === decState.frame ? 'true' : 'false',
          onclick: function () { decState.frame = i; renderDecode(); }
        }, 'Frame ' + (i + 1) + ': ' + fr.opcode_name + (fr.fin ? '' : ' (FIN 0)') + ', ' + fr.payload_len + ' B' + (fr.violations.length ? ' ⚠' : '')));
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

  // The fields overlapping bit range [a, b) of the frame, as a data-fields value.
  function fieldsIn(f, a, b) {
    var ids = [];
    f.fields.forEach(function (fd, i) {
      var s = Number(fd.bit_offset), e = s + Number(fd.bit_width);
      if (s < b && e > a && Number(fd.bit_width) > 0) ids.push(String(i));
    });
    return ids.join(' ');
  }

  function renderDiagram(f, bytes) {
    var box = $('dec-diagram');
    var start = Number(f.offset);
    var avail = Math.min(bytes.length - start, Number(f.header_len) + Number(f.payload_available));
    var shownBytes = Math.min(avail, Number(f.header_len) + 12);
    var shownBits = shownBytes * 8;
    var rows = Math.ceil(shownBits / 32);
    var bitAt = function (bit) { return (bytes[start + (bit >> 3)] >> (7 - (bit & 7))) & 1; };
    // bit numbers, as in the RFC
    var head = el('div', { class: 'drow dhead', 'aria-hidden': 'true' });
    for (var i = 0; i < 32; i++) head.appendChild(el('span', { class: 'dnum' + (i % 8 === 0 ? ' dnum8' : '') }, String(i % 10)));
    box.appendChild(head);
    for (var r = 0; r < rows; r++) {
      var row = el('div', { class: 'drow' });
      var r0 = r * 32, r1 = Math.min(r0 + 32, shownBits);
      f.fields.forEach(function (fd, idx) {
        var s = Math.max(Number(fd.bit_offset), r0), e = Math.min(Number(fd.bit_offset) + Number(fd.bit_width), r1);
        if (e <= s) return;
        var w = e - s, content;
        if (w <= 16) {
          var bits = ''; for (var b = s; b < e; b++) bits += bitAt(b);
          content = bits;
        } else {
          var hx = ''; for (var by = s >> 3; by < (e + 7) >> 3; by++) hx += hexByte(bytes[start + by]) + ' ';
          content = hx.trim();
        }
        var label = w >= 6 ? FIELD_SHORT[fd.name] || fd.name : (w >= 2 ? FIELD_SHORT[fd.name] : FIELD_SHORT[fd.name].slice(0, 3));
        row.appendChild(el('div', {
          class: 'dcell ' + fieldClass(fd.name) + (w <= 3 ? ' narrow' : ''), 'data-fields': String(idx),
          style: 'grid-column: ' + (s - r0 + 1) + ' / span ' + w, title: fd.name + ': ' + fd.value
        }, [el('span', { class: 'dlabel' }, label), el('span', { class: 'dbits' }, content)]));
      });
      box.appendChild(row);
    }
    var more = Number(f.payload_len) - (shownBytes - Number(f.header_len));
    if (more > 0) box.appendChild(el('p', { class: 'hint' }, '… ' + more + ' more payload byte' + (more === 1 ? '' : 's') + (Number(f.payload_available) < Number(f.payload_len) ? ' (' + (Number(f.payload_len) - Number(f.payload_available)) + ' not in the input)' : '') + '.'));
  }

  function renderByteStrip(f, bytes) {
    var box = $('dec-bytes');
    var start = Number(f.offset);
    var n = Math.min(bytes.length - start, Number(f.header_len) + Number(f.payload_available));
    var shown = Math.min(n, 96);
    for (var i = 0; i < shown; i++) {
      var ids = fieldsIn(f, i * 8, i * 8 + 8);
      var first = ids.split(' ')[0];
      var name = first !== '' ? f.fields[Number(first)].name : '';
      box.appendChild(el('span', {
        class: 'byte ' + fieldClass(name), 'data-fields': ids, tabindex: '0',
        title: 'byte ' + (start + i) + ' = 0x' + hexByte(bytes[start + i]) + ' = ' + bin8(bytes[start + i]) + ' (' + ids.split(' ').map(function (x) { return f.fields[Number(x)].name; }).join(', ') + ')'
      }, [el('b', null, hexByte(bytes[start + i])), el('small', null, bin8(bytes[start + i]))]));
    }
    if (n > shown) box.appendChild(el('span', { class: 'hint' }, '… ' + (n - shown) + ' more'));
  }

  function renderFieldTable(f) {
    var tb = $('dec-fields').tBodies[0];
    f.fields.forEach(function (fd, i) {
      tb.appendChild(el('tr', { 'data-fields': String(i), tabindex: '0', class: fieldClass(fd.name) }, [
        el('th', { scope: 'row' }, [el('span', { class: 'swatch ' + fieldClass(fd.name), 'aria-hidden': 'true' }), fd.name]),
        el('td', { class: 'num' }, String(fd.bit_offset)),
        el('td', { class: 'num' }, String(fd.bit_width)),
        el('td', { class: 'mono' }, clip(String(fd.raw), 40) || '—'),
        el('td', null, [String(fd.value), el('br'), el('small', { class: 'muted' }, FIELD_HELP[fd.name] || '')])
      ]));
    });
  }

  function violationList(list) {
    return el('ul', { class: 'violations' }, list.map(function (v) {
      return el('li', null, [
        el('strong', null, v.rfc_section), ' — ', v.message,
        el('br'), el('small', { class: 'muted' }, v.code + ' · close code ' + v.close_code + ' · at byte ' + v.offset)
      ]);
    }));
  }

  function renderViolations(f, rep) {
    var box = $('dec-violations');
    if (f.violations.length) box.appendChild(violationList(f.violations));
    else box.appendChild(el('p', { class: 'ok' }, '✓ No violations: ' + (decodeRole() === 'server' ? 'a server' : 'a client') + ' would accept this frame.'));
    if (rep.error && rep.error_frame !== decState.frame) {
      box.appendChild(el('p', { class: 'muted' }, 'The stream fails at frame ' + (Number(rep.error_frame) + 1) + ': ' + rep.error.message + ' (' + rep.error.rfc_section + ').'));
    }
  }

  function renderUnmask(f) {
    var box = $('dec-unmask');
    if (!f.masked || !f.masking_key) {
      box.appendChild(el('p', { class: 'muted' }, f.masked ? 'The masking key is not complete yet.' : 'This frame is not masked (MASK = 0): the payload is sent as is.'));
      return;
    }
    var key = fromHex(f.masking_key), masked = fromHex(f.masked_payload_hex || ''), plain = fromHex(f.payload_hex || '');
    if (!masked.length) { box.appendChild(el('p', { class: 'muted' }, 'Empty payload: nothing to unmask (the key is still sent).')); return; }
    var n = Math.min(masked.length, 24);
    var rows = [];
    for (var i = 0; i < n; i++) {
      var ch = plain[i] === 32 ? '␠' : plain[i] > 32 && plain[i] < 127 ? String.fromCharCode(plain[i]) : '·';
      rows.push(el('tr', null, [
        el('td', { class: 'num' }, String(i)),
        el('td', { class: 'mono' }, 'key[' + (i % 4) + '] = ' + hexByte(key[i % 4])),
        el('td', { class: 'mono' }, hexByte(masked[i])),
        el('td', { class: 'mono' }, hexByte(masked[i]) + ' ⊕ ' + hexByte(key[i % 4])),
        el('td', { class: 'mono strong' }, hexByte(plain[i])),
        el('td', { class: 'mono' }, ch)
      ]));
    }
    box.appendChild(el('table', { class: 'unmask' }, [
      el('thead', null, el('tr', null, ['i', 'key[i mod 4]', 'masked', 'XOR', 'result', 'char'].map(function (h) { return el('th', null, h); }))),
      el('tbody', null, rows)
    ]));
    if (masked.length > n) box.appendChild(el('p', { class: 'hint' }, '… and so on for ' + (masked.length - n) + ' more bytes.'));
  }

  function renderPayload(f) {
    var box = $('dec-payload');
    var dl = el('dl', { class: 'kv' });
    var add = function (k, v, cls) { dl.appendChild(el('dt', null, k)); dl.appendChild(el('dd', { class: cls || '' }, v)); };
    add('opcode', '0x' + Number(f.opcode).toString(16) + ' (' + f.opcode_name + ')');
    add('length', f.payload_len + ' byte' + (Number(f.payload_len) === 1 ? '' : 's') + (f.complete ? '' : ' (only ' + f.payload_available + ' present)'));
    if (f.close_code != null) add('close code', f.close_code + (f.close_code_meaning ? ' (' + f.close_code_meaning + ')' : ''));
    if (f.close_reason != null) add('close reason', JSON.stringify(f.close_reason));
    if (f.text != null && f.close_code == null) add('text', JSON.stringify(f.text), 'mono');
    if (f.rsv1 && $('dec-pmd').checked) add('note', 'RSV1 set: the payload is deflate data (see Compression); the message text is under "What the decoder makes of it".');
    add('hex', f.payload_hex ? clip(spaced(f.payload_hex), 300) : '(empty)', 'mono brk');
    box.appendChild(dl);
    if (f.text != null) {
      var t = f.text.trim();
      if (t[0] === '{' || t[0] === '[') {
        try { box.appendChild(el('pre', { class: 'json', 'aria-label': 'payload as JSON' }, JSON.stringify(JSON.parse(t), null, 2))); } catch (e) { /* not JSON */ }
      }
    }
  }

  function renderStreamSummary(rep) {
    var box = $('dec-stream');
    var items = [];
    rep.events.forEach(function (ev) {
      if (ev.kind === 'message') {
        var m = rep.messages[ev.message];
        items.push(el('li', null, [el('strong', null, 'message'), ' (' + (m.opcode === 1 ? 'text' : 'binary') + ', ' + m.length + ' B): ', el('code', null, m.text != null ? JSON.stringify(clip(m.text, 200)) : clip(spaced(m.data_hex), 120))]));
      } else if (ev.kind === 'close') {
        items.push(el('li', null, [el('strong', null, 'close'), ' ' + ev.close_code + (ev.close_reason ? ' ' + JSON.stringify(ev.close_reason) : '')]));
      } else {
        items.push(el('li', null, [el('strong', null, ev.kind), ev.payload_hex ? ' data ' + spaced(ev.payload_hex) : ' (no data)']));
      }
    });
    if (rep.error) items.push(el('li', { class: 'bad' }, [el('strong', null, 'error'), ' ' + rep.error.code + ' → close with ' + rep.error.close_code + ' (' + rep.error.rfc_section + ')']));
    if (rep.waiting_for) items.push(el('li', null, [el('strong', null, 'waiting for'), ' ' + rep.waiting_for]));
    if (!items.length) items.push(el('li', { class: 'muted' }, 'no complete message yet'));
    box.appendChild(el('ul', { class: 'events' }, items));
  }

  // ------------------------------------------------------------------ 2. build

  var built = null;
  function buildRandomKey() {
    var k = new Uint8Array(4); crypto.getRandomValues(k);
    $('b-key').value = toHex(k);
    renderBuild();
  }
  function renderBuild() {
    var note = $('build-note'), out = $('build-out');
    note.textContent = ''; out.className = 'hexout';
    built = null;
    var opcode = Number($('b-opcode').value);
    var masked = $('b-mask').checked;
    var key = $('b-key').value.trim();
    $('b-key').disabled = !masked; $('b-randkey').disabled = !masked;
    if (masked && !/^[0-9a-fA-F]{8}$/.test(key)) { out.textContent = 'The key must be 8 hex digits (4 bytes).'; out.className = 'hexout bad'; return; }
    var payload;
    if ($('b-ptype').value === 'hex') {
      var p = parseBytes($('b-payload').value, 'hex');
      if (p.error) { out.textContent = 'Payload: ' + p.error + '.'; out.className = 'hexout bad'; return; }
      payload = p.bytes;
    } else payload = utf8.encode($('b-payload').value);
    var frag = Math.max(0, Math.floor(Number($('b-frag').value) || 0));
    var compress = $('b-compress').checked;
    var notes = [];
    try {
      var bytes;
      if ((frag > 0 || compress) && (opcode === 1 || opcode === 2)) {
        var enc = new W.Encoder({ role: masked ? 'client' : 'server', perMessageDeflate: compress ? true : undefined });
        var mopts = { binary: opcode === 2, compress: compress, fin: $('b-fin').checked };
        if (frag > 0) mopts.fragmentSize = frag;
        if (masked) mopts.mask = key;
        bytes = enc.message(payload, mopts);
        enc.free();
        notes.push('Encoded as a message by the Encoder' + (frag ? ', fragments of at most ' + frag + ' bytes (the first frame keeps the opcode, the others are continuation frames)' : '') + (compress ? ', compressed (RSV1 on the first frame)' : '') + '.');
        if ($('b-rsv1').checked || $('b-rsv2').checked || $('b-rsv3').checked) notes.push('The RSV boxes are ignored here: the Encoder sets RSV1 itself.');
      } else {
        if (frag > 0 || compress) notes.push('Fragmentation and compression apply to text and binary messages only: control frames are never fragmented or compressed (RFC 6455 §5.5, RFC 7692 §6.1).');
        bytes = W.encodeFrame({
          opcode: opcode, payload: payload, fin: $('b-fin').checked, rsv1: $('b-rsv1').checked, rsv2: $('b-rsv2').checked, rsv3: $('b-rsv3').checked,
          mask: masked ? key : undefined, allowInvalid: $('b-invalid').checked
        });
      }
      built = { bytes: bytes, role: masked ? 'server' : 'client', pmd: compress };
      var rep = W.inspectStream(bytes, { role: built.role, perMessageDeflate: compress ? true : undefined });
      clear(out);
      rep.frames.forEach(function (fr, i) {
        var s = Number(fr.offset), hl = Number(fr.header_len), e = s + hl + Number(fr.payload_len);
        out.appendChild(el('span', { class: 'frm' }, [
          el('span', { class: 'hdr', title: 'header (' + hl + ' bytes)' }, spaced(toHex(bytes.subarray(s, s + hl)))),
          e > s + hl ? ' ' + clip(spaced(toHex(bytes.subarray(s + hl, e))), 600) : ''
        ]));
        if (i < rep.frames.length - 1) out.appendChild(el('span', { class: 'sep', 'aria-hidden': 'true' }, ' │ '));
      });
      var bad = [];
      rep.frames.forEach(function (fr) { fr.violations.forEach(function (v) { bad.push(v.message + ' (' + v.rfc_section + ')'); }); });
      notes.unshift(bytes.length + ' bytes in ' + rep.frames.length + ' frame' + (rep.frames.length > 1 ? 's' : '') + ' (headers in bold).');
      if (bad.length) notes.push('A ' + (built.role === 'server' ? 'server' : 'client') + ' would reject this: ' + bad.join('; ') + '.');
      note.textContent = notes.join(' ');
      out.setAttribute('data-hex', toHex(bytes));
    } catch (e) {
      out.textContent = errText(e);
      out.className = 'hexout bad';
    }
  }

  // ------------------------------------------------------------------ 3. handshake

  var GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
  var hsSeq = 0;
  function renderAccept() {
    var key = $('hs-key').value.trim();
    var box = clear($('hs-steps'));
    var seq = ++hsSeq;
    var accept;
    try { accept = W.acceptKey(key); } catch (e) { box.appendChild(el('li', { class: 'bad' }, errText(e))); return; }
    var concatd = key + GUID;
    box.appendChild(el('li', null, ['Append the fixed GUID from RFC 6455 §1.3 to the key:', el('code', { class: 'brk' }, concatd)]));
    var shaLi = el('li', null, ['SHA-1 of those ' + concatd.length + ' ASCII bytes (20 bytes):', el('code', { class: 'brk' }, '…')]);
    var b64Li = el('li', null, ['Base64 of the 20 bytes:', el('code', null, '…')]);
    box.appendChild(shaLi); box.appendChild(b64Li);
    box.appendChild(el('li', null, ['The engine\'s acceptKey(key), the value for Sec-WebSocket-Accept:', el('code', { id: 'hs-accept' }, accept)]));
    if (!(window.crypto && crypto.subtle)) { shaLi.lastChild.textContent = '(crypto.subtle is not available on this origin)'; return; }
    crypto.subtle.digest('SHA-1', utf8.encode(concatd)).then(function (buf) {
      if (seq !== hsSeq) return;
      var d = new Uint8Array(buf);
      shaLi.lastChild.textContent = spaced(toHex(d));
      var b64 = btoa(String.fromCharCode.apply(null, d));
      clear(b64Li); b64Li.appendChild(document.createTextNode('Base64 of the 20 bytes:'));
      b64Li.appendChild(el('code', null, b64));
      b64Li.appendChild(el('span', { class: b64 === accept ? 'ok' : 'bad' }, b64 === accept ? ' ✓ equals the engine\'s result' : ' ✗ differs from the engine\'s result'));
    });
  }

  var HS = {};
  function crlf(text) {
    var t = text.replace(/\r?\n/g, '\r\n').replace(/^\s+/, '');
    t = t.replace(/(\r\n)*$/, '');
    return t + '\r\n\r\n';
  }
  function header(headers, name) {
    for (var i = 0; i < headers.length; i++) if (headers[i][0].toLowerCase() === name) return headers[i][1];
    return null;
  }
  function headerTable(headers) {
    return el('table', { class: 'kvt' }, el('tbody', null, headers.map(function (h) { return el('tr', null, [el('th', { scope: 'row' }, h[0]), el('td', { class: 'mono brk' }, h[1])]); })));
  }
  function renderHandshake() {
    var box = clear($('hs-result'));
    var raw = $('hs-input').value;
    if (!raw.trim()) return;
    var text = crlf(raw);
    try {
      if (/^HTTP\//.test(text)) return renderResponse(box, text);
      return renderRequest(box, text);
    } catch (e) {
      box.appendChild(el('p', { class: 'bad' }, 'Not a valid HTTP head: ' + errText(e)));
    }
  }
  function renderRequest(box, text) {
    var v = W.validateHandshakeRequest(text);
    if (!v.ok) {
      box.appendChild(el('p', { class: 'bad' }, '✗ A server must refuse this request with ' + v.status + ': ' + v.message));
      box.appendChild(el('h3', null, 'The rejection the engine builds'));
      box.appendChild(el('pre', { class: 'http' }, textOf(v.response) || ''));
      return;
    }
    box.appendChild(el('p', { class: 'ok' }, '✓ A valid WebSocket upgrade request (RFC 6455 §4.2.1) for ' + v.path + ' on ' + v.host + (v.origin ? ', from a page of ' + v.origin : '') + '.'));
    var g = el('div', { class: 'grid2' });
    var left = el('div'), right = el('div');
    left.appendChild(el('h3', null, 'Headers'));
    left.appendChild(headerTable(v.headers));
    right.appendChild(el('h3', null, 'What a server answers'));
    var ul = el('ul', { class: 'events' });
    ul.appendChild(el('li', null, ['Sec-WebSocket-Accept: ', el('code', null, v.accept), ' (the key ', el('code', null, v.key), ' with the GUID, SHA-1, base64)']));
    if (v.protocols.length) ul.appendChild(el('li', null, ['Subprotocols offered: ' + v.protocols.join(', ') + '. The server picks at most one (this demo picks the first, ', el('code', null, v.protocols[0]), ') and echoes it in Sec-WebSocket-Protocol; if it names none, the client must assume none.']));
    else ul.appendChild(el('li', null, 'No subprotocol offered: the server must not send Sec-WebSocket-Protocol.'));
    var neg = null;
    if (v.extensions.length) {
      ul.appendChild(el('li', null, 'Extensions offered: ' + v.extensions.map(function (x) { return x.name + Object.keys(x.params).map(function (k) { return '; ' + k + (x.params[k] === true ? '' : '=' + x.params[k]); }).join(''); }).join(', ')));
      try { neg = W.negotiatePerMessageDeflate(v.extensions, true); } catch (e) { ul.appendChild(el('li', { class: 'bad' }, errText(e))); }
      if (neg) {
        var p = neg.params;
        ul.appendChild(el('li', null, ['permessage-deflate accepted: ', el('code', null, neg.response), '. Server → client: window 2^' + p.serverMaxWindowBits + (p.serverNoContextTakeover ? ', no context takeover' : ', context takeover') +
          '; client → server: window 2^' + p.clientMaxWindowBits + (p.clientNoContextTakeover ? ', no context takeover' : ', context takeover') + '. Each side then sets RSV1 on compressed messages.']));
      } else ul.appendChild(el('li', null, 'No acceptable permessage-deflate offer: messages stay uncompressed, RSV1 stays clear.'));
    } else ul.appendChild(el('li', null, 'No extensions offered: no compression, RSV1-3 must be clear.'));
    right.appendChild(ul);
    var resp = W.buildHandshakeResponse({ key: v.key, protocol: v.protocols[0], extensions: neg ? neg.response : undefined });
    right.appendChild(el('pre', { class: 'http', 'aria-label': 'the 101 response' }, textOf(resp)));
    g.appendChild(left); g.appendChild(right); box.appendChild(g);
  }
  function renderResponse(box, text) {
    var key = $('hs-key').value.trim();
    var r = W.parseHandshakeResponse(text, { key: key, protocols: ['chat', 'superchat'], extensions: ['permessage-deflate'] });
    if (!r.complete) { box.appendChild(el('p', { class: 'bad' }, 'Incomplete head: a blank line must end it.')); return; }
    box.appendChild(el('p', { class: r.ok ? 'ok' : 'bad' }, r.ok
      ? '✓ A valid answer (RFC 6455 §4.1) to a request with the key ' + key + ' (from the field on the left), offering subprotocols chat, superchat and permessage-deflate.'
      : '✗ A client must fail this connection: ' + (r.message || ('status ' + r.status))));
    box.appendChild(headerTable(r.headers));
    var acc = header(r.headers, 'sec-websocket-accept');
    var expected = null; try { expected = W.acceptKey(key); } catch (e) { /* bad key */ }
    var ul = el('ul', { class: 'events' });
    ul.appendChild(el('li', null, ['Status ' + r.status + ' ' + r.reason + (r.status === 101 ? '' : ' — only 101 switches to WebSocket')]));
    if (acc != null) ul.appendChild(el('li', null, ['Sec-WebSocket-Accept ', el('code', null, acc), acc === expected ? ' matches ' : ' does not match ', el('code', null, String(expected)), ' computed from the key']));
    if (r.protocol) ul.appendChild(el('li', null, 'Subprotocol chosen by the server: ' + r.protocol));
    var ext = header(r.headers, 'sec-websocket-extensions');
    if (ext) {
      try {
        var p = W.acceptPerMessageDeflate(ext, true);
        ul.appendChild(el('li', null, p ? 'permessage-deflate agreed: server window 2^' + p.serverMaxWindowBits + ', client window 2^' + p.clientMaxWindowBits + (p.serverNoContextTakeover ? ', server no context takeover' : '') + (p.clientNoContextTakeover ? ', client no context takeover' : '') : 'no compression'));
      } catch (e) { ul.appendChild(el('li', { class: 'bad' }, errText(e))); }
    }
    box.appendChild(ul);
  }

  // ------------------------------------------------------------------ 4. stream

  var stState = { bytes: new Uint8Array(0), cuts: [] };
  var ST = {};
  function setStream(hex, cuts) {
    $('st-input').value = spaced(hex);
    $('st-cuts').value = cuts.join(', ');
    renderStream();
  }
  function readCuts() {
    var n = stState.bytes.length;
    var seen = {};
    return $('st-cuts').value.split(/[\s,;]+/).map(Number).filter(function (c) {
      if (!(Number.isInteger(c) && c >= 1 && c < n) || seen[c]) return false;
      seen[c] = 1; return true;
    }).sort(function (a, b) { return a - b; });
  }
  function renderStream() {
    var parsed = parseBytes($('st-input').value, 'hex');
    var strip = clear($('st-bytes')), res = clear($('st-result'));
    if (parsed.error) { res.appendChild(el('p', { class: 'bad' }, 'Stream: ' + parsed.error)); return; }
    stState.bytes = parsed.bytes;
    var cuts = readCuts();
    var bytes = stState.bytes;
    // which frame each byte belongs to (from the engine's report), for colouring
    var role = 'server';
    try { var f0 = W.inspectFrame(bytes); if (f0 && !f0.masked) role = 'client'; } catch (e) { /* empty */ }
    var rep = W.inspectStream(bytes, { role: role });
    var frameOf = new Array(bytes.length).fill(-1);
    rep.frames.forEach(function (fr, i) {
      for (var b = Number(fr.offset); b < Math.min(bytes.length, Number(fr.offset) + Number(fr.header_len) + Number(fr.payload_len)); b++) frameOf[b] = i;
    });
    var limit = Math.min(bytes.length, 300);
    for (var i = 0; i < limit; i++) {
      (function (i) {
        var cut = cuts.indexOf(i + 1) >= 0;
        strip.appendChild(el('button', {
          type: 'button', class: 'byte sb fr' + (frameOf[i] % 4) + (cut ? ' cut' : ''), 'aria-pressed': cut ? 'true' : 'false',
          'aria-label': 'byte ' + i + ' (0x' + hexByte(bytes[i]) + ')' + (cut ? ', cut after it' : ''), title: 'byte ' + i + ': press to ' + (cut ? 'remove the cut after it' : 'cut after it'),
          disabled: i === bytes.length - 1,
          onclick: function () {
            var cs = readCuts(), k = cs.indexOf(i + 1);
            if (k >= 0) cs.splice(k, 1); else cs.push(i + 1);
            cs.sort(function (a, b) { return a - b; });
            $('st-cuts').value = cs.join(', ');
            renderStream();
            var again = $('st-bytes').children[i]; if (again) again.focus();
          }
        }, hexByte(bytes[i])));
      })(i);
    }
    if (bytes.length > limit) strip.appendChild(el('span', { class: 'hint' }, '… ' + (bytes.length - limit) + ' more bytes (use the cut list)'));
    res.appendChild(el('p', { class: 'hint' }, 'The stream holds ' + rep.frames.length + ' frame' + (rep.frames.length === 1 ? '' : 's') + ' (colours) and is fed to new Decoder({ role: "' + role + '" }) in ' + (cuts.length + 1) + ' read' + (cuts.length ? 's' : '') + '.'));
    var dec = new W.Decoder({ role: role });
    var bounds = [0].concat(cuts, [bytes.length]);
    var rows = [];
    for (var c = 0; c + 1 < bounds.length; c++) {
      var chunk = bytes.subarray(bounds[c], bounds[c + 1]);
      var evs = dec.push(chunk);
      var evNodes = evs.length ? evs.map(function (ev) {
        if (ev.type === 'message') {
          var t = ev.binary ? null : textOf(ev.data);
          return el('div', null, [el('strong', null, 'message '), t != null ? JSON.stringify(clip(t, 80)) : clip(spaced(toHex(ev.data)), 60)]);
        }
        if (ev.type === 'close') return el('div', null, [el('strong', null, 'close '), ev.code + (ev.reason ? ' ' + JSON.stringify(ev.reason) : '')]);
        if (ev.type === 'error') return el('div', { class: 'bad' }, [el('strong', null, 'error '), ev.error.code + ' (' + ev.error.rfcSection + ')']);
        return el('div', null, [el('strong', null, ev.type + ' '), ev.data && ev.data.length ? JSON.stringify(textOf(ev.data) || toHex(ev.data)) : '(no data)']);
      }) : [el('span', { class: 'muted' }, 'nothing yet')];
      rows.push(el('tr', null, [
        el('td', { class: 'num' }, String(c + 1)),
        el('td', { class: 'num' }, bounds[c] + '–' + (bounds[c + 1] - 1)),
        el('td', { class: 'mono' }, clip(spaced(toHex(chunk)), 60)),
        el('td', null, evNodes),
        el('td', null, dec.error ? el('span', { class: 'bad' }, 'failed: close with ' + dec.error.closeCode) : (dec.partial ? dec.waitingFor : el('span', { class: 'ok' }, 'nothing: between frames')))
      ]));
    }
    dec.free();
    res.appendChild(stack(el('table', { class: 'stream' }, [
      el('thead', null, el('tr', null, ['read', 'bytes', 'chunk', 'delivered', 'then waits for'].map(function (h) { return el('th', null, h); }))),
      el('tbody', null, rows)
    ])));
  }
  function randomCuts() {
    var n = stState.bytes.length; if (n < 2) return;
    var k = 1 + Math.floor(Math.random() * Math.min(5, n - 1)), set = {};
    while (Object.keys(set).length < k) set[1 + Math.floor(Math.random() * (n - 1))] = 1;
    $('st-cuts').value = Object.keys(set).map(Number).sort(function (a, b) { return a - b; }).join(', ');
    renderStream();
  }

  // ------------------------------------------------------------------ 5. compression

  var czFrames = null;
  function renderCompress() {
    var box = clear($('cz-result'));
    var text = $('cz-input').value;
    var takeover = $('cz-takeover').checked;
    var params = { serverNoContextTakeover: !takeover };
    try {
      var enc = new W.Encoder({ role: 'server', perMessageDeflate: params });
      var plain = W.encodeFrame({ opcode: 1, payload: text });
      var a = enc.message(text, { compress: true });
      var b = enc.message(text, { compress: true });
      enc.free();
      var opts = { role: 'client', perMessageDeflate: params };
      var both = concat([a, b]);
      var rep = W.inspectStream(both, opts);
      czFrames = { hex: toHex(both) };
      var rows = [['uncompressed', plain, W.inspectFrame(plain, { role: 'client' })], ['1st compressed', a, rep.frames[0]], ['2nd, same message', b, rep.frames[1]]];
      var tb = rows.map(function (r) {
        var f = r[2], hl = Number(f.header_len);
        var payloadNodes = [el('span', { class: 'hdr' }, spaced(toHex(r[1].subarray(0, hl)))), ' ', clip(spaced(toHex(r[1].subarray(hl))), 240)];
        if (f.rsv1) payloadNodes.push(el('span', { class: 'ghost', title: 'stripped by the sender, appended again by the receiver before inflating' }, ' [00 00 ff ff]'));
        return el('tr', null, [
          el('th', { scope: 'row' }, r[0]),
          el('td', { class: 'mono' }, f.rsv1 ? '1' : '0'),
          el('td', { class: 'num' }, String(r[1].length)),
          el('td', { class: 'num' }, String(f.payload_len)),
          el('td', { class: 'mono brk' }, payloadNodes)
        ]);
      });
      box.appendChild(stack(el('table', { class: 'cz' }, [
        el('thead', null, el('tr', null, ['frame', 'RSV1', 'frame bytes', 'payload bytes', 'bytes (header bold; [stripped tail])'].map(function (h) { return el('th', null, h); }))),
        el('tbody', null, tb)
      ])));
      var ok = rep.messages.length === 2 && rep.messages.every(function (m) { return m.text === text; });
      var sizeA = a.length, sizeB = b.length;
      box.appendChild(el('p', null, [
        takeover
          ? (sizeB < sizeA ? 'With context takeover the second copy is ' + sizeB + ' bytes instead of ' + sizeA + ': the compressor refers back to the first message instead of repeating it.' : 'The second copy is ' + sizeB + ' bytes (the first ' + sizeA + ').')
          : 'Without context takeover each message is compressed from scratch, so both copies cost ' + sizeA + ' and ' + sizeB + ' bytes.',
        ' ', el('span', { class: ok ? 'ok' : 'bad' }, ok ? '✓ the engine inflates both back to the original text' : '✗ inflating did not give the text back'),
        takeover ? ' (the second frame alone cannot be inflated: it needs the first one\'s context).' : '.'
      ]));
      box.appendChild(el('button', { type: 'button', id: 'cz-open', onclick: function () { loadBytes(czFrames.hex, 'client', true, 1); goto('decode'); } }, 'Open both frames in the decoder'));
    } catch (e) {
      box.appendChild(el('p', { class: 'bad' }, errText(e)));
    }
  }

  // ------------------------------------------------------------------ 6. live

  var live = null;
  function liveStatus(t, cls) { var s = $('live-status'); s.textContent = t; s.className = 'status ' + (cls || ''); }
  function liveButtons(open) {
    ['live-send', 'live-json', 'live-bin', 'live-big', 'live-ping', 'live-close'].forEach(function (id) { $(id).disabled = !open; });
    $('live-connect').disabled = !!open;
  }
  function liveConnect() {
    if (live && live.ws && live.ws.readyState <= 1) return Promise.resolve();
    if (location.protocol !== 'http:' && location.protocol !== 'https:') {
      liveStatus('The live demo needs the demo server: run `npm start` and open the URL it prints.', 'bad');
      return Promise.reject(new Error('no server'));
    }
    var session = toHex(crypto.getRandomValues(new Uint8Array(8)));
    var base = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;
    clear($('live-table').tBodies[0]); clear($('live-hs-body'));
    live = {
      session: session, rows: 0, params: null, reqExt: null,
      dirs: { in: { bytes: new Uint8Array(0), shown: 0, msgs: 0 }, out: { bytes: new Uint8Array(0), shown: 0, msgs: 0 } }
    };
    liveStatus('Connecting…');
    return new Promise(function (resolve, reject) {
      var tap = new WebSocket(base + '/tap?session=' + session);
      live.tap = tap;
      tap.onmessage = function (ev) { onTap(JSON.parse(ev.data)); };
      tap.onerror = function () { liveStatus('The side channel failed: is the demo server running?', 'bad'); reject(new Error('tap')); };
      tap.onopen = function () {
        var ws = new WebSocket(base + '/demo?session=' + session);
        ws.binaryType = 'arraybuffer';
        live.ws = ws;
        ws.onopen = function () { liveStatus('Connected to ' + base + '/demo. Extensions agreed: ' + (ws.extensions || 'none') + '.', 'ok'); liveButtons(true); resolve(); };
        ws.onclose = function (ev) { liveStatus('Closed: code ' + ev.code + (ev.reason ? ' "' + ev.reason + '"' : '') + '.'); liveButtons(false); };
        ws.onerror = function () { reject(new Error('demo')); };
      };
    });
  }
  function onTap(m) {
    if (!live || m.type !== 'bytes') return;
    var bytes = fromHex(m.hex);
    if (m.phase === 'handshake') {
      var t = textOf(bytes) || '';
      var who = m.dir === 'in' ? 'Your browser sent' : 'The server answered';
      $('live-hs-body').appendChild(el('h3', null, who));
      $('live-hs-body').appendChild(el('pre', { class: 'http' }, t));
      try {
        if (m.dir === 'in') live.reqExt = header(W.parseHandshakeRequest(t).headers, 'sec-websocket-extensions');
        else {
          var ext = header(W.parseHandshakeResponse(t).headers, 'sec-websocket-extensions');
          if (ext) {
            try { live.params = W.acceptPerMessageDeflate(ext, true); } catch (e) {
              var n = live.reqExt ? W.negotiatePerMessageDeflate(live.reqExt, true) : null;
              live.params = n ? n.params : null;
            }
          }
        }
      } catch (e) { /* shown as text anyway */ }
      return;
    }
    var d = live.dirs[m.dir];
    d.bytes = concat([d.bytes, bytes]);
    var opts = { role: m.dir === 'in' ? 'server' : 'client' };
    if (live.params) opts.perMessageDeflate = live.params;
    var rep = W.inspectStream(d.bytes, opts);
    for (; d.shown < rep.frames.length; d.shown++) {
      var f = rep.frames[d.shown];
      if (!f.complete) break;
      addLiveRow(m.dir, f, d, rep);
    }
  }
  function addLiveRow(dir, f, d, rep) {
    var s = Number(f.offset), e = s + Number(f.header_len) + Number(f.payload_len);
    var hex = toHex(d.bytes.subarray(s, e));
    var index = d.shown;
    var payload;
    if (f.opcode === 0 || f.opcode === 1 || f.opcode === 2) {
      if (f.fin) {
        var msg = rep.messages[d.msgs++];
        payload = msg ? (f.rsv1 || f.opcode === 0 ? 'message: ' : '') + (msg.text != null ? JSON.stringify(clip(msg.text, 120)) : clip(spaced(msg.data_hex), 60)) + (f.rsv1 ? ' (inflated from ' + f.payload_len + ' bytes)' : '') : '';
      } else payload = f.text != null ? JSON.stringify(clip(f.text, 120)) + ' (more fragments follow)' : '(fragment)';
    } else if (f.opcode === 8) payload = f.close_code != null ? f.close_code + (f.close_reason ? ' "' + f.close_reason + '"' : '') : '(no status)';
    else payload = f.text != null ? JSON.stringify(f.text) : spaced(f.payload_hex);
    var flags = [f.opcode_name, f.fin ? 'FIN' : 'FIN=0'];
    if (f.rsv1) flags.push('RSV1 (compressed)');
    if (f.masked) flags.push('mask ' + f.masking_key);
    var n = ++live.rows;
    var row = el('tr', { class: dir === 'in' ? 'dir-in' : 'dir-out' }, [
      el('td', { class: 'num' }, String(n)),
      el('td', null, dir === 'in' ? 'browser → server' : 'server → browser'),
      el('td', null, flags.join(', ') + (f.violations.length ? ' ⚠ ' + f.violations[0].message : '')),
      el('td', { class: 'mono' }, clip(spaced(hex), 72)),
      el('td', { class: 'brk' }, payload),
      el('td', null, el('button', { type: 'button', class: 'small', 'aria-label': 'Decode frame ' + n, onclick: function () {
        // With permessage-deflate (context takeover) a message can only be inflated after the
        // ones before it: load the connection's bytes up to this frame and select it.
        if (live.params) loadBytes(toHex(d.bytes.subarray(0, e)), dir === 'in' ? 'server' : 'client', true, index);
        else loadBytes(hex, dir === 'in' ? 'server' : 'client', false, 0);
        goto('decode');
      } }, 'Decode'))
    ]);
    $('live-table').tBodies[0].appendChild(row);
    stack($('live-table'));
  }
  function liveSend(data) { if (live && live.ws && live.ws.readyState === 1) live.ws.send(data); }

  // ------------------------------------------------------------------ 7. capture

  // The file is decoded by www/capture-worker.js (openCapture in wsprism-web, off this
  // thread); the worker keeps the capture session and sends the connection list, then windows
  // of rows (filtered in wasm):
  // the frame list is virtual (only the rows in view are in the DOM), so a connection with
  // hundreds of thousands of frames scrolls like a short one.
  var ROW_H = 30;            // px: the fixed height of a row (style.css: table.caprows tbody tr)
  var BLOCK = 128;           // rows asked from the worker at a time
  var MAX_SCROLL_H = 6e6;    // px: longer lists map the scroll position to rows proportionally
  var CONN_PAGE = 200;       // connections listed at a time
  var AUTO_MAX_BYTES = 4096;   // "auto": the decoder's view of a clicked frame (the worker's
                               // index keeps them in wasm memory, never more than the file holds)
  var cap = { worker: null, seq: 0, pending: {}, busy: false, token: 0, viewToken: 0, summary: null, conn: null, view: null, file: null, connsShown: 0 };

  function capWorker() {
    if (cap.worker) return cap.worker;
    var w;
    try { w = new Worker('capture-worker.js', { type: 'module' }); } catch (e) {
      throw { code: 'ERR_WORKER', message: 'this page cannot start a module worker here (' + (e && e.message) + '): open it from `npm start`' };
    }
    w.onmessage = function (ev) {
      var m = ev.data, p = cap.pending[m.id];
      if (m.ready || !p) return;
      if (m.progress) { if (p.progress) p.progress(m.progress); return; }
      delete cap.pending[m.id];
      if (m.ok) p.resolve(m); else p.reject(m.error);
    };
    w.onerror = function (ev) {
      if (ev.preventDefault) ev.preventDefault();
      capKill({ code: 'ERR_WORKER', message: 'the capture worker failed' + (ev.message ? ': ' + ev.message : '') + ' (is this page served by `npm start`?)' });
    };
    cap.worker = w;
    return w;
  }
  function capKill(err) {
    if (cap.worker) cap.worker.terminate();
    cap.worker = null;
    var p = cap.pending; cap.pending = {};
    Object.keys(p).forEach(function (k) { p[k].reject(err); });
  }
  function ask(msg, transfer, progress) {
    return new Promise(function (resolve, reject) {
      var w = capWorker();
      msg.id = ++cap.seq;
      cap.pending[msg.id] = { resolve: resolve, reject: reject, progress: progress };
      w.postMessage(msg, transfer || []);
    });
  }

  function mb(n) { return n >= 1e6 ? (n / 1e6).toFixed(1) + ' MB' : n >= 1e3 ? (n / 1e3).toFixed(1) + ' kB' : n + ' bytes'; }
  function plural(n, w) { return n + ' ' + w + (n === 1 ? '' : 's'); }
  function dirName(d) { return d === 'client_to_server' ? 'client → server' : 'server → client'; }
  function relTime(t) {
    var c = cap.conn; if (t == null || !c || c.start == null) return '';
    var d = t - c.start;
    return '+' + (d < 10 ? d.toFixed(6) : d.toFixed(3)) + ' s';
  }
  function absTime(t) { try { return new Date(t * 1000).toISOString().replace('T', ' ').replace('Z', ' UTC'); } catch (e) { return String(t); } }
  function capStatus(text, cls) { var s = $('cap-status'); s.textContent = text; s.className = 'summary' + (cls ? ' ' + cls : ''); }
  function rfcText(s) { s = String(s || ''); return !s ? '' : /§|RFC/.test(s) ? s : 'RFC 6455 §' + s; }
  // An error of the report: what a peer would have closed with, the rule broken and the engine's words.
  function errLine(e) {
    return [el('strong', null, (e.close_code ? 'close ' + e.close_code : e.code) + (e.rfc_section ? ', ' + rfcText(e.rfc_section) : '')), ': ' + e.message];
  }
  function errBadge(e) { return '⚠ ' + (e.close_code ? 'close ' + e.close_code : e.code) + (e.rfc_section ? ' (' + rfcText(e.rfc_section) + ')' : ''); }

  function capOpen(file) {
    if (!file) return;
    // a fresh worker per file: WebAssembly memory never shrinks, so the previous file's peak is
    // given back only with its worker (this also cancels a file still being decoded)
    capKill({ code: 'ERR_CANCELLED', message: 'cancelled' });
    var token = ++cap.token;
    cap.file = file; cap.summary = null; cap.conn = null; cap.view = null;
    clear($('cap-file-info')); clear($('cap-conns')); $('cap-conn').hidden = true;
    var section = $('capture');
    section.setAttribute('aria-busy', 'true');
    section.removeAttribute('data-state');
    cap.busy = true;
    var t0 = performance.now(), tRead = 0;
    capStatus('Reading ' + file.name + ' (' + mb(file.size) + ')…', 'busy');
    capBusy(true, t0);
    var sel = $('cap-max').value;
    var maxBytes = sel === 'auto' ? AUTO_MAX_BYTES : Number(sel);
    var warm = ask({ type: 'init' }); // the worker loads the engine while the file is read
    warm.catch(function () {});
    Promise.all([file.arrayBuffer(), warm]).then(function (r) {
      var buf = r[0];
      if (token !== cap.token) return null;
      tRead = performance.now() - t0;
      capStatus('Decoding ' + file.name + ' (' + mb(file.size) + ') in a background worker…', 'busy');
      return ask({ type: 'open', buffer: buf, name: file.name, maxBytes: maxBytes }, [buf], function (note) {
        if (token === cap.token) capStatus('Decoding ' + file.name + ': ' + note, 'busy');
      });
    }).then(function (res) {
      if (!res || token !== cap.token) return;
      cap.busy = false;
      capBusy(false);
      cap.summary = res.summary;
      maxBytes = cap.summary.maxBytes; // what the worker used in the end
      renderCapSummary(res.summary);
      var total = performance.now() - t0;
      var st = $('cap-status');
      st.setAttribute('data-ms-total', total.toFixed(0));
      st.setAttribute('data-ms-read', tRead.toFixed(0));
      st.setAttribute('data-ms-decode', res.summary.ms.toFixed(0));
      section.removeAttribute('aria-busy');
      section.setAttribute('data-state', 'ready');
    }).catch(function (e) {
      if (token !== cap.token) return;
      cap.busy = false;
      capBusy(false);
      section.removeAttribute('aria-busy');
      section.setAttribute('data-state', 'error');
      if (e && e.code === 'ERR_CANCELLED') return;
      capStatus('Cannot read ' + file.name + ': ' + errText(e), 'bad');
      $('cap-file-info').appendChild(el('p', { class: 'hint' }, e && (e.code === 'CAPTURE_OUT_OF_MEMORY' || e.code === 'ERR_OUT_OF_MEMORY' || e.code === 'CAPTURE_TOO_LARGE')
        ? 'The file is too big for this page\'s WebAssembly memory (at most 4 GB: the file itself, plus a small record and up to ' + (maxBytes || 'all') + ' bytes for each frame and message). ' +
          'Choose fewer "Bytes kept per frame", or cut the capture into smaller files first (e.g. editcap -c 1000000 in.pcap out.pcap), or read it with the command line: wsprism capture FILE.'
        : 'A capture must be a pcap or pcapng file (as saved by Wireshark or tcpdump) or a HAR file (exported from a browser\'s network panel). Try another file: the rest of the page is unaffected.'));
    });
  }

  // While a file is read and decoded: the seconds so far (outside the live region: not read
  // out every second) and a Stop button.
  var busyTimer = 0;
  function capBusy(on, t0) {
    clearInterval(busyTimer);
    $('cap-cancel').hidden = !on;
    $('cap-elapsed').textContent = '';
    if (on) busyTimer = setInterval(function () { $('cap-elapsed').textContent = Math.round((performance.now() - t0) / 1000) + ' s'; }, 1000);
  }
  function capCancel() {
    if (!cap.busy) return;
    var name = cap.file ? cap.file.name : 'the file';
    cap.token++;
    cap.busy = false;
    capKill({ code: 'ERR_CANCELLED', message: 'cancelled' });
    capBusy(false);
    $('capture').removeAttribute('aria-busy');
    $('capture').setAttribute('data-state', 'cancelled');
    capStatus('Stopped: ' + name + ' was not read.');
    $('cap-choose').focus();
  }

  function handshakeCell(c, s) {
    if (s.format === 'har') return el('span', null, 'from HAR');
    if (!c.handshake_seen || !c.handshake) return el('span', { class: 'muted' }, '✗ not seen');
    var h = c.handshake, st = h.response ? h.response.status : null;
    return el('span', { class: st === 101 && h.accept_valid !== false ? 'ok' : 'bad' },
      (st === 101 && h.accept_valid !== false ? '✓ ' : '✗ ') + (h.request ? h.request.method + ' ' + h.request.target : '') + (st != null ? ' → ' + st : '') + (h.accept_valid === false ? ' (wrong accept)' : ''));
  }
  function dirSplit(n, d) { return n ? ' (' + d.client_to_server + ' ↑ ' + d.server_to_client + ' ↓)' : ''; }

  function renderCapSummary(s) {
    var info = clear($('cap-file-info'));
    var n = s.connections.length;
    capStatus(s.name + ': ' + s.format + ', ' + mb(s.bytes) + ', ' + plural(s.packets, s.format === 'har' ? 'entry' : 'packet').replace('entrys', 'entries') +
      ' → ' + plural(n, 'WebSocket connection') + ' (decoded in ' + (s.ms / 1000).toFixed(2) + ' s' + (s.format === 'har' ? '' : ', ' + (s.maxBytes ? s.maxBytes + ' bytes kept per frame' : 'every byte kept')) + ').', n ? 'ok' : '');
    var extra = [];
    if (s.other_tcp_connections) extra.push(plural(s.other_tcp_connections, 'other TCP connection') + ' (plain HTTP, TLS…) not listed: no WebSocket in ' + (s.other_tcp_connections === 1 ? 'it' : 'them'));
    if (s.skipped_packets) extra.push(plural(s.skipped_packets, 'packet') + ' without a TCP segment skipped (ARP, UDP, DNS, IP fragments…)');
    if (s.link_types && s.link_types.length) extra.push('link type' + (s.link_types.length > 1 ? 's ' : ' ') + s.link_types.join(', '));
    if (extra.length) info.appendChild(el('p', { class: 'hint' }, extra.join('; ') + '.'));
    if (s.errors.length) {
      info.appendChild(el('ul', { class: 'violations' }, s.errors.slice(0, 20).map(function (e) {
        return el('li', null, [el('strong', null, e.code), ': ' + e.message + (e.packet != null ? ' (packet ' + (Number(e.packet) + 1) + ')' : '')]);
      })));
    }
    if (!n) {
      info.appendChild(el('p', null, 'No WebSocket connection in this file: no HTTP upgrade was found' + (s.other_tcp_connections ? ' in its ' + plural(s.other_tcp_connections, 'TCP connection') : '') + ', and no TCP stream looked like WebSocket frames. ' +
        'Was the traffic encrypted (wss://, TLS)? A capture of TLS traffic shows only ciphertext; capture before TLS (e.g. on the server side of a proxy) or export a HAR from the browser instead.'));
      return;
    }
    cap.connsShown = 0;
    var table = el('table', { class: 'conns', id: 'cap-conn-table' }, [
      el('caption', { class: 'vh' }, 'WebSocket connections in ' + s.name),
      el('thead', null, el('tr', null, ['#', 'client', 'server', 'handshake', 'subprotocol', 'extensions', 'frames', 'messages', 'errors', ''].map(function (h, i) {
        return el('th', { scope: 'col', class: i >= 6 && i <= 8 ? 'num' : null }, h);
      }))),
      el('tbody')
    ]);
    var wrap = el('div', { class: 'scroll-x' }, table);
    clear($('cap-conns')).appendChild(wrap);
    moreConns();
  }
  function moreConns() {
    var s = cap.summary, tb = $('cap-conn-table').tBodies[0];
    var end = Math.min(s.connections.length, cap.connsShown + CONN_PAGE);
    for (var i = cap.connsShown; i < end; i++) tb.appendChild(connRow(s.connections[i], s));
    cap.connsShown = end;
    stack($('cap-conn-table'));
    var old = $('cap-more'); if (old) old.remove();
    if (end < s.connections.length) {
      $('cap-conns').appendChild(el('button', { type: 'button', id: 'cap-more', onclick: function () { moreConns(); } },
        'Show ' + Math.min(CONN_PAGE, s.connections.length - end) + ' more connections (' + (s.connections.length - end) + ' not shown)'));
    }
  }
  function connRow(c, s) {
    var hs = c.handshake || {};
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
      el('td', null, el('button', { type: 'button', class: 'small', 'aria-label': 'Open connection ' + (c.id + 1) + ': ' + c.client + ' to ' + c.server,
        onclick: function () { capOpenConn(c.id); } }, c.frames ? 'Frames' : 'Messages'))
    ]);
  }

  function capOpenConn(id, then) {
    var c = cap.summary.connections[id];
    cap.conn = c;
    var rows = $('cap-conn-table').tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) rows[i].classList.toggle('on', rows[i].getAttribute('data-conn') === String(id));
    $('cap-conn').hidden = false;
    $('cap-conn-h').textContent = 'Connection ' + (id + 1) + ': ' + (c.client || 'the browser') + ' → ' + (c.server || '?');
    renderConnInfo(c);
    var kind = $('cap-kind');
    kind.options[0].disabled = !c.frames;
    kind.value = c.frames ? 'frames' : 'messages';
    kind.disabled = !c.frames;
    $('cap-filter').value = 'all';
    $('cap-conn-h').focus({ preventScroll: true });
    $('cap-conn').scrollIntoView({ behavior: 'smooth', block: 'start' });
    return capMakeView().then(then);
  }

  function renderConnInfo(c) {
    var box = clear($('cap-conn-info'));
    var s = cap.summary;
    var dl = el('dl', { class: 'kv' });
    var add = function (k, v, cls) { dl.appendChild(el('dt', null, k)); dl.appendChild(el('dd', { class: cls || '' }, v)); };
    if (c.start != null) add('time', absTime(c.start) + (c.end != null ? ', ' + (c.end - c.start).toFixed(3) + ' s long' : ''));
    var h = c.handshake;
    if (h) {
      if (h.request) add('request', h.request.method + ' ' + h.request.target, 'mono');
      if (h.response) add('response', h.response.status + ' ' + (h.response.reason || '') + (h.accept_valid === true ? ' — Sec-WebSocket-Accept matches the key ✓' : h.accept_valid === false ? ' — Sec-WebSocket-Accept does not match the key ✗' : ''), h.accept_valid === false ? 'bad' : '');
      add('subprotocol', h.subprotocol || 'none');
      add('extensions', h.extensions || 'none', 'mono brk');
      if (h.deflate) {
        var d = h.deflate;
        add('compression', 'permessage-deflate: client → server window 2^' + d.client_max_window_bits + (d.client_no_context_takeover ? ', no context takeover' : ', context takeover') +
          '; server → client window 2^' + d.server_max_window_bits + (d.server_no_context_takeover ? ', no context takeover' : ', context takeover') + '. Compressed messages set RSV1; the decoder inflates them with these parameters.');
      }
    } else if (s.format !== 'har') {
      add('handshake', 'not in the capture: the recording started after the connection was opened, so the frames were found by resynchronising on the byte stream (and compression, if any, is unknown).');
    }
    if (c.tcp && s.format !== 'har') {
      var tcpLine = function (t) {
        if (!t) return '';
        var x = [mb(t.bytes) + ' in ' + plural(t.segments, 'segment')];
        if (t.retransmitted) x.push(t.retransmitted + ' retransmitted');
        if (t.out_of_order) x.push(t.out_of_order + ' out of order');
        if (t.overlaps) x.push(plural(t.overlaps, 'overlap'));
        if (t.gaps) x.push(plural(t.gaps, 'gap') + ' (bytes missing from the capture)');
        return x.join(', ');
      };
      add('TCP client → server', tcpLine(c.tcp.client_to_server));
      add('TCP server → client', tcpLine(c.tcp.server_to_client) + (c.tcp.closed ? '; closed by ' + (c.tcp.closed === 'rst' ? 'a reset (RST)' : 'FIN') : ''));
    }
    if (c.truncated) add('cut frames', plural(c.truncated, 'frame') + ' longer than ' + s.maxBytes + ' bytes: the list and the decoder see their first ' + s.maxBytes + ' bytes (choose more under "Bytes kept per frame": the file is read again).');
    box.appendChild(dl);
    if (c.notes.length) box.appendChild(el('ul', { class: 'events notes' }, c.notes.map(function (n) { return el('li', { class: 'muted' }, n); })));
    if (c.error_list.length) {
      box.appendChild(el('h3', null, plural(c.errors, 'error')));
      box.appendChild(el('ul', { class: 'violations' }, c.error_list.map(function (e) {
        return el('li', null, errLine(e).concat([
          el('br'), el('small', { class: 'muted' }, e.code + ' · ' + dirName(e.direction) + ' · ' + relTime(e.time) + ' · stream offset ' + e.stream_offset + ' '),
          e.frame != null ? el('button', { type: 'button', class: 'small', onclick: function () { capOpenFrame(e.frame); } }, 'Open frame ' + (e.frame + 1)) : null
        ]));
      })));
      if (c.errors > c.error_list.length) box.appendChild(el('p', { class: 'hint' }, '… ' + (c.errors - c.error_list.length) + ' more: show "with errors" below.'));
    }
  }

  // ---- the virtual list

  var HEADS = {
    frames: ['#', 'direction', 'time', 'frame', 'length', 'payload'],
    messages: ['#', 'direction', 'time', 'message', 'length', 'content']
  };
  function capMakeView() {
    var token = ++cap.viewToken;
    var kind = $('cap-kind').value;
    cap.view = null; // the rows drawn belong to the previous view
    clear($('cap-table').tBodies[0]);
    $('cap-count').textContent = 'loading…';
    return ask({ type: 'view', conn: cap.conn.id, kind: kind, filter: $('cap-filter').value }).then(function (r) {
      if (token !== cap.viewToken) return;
      cap.view = { id: r.view, kind: r.kind, n: r.n, total: r.total, blocks: {}, asked: {}, focus: 0, token: token };
      var ths = $('cap-table').tHead.rows[0].cells;
      HEADS[r.kind].forEach(function (h, i) { ths[i].textContent = h; });
      $('cap-count').textContent = $('cap-filter').value === 'all' ? plural(r.n, r.kind === 'frames' ? 'frame' : 'message') : r.n + ' of ' + plural(r.total, r.kind === 'frames' ? 'frame' : 'message');
      $('cap-goto').max = String(Math.max(1, r.n));
      $('cap-table').setAttribute('aria-rowcount', String(r.n + 1));
      $('cap-list-help').textContent = 'Arrow keys, Page Up/Down, Home and End move between rows; Enter ' +
        (r.kind === 'frames' ? 'opens the frame in the decoder (panel 1).' : (cap.summary.format === 'har' ? 'rebuilds the message as a frame in panel 2 (a HAR has no wire bytes).' : 'opens the message\'s last frame in the decoder (panel 1).'));
      $('cap-scroll').scrollTop = 0;
      renderRows();
    }, function (e) { if (e && e.code !== 'ERR_CANCELLED') capStatus(errText(e), 'bad'); });
  }

  function geometry() {
    var v = cap.view, sc = $('cap-scroll');
    var head = $('cap-table').tHead.offsetHeight;
    var full = v.n * ROW_H;
    var height = Math.min(full, MAX_SCROLL_H);
    // the list grows up to its max-height: count the rows it can show, not the ones it shows now
    var box = Math.max(sc.clientHeight, (parseFloat(getComputedStyle(sc).maxHeight) || 0) - 2);
    var viewRows = Math.max(1, Math.ceil((box - head) / ROW_H));
    return { sc: sc, head: head, full: full, height: height, scaled: full > height, viewRows: viewRows };
  }
  function firstRow(g) {
    var v = cap.view, st = g.sc.scrollTop;
    if (!g.scaled) return Math.floor(st / ROW_H);
    var maxSt = Math.max(1, g.height + g.head - g.sc.clientHeight);
    return Math.round(Math.min(1, st / maxSt) * Math.max(0, v.n - g.viewRows));
  }
  function rowCached(p) {
    var b = cap.view.blocks[Math.floor(p / BLOCK)];
    return b ? b[p % BLOCK] : null;
  }
  function fetchBlock(k) {
    var v = cap.view;
    if (v.blocks[k] || v.asked[k]) return;
    v.asked[k] = true;
    ask({ type: 'rows', view: v.id, start: k * BLOCK, count: BLOCK }).then(function (r) {
      if (cap.view !== v) return;
      v.blocks[k] = r.rows;
      var keys = Object.keys(v.blocks);
      if (keys.length > 64) { delete v.blocks[keys[0]]; delete v.asked[keys[0]]; }
      scheduleRender();
    }, function () { delete v.asked[k]; });
  }
  var renderQueued = false;
  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(function () { renderQueued = false; if (cap.view) renderRows(); });
  }

  function renderRows() {
    var v = cap.view, tb = $('cap-table').tBodies[0];
    var act = document.activeElement, keep = null;
    if (act && tb.contains(act) && act.classList.contains('rowbtn')) keep = Number(act.getAttribute('data-pos'));
    if (v.focusPending != null) keep = v.focusPending;
    if (!v.n) {
      clear(tb).appendChild(el('tr', { class: 'empty' }, el('td', { colspan: '6', class: 'muted' }, 'Nothing to show with this filter.')));
      return;
    }
    // measure before touching the rows (an emptied table would clamp the scroll position)
    var g = geometry(), st = g.sc.scrollTop;
    var out = document.createDocumentFragment();
    var a, b, top;
    if (g.scaled) {
      // the first row comes from the scroll position, or from scrollToPos (keyboard) if the
      // position is still the one it set (the mapping rounds)
      var first = v.anchor && Math.abs(v.anchor.st - st) < 1 ? v.anchor.first : firstRow(g);
      a = Math.min(first, Math.max(0, v.n - g.viewRows)); b = Math.min(v.n, a + g.viewRows + 1);
      top = Math.max(0, Math.min(st, g.height - (b - a) * ROW_H));
    } else {
      var f0 = Math.floor(st / ROW_H);
      a = Math.max(0, f0 - 8); b = Math.min(v.n, f0 + g.viewRows + 8);
      top = a * ROW_H;
    }
    v.first = g.scaled ? a : Math.min(v.n - 1, f0);
    var bottom = Math.max(0, g.height - top - (b - a) * ROW_H);
    for (var k = Math.floor(a / BLOCK); k <= Math.floor((b - 1) / BLOCK); k++) fetchBlock(k);
    if (top > 0) out.appendChild(el('tr', { class: 'pad', 'aria-hidden': 'true', style: 'height:' + Math.round(top) + 'px' }, el('td', { colspan: '6' })));
    if (v.focus < a || v.focus >= b) v.focus = Math.min(Math.max(v.focus, a), b - 1);
    for (var p = a; p < b; p++) {
      var r = rowCached(p);
      out.appendChild(r ? (v.kind === 'frames' ? frameRow(r, p === v.focus) : messageRow(r, p === v.focus)) :
        el('tr', { class: 'loading', 'aria-rowindex': String(p + 2) }, el('td', { colspan: '6', class: 'muted' }, 'row ' + (p + 1) + '…')));
    }
    if (bottom > 0) out.appendChild(el('tr', { class: 'pad', 'aria-hidden': 'true', style: 'height:' + Math.round(bottom) + 'px' }, el('td', { colspan: '6' })));
    tb.replaceChildren(out);
    if (keep != null) {
      var btn = tb.querySelector('button[data-pos="' + keep + '"]');
      if (btn) { btn.focus({ preventScroll: true }); v.focusPending = null; }
      else if (keep >= a && keep < b) v.focusPending = keep; // drawn once its rows arrive
      else v.focusPending = null;
    }
  }

  function rowButton(r, on, label, text) {
    return el('button', { type: 'button', class: 'small rowbtn', tabindex: on ? '0' : '-1', 'data-pos': String(r.pos), 'aria-label': label }, text);
  }
  function frameRow(r, on) {
    var flags = [r.opcode_name];
    if (!r.fin) flags.push('FIN 0');
    if (r.rsv1) flags.push('RSV1');
    if (r.rsv2) flags.push('RSV2');
    if (r.rsv3) flags.push('RSV3');
    flags.push(r.masked ? 'mask ' + (r.masking_key || '') : 'unmasked');
    var err = r.errors.length ? r.errors[0] : null;
    var preview = err ? [el('strong', { class: 'bad' }, errBadge(err)), ' ', el('span', { class: 'bad' }, err.code + ': ' + err.message), ' ', r.preview] : r.preview;
    var title = err ? err.code + ' → close ' + err.close_code + ' (' + rfcText(err.rfc_section) + '): ' + err.message + '\n' + r.preview : r.preview;
    return el('tr', { class: 'row ' + (r.direction === 'client_to_server' ? 'dir-c2s' : 'dir-s2c') + (err ? ' err' : ''), 'aria-rowindex': String(r.pos + 2), 'data-pos': String(r.pos), 'data-index': String(r.index) }, [
      el('td', null, rowButton(r, on, 'Open frame ' + (r.index + 1) + ' (' + dirName(r.direction) + ', ' + r.opcode_name + ', ' + r.payload_len + ' bytes' + (err ? ', error ' + err.code : '') + ') in the decoder', String(r.index + 1))),
      el('td', null, dirName(r.direction)),
      el('td', { class: 'mono', title: absTime(r.time) }, relTime(r.time)),
      el('td', { class: 'mono', title: flags.join(' · ') }, flags.join(' · ')),
      el('td', { class: 'num' }, [String(r.payload_len), r.truncated ? el('span', { class: 'cut', title: 'cut: the report keeps the first ' + cap.summary.maxBytes + ' bytes of the frame' }, ' ✂') : null]),
      el('td', { class: 'preview', title: title }, preview)
    ]);
  }
  function messageRow(r, on) {
    var err = r.errors.length ? r.errors[0] : null;
    var what = r.kind + (r.compressed ? ' · compressed' : '') + (r.frames && r.frames[1] > r.frames[0] ? ' · ' + (r.frames[1] - r.frames[0] + 1) + ' frames' : '');
    var label = r.frames ? 'Open message ' + (r.index + 1) + ' (' + dirName(r.direction) + ', ' + r.kind + ', ' + r.length + ' bytes) in the decoder'
      : 'Rebuild message ' + (r.index + 1) + ' (' + dirName(r.direction) + ', ' + r.kind + ', ' + r.length + ' bytes) as a frame in panel 2';
    return el('tr', { class: 'row ' + (r.direction === 'client_to_server' ? 'dir-c2s' : 'dir-s2c') + (err ? ' err' : ''), 'aria-rowindex': String(r.pos + 2), 'data-pos': String(r.pos), 'data-index': String(r.index) }, [
      el('td', null, rowButton(r, on, label, String(r.index + 1))),
      el('td', null, dirName(r.direction)),
      el('td', { class: 'mono', title: absTime(r.time) }, relTime(r.time)),
      el('td', { class: 'mono' }, what),
      el('td', { class: 'num' }, [String(r.length), r.truncated ? el('span', { class: 'cut', title: 'cut: the report keeps the first ' + cap.summary.maxBytes + ' bytes' }, ' ✂') : null]),
      el('td', { class: 'preview', title: r.preview }, err ? [el('strong', { class: 'bad' }, errBadge(err)), ' ', r.preview] : r.preview)
    ]);
  }

  function scrollToPos(p, focus) {
    var v = cap.view; if (!v || !v.n) return;
    p = Math.max(0, Math.min(v.n - 1, p));
    v.focus = p;
    var g = geometry(), sc = g.sc;
    if (g.scaled) {
      var full = Math.max(1, Math.floor((sc.clientHeight - g.head) / ROW_H));
      var cur = v.first || 0, first = cur;
      if (p < cur) first = p; else if (p >= cur + full) first = p - full + 1;
      first = Math.max(0, Math.min(first, v.n - g.viewRows));
      if (first !== cur) {
        sc.scrollTop = first / Math.max(1, v.n - g.viewRows) * Math.max(1, g.height + g.head - sc.clientHeight);
        v.anchor = { st: sc.scrollTop, first: first };
      }
    } else {
      var y = p * ROW_H, visible = sc.clientHeight - g.head;
      if (y < sc.scrollTop) sc.scrollTop = y;
      else if (y + ROW_H > sc.scrollTop + visible) sc.scrollTop = y + ROW_H - visible;
    }
    renderRows();
    if (focus) {
      var btn = $('cap-table').querySelector('button[data-pos="' + p + '"]');
      if (btn) btn.focus({ preventScroll: true });
      else v.focusPending = p; // still being fetched: focused once drawn
    }
  }
  function rowAction(p) {
    var v = cap.view;
    var r = v && rowCached(p);
    if (!r) return;
    v.focus = p;
    if (v.kind === 'frames') return capOpenFrame(r.index, p);
    if (r.frames) return capOpenFrame(r.frames[1], p);
    capBuildMessage(r);
  }

  function capOpenFrame(index, pos) {
    var c = cap.conn, s = cap.summary;
    return ask({ type: 'frame', conn: c.id, index: index }).then(function (r) {
      var f = r.frame;
      var role = f.direction === 'client_to_server' ? 'server' : 'client';
      var lines = [];
      lines.push(el('p', null, [el('strong', null, 'From the capture ' + s.name + ': '), 'connection ' + (c.id + 1) + ' (' + c.client + ' → ' + c.server + '), frame ' + (f.index + 1) + ' of ' + c.frames + ', ' + dirName(f.direction) + ' at ' + relTime(f.time) + '. ' +
        (role === 'server' ? 'A client\'s frame, so it is decoded as a server receives it: it must be masked' + (f.masking_key ? ' (key ' + f.masking_key + ', chosen by the client for this frame)' : '') + '.' : 'A server\'s frame, so it is decoded as a client receives it: it must not be masked.')]));
      if (r.deflate) lines.push(el('p', null, 'permessage-deflate was agreed in this connection\'s handshake' + (c.handshake && c.handshake.extensions ? ' (' + c.handshake.extensions + ')' : '') + ': the decoder uses the negotiated parameters.'));
      if (r.context && !r.context.missing && r.context.frames > 1) {
        lines.push(el('p', null, r.context.from === 'start'
          ? 'Loaded with the ' + plural(r.context.frames - 1, 'frame') + ' sent before it in this direction: with context takeover a compressed message can refer back to earlier ones, so it can only be inflated after them. Frame ' + r.context.frames + ' (the tab) is this one.'
          : 'Loaded with the earlier fragments of its message (' + plural(r.context.frames, 'frame') + '): the decoder needs them to reassemble it.'));
      } else if (r.context && r.context.missing) {
        lines.push(el('p', { class: 'bad' }, 'Loaded alone: ' + (r.context.cut ? 'earlier frames it depends on were cut in the report' : 'the frames it depends on are too many to load') +
          (r.context.takeover ? ', and with context takeover it can only be inflated after the messages before it, so the decoder may report an inflate error that the capture does not have.' : '.')));
      }
      if (r.message) lines.push(el('p', null, ['The capture\'s decoder made of its message: ', el('code', { class: 'brk' }, r.message.kind + ' (' + r.message.length + ' B' + (r.message.compressed ? ', inflated' : '') + ') ' + r.message.preview)]));
      if (f.truncated) lines.push(el('p', { class: 'bad' }, '✂ Cut: the frame is ' + (f.header_len + f.payload_len) + ' bytes on the wire and the report keeps its first ' + f.raw_len + ' (Bytes kept per frame: ' + (s.maxBytes || 'all') + '), so the decoder sees an incomplete frame.'));
      if (r.errors.length) lines.push(el('ul', { class: 'violations' }, r.errors.map(function (e) { return el('li', null, errLine(e)); })));
      lines.push(el('p', null, el('button', { type: 'button', class: 'small', id: 'dec-back', onclick: function () { capBack(pos); } }, 'Back to the capture')));
      loadBytes(r.hex, role, r.deflate || false, r.select, el('div', null, lines));
      goto('decode');
    }, function (e) { if (e && e.code !== 'ERR_CANCELLED') capStatus(errText(e), 'bad'); });
  }
  function capBack(pos) {
    $('capture').scrollIntoView({ behavior: 'smooth', block: 'start' });
    if (cap.view && pos != null) scrollToPos(pos, true);
    else $('cap-h').focus();
  }

  // HAR: no wire bytes. Rebuild the message as its sender would frame it, in panel 2.
  function capBuildMessage(r) {
    var op = { text: 1, binary: 2, close: 8, ping: 9, pong: 10 }[r.kind] || 1;
    $('b-opcode').value = String(op);
    $('b-fin').checked = true; $('b-rsv1').checked = false; $('b-rsv2').checked = false; $('b-rsv3').checked = false;
    $('b-mask').checked = r.direction === 'client_to_server';
    if (r.text != null && op !== 8) { $('b-ptype').value = 'text'; $('b-payload').value = r.text; }
    else { $('b-ptype').value = 'hex'; $('b-payload').value = spaced(r.data_hex || ''); }
    $('b-frag').value = '0';
    $('b-compress').checked = false;
    renderBuild();
    $('build-note').textContent = 'Message ' + (r.index + 1) + ' of the HAR file, rebuilt as one ' + (r.direction === 'client_to_server' ? 'masked client' : 'unmasked server') + ' frame (the HAR keeps the message, not its frames, key or compression). ' + $('build-note').textContent;
    goto('build');
  }

  function onListKey(ev) {
    var t = ev.target;
    if (!t.classList || !t.classList.contains('rowbtn') || !cap.view) return;
    var p = Number(t.getAttribute('data-pos')), g = geometry(), page = Math.max(1, g.viewRows - 1);
    var to = { ArrowDown: p + 1, ArrowUp: p - 1, PageDown: p + page, PageUp: p - page, Home: 0, End: cap.view.n - 1 }[ev.key];
    if (to == null) return;
    ev.preventDefault();
    scrollToPos(to, true);
  }

  // ---- a small example capture, made here (pcap: Ethernet, IPv4, TCP), framed by the engine

  function makeExampleCapture() {
    var recs = [], us = 0; // time: microseconds after 2024-11-22 01:46:40 UTC
    var le32 = function (a, o, v) { a[o] = v & 255; a[o + 1] = (v >>> 8) & 255; a[o + 2] = (v >>> 16) & 255; a[o + 3] = (v >>> 24) & 255; };
    var be16 = function (a, o, v) { a[o] = (v >>> 8) & 255; a[o + 1] = v & 255; };
    var be32 = function (a, o, v) { a[o] = (v >>> 24) & 255; a[o + 1] = (v >>> 16) & 255; a[o + 2] = (v >>> 8) & 255; a[o + 3] = v & 255; };
    function packet(src, dst, sport, dport, seq, ack, flags, payload) {
      payload = payload || new Uint8Array(0);
      var p = new Uint8Array(54 + payload.length);
      p.set([2, 0, 0, 0, 0, dst[3], 2, 0, 0, 0, 0, src[3], 8, 0], 0); // Ethernet, IPv4
      p[14] = 0x45; be16(p, 16, 40 + payload.length); p[22] = 64; p[23] = 6; p.set(src, 26); p.set(dst, 30);
      var sum = 0; for (var i = 14; i < 34; i += 2) sum += (p[i] << 8) | p[i + 1];
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      be16(p, 24, ~sum & 0xffff);
      be16(p, 34, sport); be16(p, 36, dport); be32(p, 38, seq); be32(p, 42, ack); p[46] = 0x50; p[47] = flags; be16(p, 48, 65535);
      p.set(payload, 54);
      us += 12500;
      var r = new Uint8Array(16 + p.length);
      le32(r, 0, 1732240000 + Math.floor(us / 1e6)); le32(r, 4, us % 1e6); le32(r, 8, p.length); le32(r, 12, p.length);
      r.set(p, 16);
      recs.push(r);
    }
    // one TCP connection; send(dir, bytes[, cuts]) writes segments (cut where asked), acks come with the data
    function conn(cli, port) {
      var srv = [10, 0, 0, 1], sp = 8080, cs = 1000 + port, ss = 50000 + port;
      packet(cli, srv, port, sp, cs, 0, 0x02); cs++;
      packet(srv, cli, sp, port, ss, cs, 0x12); ss++;
      packet(cli, srv, port, sp, cs, ss, 0x10);
      return {
        send: function (toServer, bytes, cuts, retransmit) {
          var bounds = [0].concat(cuts || [], [bytes.length]);
          for (var i = 0; i + 1 < bounds.length; i++) {
            var seg = bytes.subarray(bounds[i], bounds[i + 1]);
            if (toServer) { packet(cli, srv, port, sp, cs, ss, 0x18, seg); if (retransmit) packet(cli, srv, port, sp, cs, ss, 0x18, seg); cs += seg.length; }
            else { packet(srv, cli, sp, port, ss, cs, 0x18, seg); if (retransmit) packet(srv, cli, sp, port, ss, cs, 0x18, seg); ss += seg.length; }
          }
        },
        fin: function () { packet(cli, srv, port, sp, cs, ss, 0x11); cs++; packet(srv, cli, sp, port, ss, cs, 0x11); ss++; packet(cli, srv, port, sp, cs, ss, 0x10); }
      };
    }
    var key = 'dGhlIHNhbXBsZSBub25jZQ==';
    // 1: the RFC's "Hello" (its first frame cut across two TCP segments), a ping, fragments, a close
    var a = conn([10, 0, 0, 2], 50312);
    a.send(true, W.buildHandshakeRequest({ host: '10.0.0.1:8080', path: '/chat', key: key, protocols: ['chat', 'superchat'] }));
    a.send(false, W.buildHandshakeResponse({ key: key, protocol: 'chat' }));
    a.send(true, W.encodeFrame({ opcode: 1, payload: 'Hello', mask: '37fa213d' }), [3]);
    a.send(false, W.encodeFrame({ opcode: 1, payload: 'Hello' }), null, true);
    a.send(false, W.encodeFrame({ opcode: 9, payload: 'are you there?' }));
    a.send(true, W.encodeFrame({ opcode: 10, payload: 'are you there?', mask: '0a0b0c0d' }));
    var enc = new W.Encoder({ role: 'client' });
    a.send(true, enc.message('{"type":"chat","text":"hello, websocket"}', { fragmentSize: 16, mask: 'a1b2c3d4' }));
    enc.free();
    a.send(true, W.encodeFrame({ opcode: 8, payload: fromHex('03e8627965'), mask: '11223344' }));
    a.send(false, W.encodeFrame({ opcode: 8, payload: fromHex('03e8') }));
    a.fin();
    // 2: permessage-deflate with context takeover: the second copy of a message costs a few bytes
    var b = conn([10, 0, 0, 3], 50400);
    var offer = 'permessage-deflate; client_max_window_bits';
    var neg = W.negotiatePerMessageDeflate(offer, true);
    b.send(true, W.buildHandshakeRequest({ host: '10.0.0.1:8080', path: '/feed', key: 'x3JJHMbDL1EzLkh9GBhXDw==', extensions: offer }));
    b.send(false, W.buildHandshakeResponse({ key: 'x3JJHMbDL1EzLkh9GBhXDw==', extensions: neg.response }));
    var ce = new W.Encoder({ role: 'client', perMessageDeflate: neg.params }), se = new W.Encoder({ role: 'server', perMessageDeflate: neg.params });
    var msg = '{"type":"quote","symbol":"WSPR","price":101.25,"note":"compressed with permessage-deflate"}';
    b.send(true, ce.message('subscribe WSPR', { compress: true }));
    b.send(false, se.message(msg, { compress: true }));
    b.send(false, se.message(msg, { compress: true }));
    ce.free(); se.free();
    b.fin();
    // 3: a client that forgets to mask: a server must fail the connection (1002, RFC 6455 §5.1)
    var c = conn([10, 0, 0, 4], 50500);
    c.send(true, W.buildHandshakeRequest({ host: '10.0.0.1:8080', path: '/chat', key: 'AQIDBAUGBwgJCgsMDQ4PEC==' }));
    c.send(false, W.buildHandshakeResponse({ key: 'AQIDBAUGBwgJCgsMDQ4PEC==' }));
    c.send(true, W.encodeFrame({ opcode: 1, payload: 'not masked' }));
    c.fin();
    var head = new Uint8Array(24);
    le32(head, 0, 0xa1b2c3d4); head[4] = 2; head[6] = 4; le32(head, 16, 65535); le32(head, 20, 1);
    return new File([head].concat(recs), 'wsprism-example.pcap', { type: 'application/vnd.tcpdump.pcap' });
  }

  function wireCapture() {
    var input = $('cap-file'), zone = $('cap-drop'), drop = $('capture');
    // a file dropped anywhere else must not make the browser navigate away from the page
    ['dragover', 'drop'].forEach(function (t) {
      document.addEventListener(t, function (ev) {
        if (ev.dataTransfer && Array.prototype.indexOf.call(ev.dataTransfer.types || [], 'Files') >= 0 && !drop.contains(ev.target)) {
          ev.preventDefault();
          if (t === 'dragover') ev.dataTransfer.dropEffect = 'none';
        }
      });
    });
    $('cap-choose').addEventListener('click', function () { input.click(); });
    input.addEventListener('change', function () { if (input.files && input.files[0]) capOpen(input.files[0]); input.value = ''; });
    $('cap-example').addEventListener('click', function () {
      try { capOpen(makeExampleCapture()); } catch (e) { capStatus('Could not build the example: ' + errText(e), 'bad'); }
    });
    ['dragenter', 'dragover'].forEach(function (t) {
      drop.addEventListener(t, function (ev) { ev.preventDefault(); if (ev.dataTransfer) ev.dataTransfer.dropEffect = 'copy'; zone.classList.add('over'); });
    });
    ['dragleave', 'drop'].forEach(function (t) {
      drop.addEventListener(t, function (ev) { if (t === 'dragleave' && drop.contains(ev.relatedTarget)) return; zone.classList.remove('over'); });
    });
    drop.addEventListener('drop', function (ev) {
      ev.preventDefault();
      var f = ev.dataTransfer && ev.dataTransfer.files && ev.dataTransfer.files[0];
      if (f) capOpen(f);
    });
    $('cap-max').addEventListener('change', function () { if (cap.file) capOpen(cap.file); });
    $('cap-cancel').addEventListener('click', capCancel);
    $('cap-kind').addEventListener('change', function () { if (cap.conn) capMakeView(); });
    $('cap-filter').addEventListener('change', function () { if (cap.conn) capMakeView(); });
    $('cap-goto').addEventListener('change', function () { scrollToPos(Math.floor(Number($('cap-goto').value) || 1) - 1, true); });
    $('cap-scroll').addEventListener('scroll', scheduleRender, { passive: true });
    var tb = $('cap-table');
    tb.addEventListener('keydown', onListKey);
    tb.addEventListener('click', function (ev) {
      var tr = ev.target.closest && ev.target.closest('tr.row');
      if (!tr || window.getSelection().toString()) return;
      rowAction(Number(tr.getAttribute('data-pos')));
    });
    tb.addEventListener('focusin', function (ev) {
      if (ev.target.classList.contains('rowbtn') && cap.view) cap.view.focus = Number(ev.target.getAttribute('data-pos'));
    });
  }

  // ------------------------------------------------------------------ init

  function wire() {
    document.querySelectorAll('[data-ex]').forEach(function (b) {
      b.addEventListener('click', function () { loadExample(b.getAttribute('data-ex')); });
    });
    ['dec-input', 'dec-format', 'dec-role', 'dec-pmd'].forEach(function (id) {
      $(id).addEventListener(id === 'dec-input' ? 'input' : 'change', function () {
        if (id === 'dec-input') { decState.frame = 0; setOrigin(null); }
        if (id === 'dec-pmd') decState.pmdParams = null;
        renderDecode();
      });
    });
    wireHighlight($('decode'));

    ['b-fin', 'b-rsv1', 'b-rsv2', 'b-rsv3', 'b-opcode', 'b-mask', 'b-key', 'b-ptype', 'b-payload', 'b-frag', 'b-compress', 'b-invalid'].forEach(function (id) {
      $(id).addEventListener('input', renderBuild); $(id).addEventListener('change', renderBuild);
    });
    $('b-randkey').addEventListener('click', buildRandomKey);
    $('build-open').addEventListener('click', function () {
      if (!built) return;
      loadBytes(toHex(built.bytes), built.role, built.pmd, 0); goto('decode');
    });

    $('hs-key').addEventListener('input', function () { renderAccept(); renderHandshake(); });
    $('hs-randkey').addEventListener('click', function () { $('hs-key').value = W.generateKey(); renderAccept(); renderHandshake(); });
    $('hs-input').addEventListener('input', renderHandshake);
    document.querySelectorAll('[data-hs]').forEach(function (b) {
      b.addEventListener('click', function () { $('hs-input').value = HS[b.getAttribute('data-hs')](); renderHandshake(); });
    });

    $('st-input').addEventListener('input', renderStream);
    $('st-cuts').addEventListener('change', renderStream);
    $('st-random').addEventListener('click', randomCuts);
    $('st-every').addEventListener('click', function () { var c = []; for (var i = 1; i < Math.min(stState.bytes.length, 300); i++) c.push(i); $('st-cuts').value = c.join(', '); renderStream(); });
    $('st-none').addEventListener('click', function () { $('st-cuts').value = ''; renderStream(); });
    document.querySelectorAll('[data-st]').forEach(function (b) {
      b.addEventListener('click', function () { var s = ST[b.getAttribute('data-st')]; setStream(s.hex, s.cuts); });
    });

    $('cz-input').addEventListener('input', renderCompress);
    $('cz-takeover').addEventListener('change', renderCompress);

    $('live-connect').addEventListener('click', function () { liveConnect().catch(function () {}); });
    $('live-close').addEventListener('click', function () { if (live && live.ws) live.ws.close(1000, 'done'); });
    $('live-send').addEventListener('click', function () { liveSend($('live-msg').value); });
    $('live-json').addEventListener('click', function () { liveSend(JSON.stringify({ type: 'chat', text: $('live-msg').value, at: new Date().toISOString() })); });
    $('live-bin').addEventListener('click', function () { liveSend(new Uint8Array([0xde, 0xad, 0xbe, 0xef])); });
    $('live-big').addEventListener('click', function () { liveSend(new Array(31).join('websocket ').slice(0, 300)); });
    $('live-ping').addEventListener('click', function () { liveSend('/ping'); });

    wireCapture();

    var whys = {
      masked: function () { loadExample('rfc-masked'); goto('decode'); },
      'unmasked-to-server': function () { loadBytes(EXAMPLES['rfc-unmasked'].hex, 'server', false, 0); goto('decode'); },
      live: function () { goto('live'); liveConnect().then(function () { liveSend('Hello'); }).catch(function () {}); },
      accept: function () { $('hs-key').value = 'dGhlIHNhbXBsZSBub25jZQ=='; renderAccept(); goto('handshake'); },
      badaccept: function () { $('hs-input').value = HS['res-bad'](); renderHandshake(); goto('handshake'); },
      ping: function () { loadExample('java-ping'); goto('decode'); },
      fragping: function () { loadExample('bad-fragping'); goto('decode'); },
      interleave: function () { setStream(ST.mdn.hex, ST.mdn.cuts); goto('stream'); },
      socketio: function () { loadExample('socketio'); goto('decode'); },
      liveping: function () { goto('live'); liveConnect().then(function () { liveSend('/ping'); }).catch(function () {}); }
    };
    document.querySelectorAll('[data-why]').forEach(function (b) {
      b.addEventListener('click', function () { whys[b.getAttribute('data-why')](); });
    });
  }

  function setupExamples() {
    var big = new Uint8Array(256); for (var i = 0; i < 256; i++) big[i] = i;
    var E = function (hex, role, pmd) { return { hex: hex, role: role, pmd: pmd }; };
    EXAMPLES = {
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
      'bad-utf8': E('8104cebae1bd', 'client')
    };
    var ping = W.encodeFrame({ opcode: 9, payload: 'hb', mask: '0a0b0c0d' });
    var mdn = fromHex('018511223344704c5764700089556677883d0707f82c4619ed22808599aabbcce0cfdabeb8');
    var withPing = concat([mdn.subarray(0, 11), ping, mdn.subarray(11)]);
    var two = concat([W.encodeFrame({ opcode: 1, payload: 'first', mask: '01020304' }), W.encodeFrame({ opcode: 1, payload: 'second message', mask: 'a1b2c3d4' })]);
    ST = {
      mdn: { hex: toHex(withPing), cuts: [4, 15, 24, 30] },
      sticky: { hex: toHex(two), cuts: [17] },
      big: { hex: toHex(W.encodeFrame({ opcode: 2, payload: big.subarray(0, 130), mask: '37fa213d' })), cuts: [1, 3, 6, 70] }
    };
    var req = 'GET /chat HTTP/1.1\nHost: server.example.com\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\nOrigin: http://example.com\nSec-WebSocket-Protocol: chat, superchat\nSec-WebSocket-Version: 13\n';
    HS = {
      req: function () { return req; },
      'req-pmd': function () {
        return 'GET /demo HTTP/1.1\nHost: 127.0.0.1:8080\nConnection: Upgrade\nPragma: no-cache\nUpgrade: websocket\nOrigin: http://127.0.0.1:8080\nSec-WebSocket-Version: 13\nSec-WebSocket-Key: ' + $('hs-key').value.trim() + '\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\n';
      },
      'req-bad': function () { return req.replace('Version: 13', 'Version: 12'); },
      res: function () { return 'HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Accept: ' + W.acceptKey($('hs-key').value.trim()) + '\nSec-WebSocket-Protocol: chat\n'; },
      'res-bad': function () { return 'HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\n'; }
    };
  }

  function start(lib) {
    W = lib;
    setupExamples();
    wire();
    renderDecode();
    renderBuild();
    renderAccept();
    $('hs-input').value = HS.req();
    renderHandshake();
    setStream(ST.mdn.hex, ST.mdn.cuts);
    renderCompress();
    var st = $('engine-status');
    st.textContent = 'Engine ready: wsprism-web ' + (window.wsprism.version || '') + ' (WebAssembly).';
    st.className = 'status ok';
    document.body.setAttribute('data-ready', 'true');
  }

  if (!window.wsprism) {
    $('engine-status').textContent = 'Could not load /wsprism-web/dist/wsprism.js: run `npm start` (it builds packages/wsprism-web) and open the URL it prints.';
    $('engine-status').className = 'status bad';
    return;
  }
  window.wsprism.ready.then(start, function (e) {
    $('engine-status').textContent = 'The engine failed to start: ' + errText(e);
    $('engine-status').className = 'status bad';
  });
})();
