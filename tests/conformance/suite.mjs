// The wsprism JS conformance suite, written once and run against every build of the JS surface:
//   - the Node package (packages/wsprism, napi addon)          tests/conformance/node.test.mjs
//   - the wasm package in Node (packages/wsprism-web)          tests/conformance/wasm-node.test.mjs
//   - the wasm package in headless Chromium                    tests/conformance/wasm-chromium.test.mjs
//
//   conformance({ lib, test, vectors, target })
//     lib      the package object (acceptKey, mask, Decoder, ...), already initialized
//     test     a registrar: test(name, fn), fn may be async and throws on failure
//     vectors  the parsed tests/vectors/seed-vectors.json
//     target   a label for messages ('node', 'wasm-node', 'wasm-chromium')
//
// Browser-safe: no Node imports (no node:assert, no Buffer).

export function conformance({ lib, test, vectors, target = 'unknown' }) {
  // ---------------------------------------------------------------- helpers
  const fail = (msg) => {
    throw new Error(`[${target}] ${msg}`);
  };
  const fmt = (v) => {
    try {
      return JSON.stringify(v, (_, x) => (x instanceof Uint8Array ? `<${hex(x)}>` : typeof x === 'bigint' ? `${x}n` : x));
    } catch {
      return String(v);
    }
  };
  const eq = (a, b, what) => {
    if (a !== b) fail(`${what}: expected ${fmt(b)}, got ${fmt(a)}`);
  };
  const ok = (c, what) => {
    if (!c) fail(what);
  };
  const deepEq = (a, b, what) => {
    const x = fmt(a);
    const y = fmt(b);
    if (x !== y) fail(`${what}:\n  expected ${y}\n  got      ${x}`);
  };
  const throws = (fn, check, what) => {
    let err;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    if (err === undefined) fail(`${what}: expected an exception`);
    for (const [k, v] of Object.entries(check)) {
      if (k === 'name') eq(err.name, v, `${what}: error name (${err.message})`);
      else eq(err[k], v, `${what}: error.${k} (${err.message})`);
    }
    return err;
  };
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const unhex = (s) => {
    const b = new Uint8Array(s.length / 2);
    for (let i = 0; i < b.length; i++) b[i] = parseInt(s.substr(i * 2, 2), 16);
    return b;
  };
  const te = new TextEncoder();
  // A real copy (Node's Buffer#slice is a view, not a copy).
  const copyOf = (x) => Uint8Array.prototype.slice.call(x);
  const td = new TextDecoder();
  const concat = (parts) => {
    const n = parts.reduce((a, p) => a + p.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  // Events in a comparable form (data as hex, errors as their code fields).
  const norm = (events) =>
    events.map((e) => {
      const o = { type: e.type };
      if ('data' in e) o.data = hex(e.data);
      if ('binary' in e) o.binary = e.binary;
      if (e.type === 'close') {
        o.code = e.code;
        o.reason = e.reason;
      }
      if (e.type === 'error') {
        o.code = e.error && e.error.code;
        o.closeCode = e.error && e.error.closeCode;
        o.offset = e.error && e.error.offset;
      }
      return o;
    });
  const decodeChunks = (opts, chunks) => {
    const d = new lib.Decoder(opts);
    const out = [];
    for (const c of chunks) {
      out.push(...d.push(copyOf(c)));
      if (out.length && out[out.length - 1].type === 'error') break;
    }
    if (d.free) d.free();
    return out;
  };
  // Every 2-way split, plus byte by byte; all must give the same events as one push.
  const everyChunking = (opts, bytes, what) => {
    const whole = norm(decodeChunks(opts, [bytes]));
    for (let i = 1; i < bytes.length; i++) {
      deepEq(norm(decodeChunks(opts, [bytes.subarray(0, i), bytes.subarray(i)])), whole, `${what}: split at ${i}`);
    }
    const single = [];
    for (let i = 0; i < bytes.length; i++) single.push(bytes.subarray(i, i + 1));
    deepEq(norm(decodeChunks(opts, single)), whole, `${what}: byte by byte`);
    return whole;
  };
  const KEY = unhex('37fa213d');
  const DEFAULT_MAX_FRAME = 16 * 1024 * 1024;
  let seed = 0x2545f491;
  const rand = () => {
    // xorshift32: reproducible across targets
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed / 4294967296;
  };
  const randInt = (n) => Math.floor(rand() * n);
  const randBytes = (n) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = randInt(256);
    return b;
  };

  // ---------------------------------------------------------------- seed vectors
  for (const v of vectors.accept_keys) {
    test(`acceptKey: ${v.source}`, () => {
      eq(lib.acceptKey(v.key), v.accept, 'accept');
    });
  }

  for (const v of vectors.handshake_requests) {
    test(`validateHandshakeRequest: ${v.source}`, () => {
      const r = lib.validateHandshakeRequest(v.raw);
      ok(r, 'a complete request gives a result');
      eq(r.ok, v.expect.valid, `ok (${r.message || ''})`);
      if (v.expect.valid) {
        eq(r.accept, v.expect.accept, 'accept');
        if (v.expect.offered_protocols) deepEq(r.protocols, v.expect.offered_protocols, 'protocols');
        if (v.expect.offered_extensions) deepEq(r.extensions.map((e) => e.name), v.expect.offered_extensions, 'extensions');
      } else {
        eq(r.status, v.expect.http_status, 'status');
        ok(r.response && r.response.length > 0, 'a rejection response');
        ok(td.decode(r.response).startsWith(`HTTP/1.1 ${v.expect.http_status} `), 'rejection status line');
      }
      // An incomplete head is not a valid request (400); parseHandshakeRequest waits for more.
      const inc = lib.validateHandshakeRequest(v.raw.slice(0, v.raw.length - 2));
      eq(inc.ok, false, 'incomplete head');
      eq(inc.status, 400, 'incomplete head status');
      eq(lib.parseHandshakeRequest(v.raw.slice(0, v.raw.length - 2)).complete, false, 'parse: incomplete');
    });
  }

  for (const v of vectors.frames) {
    test(`seed frame: ${v.name}`, () => {
      const exp = v.expect;
      const bytes = unhex(v.hex);
      let opts = { role: v.role };
      if (exp.payload_len !== undefined && exp.payload_len > DEFAULT_MAX_FRAME) {
        // Over the default limit: 1009 at once; with the limit raised, it waits.
        const ev = everyChunking(opts, bytes, v.name);
        eq(ev.length, 1, 'one event');
        eq(ev[0].type, 'error', 'an error');
        eq(ev[0].closeCode, 1009, 'closeCode over the default limit');
        opts = { role: v.role, maxFrameSize: Infinity, maxMessageSize: Infinity };
      }
      const events = everyChunking(opts, bytes, v.name);
      const report = lib.inspectStream(bytes, opts);
      const f0 = report.frames[0];
      for (const k of ['fin', 'opcode', 'masked', 'masking_key', 'payload_len', 'header_len', 'payload_hex', 'close_code', 'close_reason', 'complete']) {
        if (k === 'close_code' && exp.error) continue;
        if (k in exp) eq(f0[k], exp[k], `inspectStream frames[0].${k}`);
      }
      const one = lib.inspectFrame(bytes, opts);
      eq(one.opcode, f0.opcode, 'inspectFrame agrees with inspectStream');
      if ('frames' in exp) eq(report.frames.length, exp.frames, 'frame count');
      if (exp.error) {
        const last = events[events.length - 1];
        eq(last.type, 'error', 'decoder error event');
        eq(last.closeCode, exp.close_code, 'closeCode');
        ok(/^WS_ERR_/.test(last.code), `code ${last.code}`);
        ok(report.error, 'inspectStream reports the error');
        eq(report.error.close_code, exp.close_code, 'report.error.close_code');
        eq(report.error.kind, exp.error, 'report.error.kind');
        ok(report.frames.some((f) => f.violations.length > 0), 'a frame with violations');
      } else {
        ok(!events.some((e) => e.type === 'error'), `no error: ${fmt(events)}`);
        eq(report.error, null, 'report.error');
      }
      const msgs = events.filter((e) => e.type === 'message');
      if ('text' in exp && exp.opcode === 1) {
        eq(msgs.length, 1, 'one message');
        eq(td.decode(unhex(msgs[0].data)), exp.text, 'message text');
        eq(msgs[0].binary, false, 'text message');
      }
      if ('message' in exp) {
        eq(msgs.length, 1, 'one reassembled message');
        eq(td.decode(unhex(msgs[0].data)), exp.message, 'message');
      }
      if (exp.opcode === 9 && !exp.error) eq(events[0].type, 'ping', 'ping event');
      if (exp.opcode === 10 && !exp.error) eq(events[0].type, 'pong', 'pong event');
      if ('payload_hex' in exp && (exp.opcode === 9 || exp.opcode === 10)) eq(events[0].data, exp.payload_hex, 'control payload');
      if (exp.opcode === 8 && !exp.error) {
        eq(events[0].type, 'close', 'close event');
        eq(events[0].code, exp.close_code, 'close code');
        eq(events[0].reason, exp.close_reason, 'close reason');
      }
      if (exp.complete === false && !exp.error) eq(events.length, 0, 'an incomplete frame gives no event');
    });
  }

  test('seed stream: all valid server-bound seed frames in one stream, every chunking', () => {
    const frames = vectors.frames.filter((v) => v.role === 'server' && !v.expect.error && v.expect.complete !== false);
    const bytes = concat(frames.map((v) => unhex(v.hex)));
    const ev = everyChunking({ role: 'server' }, bytes, 'server stream');
    deepEq(ev.map((e) => e.type), ['message', 'pong', 'message'], 'event types');
  });

  test('seed stream: all valid client-bound seed frames in one stream, every chunking', () => {
    const frames = vectors.frames.filter((v) => v.role === 'client' && !v.expect.error && v.expect.complete !== false);
    const bytes = concat(frames.map((v) => unhex(v.hex)));
    const ev = everyChunking({ role: 'client' }, bytes, 'client stream');
    ok(ev.length >= 7 && !ev.some((e) => e.type === 'error'), `events: ${fmt(ev.map((e) => e.type))}`);
    eq(ev[ev.length - 1].type, 'close', 'ends with the close');
  });

  // ---------------------------------------------------------------- encodeFrame
  test('encodeFrame: RFC 6455 §5.7 masked "Hello" with key 37fa213d', () => {
    eq(hex(lib.encodeFrame({ opcode: 1, payload: te.encode('Hello'), mask: KEY })), '818537fa213d7f9f4d5158', 'bytes');
    eq(hex(lib.encodeFrame({ opcode: 1, payload: te.encode('Hello'), mask: '37fa213d' })), '818537fa213d7f9f4d5158', 'hex key');
    eq(hex(lib.encodeFrame({ opcode: 1, payload: 'Hello', mask: 0x37fa213d })), '818537fa213d7f9f4d5158', 'numeric key, string payload');
    const d = new lib.Decoder({ role: 'server' });
    const ev = d.push(unhex('818537fa213d7f9f4d5158'));
    eq(ev.length, 1, 'one event');
    eq(td.decode(ev[0].data), 'Hello', 'decoded');
  });

  test('encodeFrame: the other RFC 6455 §5.7 examples', () => {
    eq(hex(lib.encodeFrame({ opcode: 1, payload: te.encode('Hello') })), '810548656c6c6f', 'unmasked text');
    eq(hex(lib.encodeFrame({ opcode: 1, payload: te.encode('Hel'), fin: false })), '010348656c', 'first fragment');
    eq(hex(lib.encodeFrame({ opcode: 0, payload: te.encode('lo') })), '80026c6f', 'last fragment');
    eq(hex(lib.encodeFrame({ opcode: 9, payload: te.encode('Hello') })), '890548656c6c6f', 'ping');
    eq(hex(lib.encodeFrame({ opcode: 10, payload: te.encode('Hello'), mask: KEY })), '8a8537fa213d7f9f4d5158', 'masked pong');
    const b256 = new Uint8Array(256).map((_, i) => i);
    eq(hex(lib.encodeFrame({ opcode: 2, payload: b256 })).slice(0, 8), '827e0100', '16-bit length');
    eq(hex(lib.encodeFrame({ opcode: 2, payload: new Uint8Array(65536) })).slice(0, 20), '827f0000000000010000', '64-bit length');
    eq(hex(lib.encodeFrame({ opcode: 1, payload: te.encode('x'), rsv1: true })), 'c10178', 'rsv1');
  });

  test('encodeFrame: random mask (mask: true) round-trips', () => {
    const f = lib.encodeFrame({ opcode: 2, payload: te.encode('abc'), mask: true });
    eq(f.length, 9, 'length');
    eq(f[1] & 0x80, 0x80, 'MASK bit');
    const ev = new lib.Decoder({ role: 'server' }).push(f);
    eq(td.decode(ev[0].data), 'abc', 'payload');
  });

  test('encodeFrame: invalid control frames are RangeErrors unless allowInvalid', () => {
    throws(() => lib.encodeFrame({ opcode: 9, payload: new Uint8Array(126) }), { name: 'RangeError', code: 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH' }, '126-byte ping');
    throws(() => lib.encodeFrame({ opcode: 8, payload: new Uint8Array(2), fin: false }), { name: 'RangeError', code: 'WS_ERR_EXPECTED_FIN' }, 'close without FIN');
    const big = lib.encodeFrame({ opcode: 9, payload: new Uint8Array(126), allowInvalid: true });
    eq(hex(big.subarray(0, 4)), '897e007e', 'allowInvalid builds it');
    eq(hex(lib.encodeFrame({ opcode: 9, fin: false, allowInvalid: true })), '0900', 'fragmented ping');
    throws(() => lib.encodeFrame({ opcode: 16 }), { name: 'RangeError' }, 'opcode 16');
    throws(() => lib.encodeFrame({ opcode: 1, mask: new Uint8Array(3) }), { name: 'RangeError' }, '3-byte key');
  });

  // ---------------------------------------------------------------- mask / utf8
  const jsMask = (b, key, offset = 0) => {
    for (let i = 0; i < b.length; i++) b[i] ^= key[(i + offset) & 3];
    return b;
  };

  test('mask: matches a byte loop for many sizes and offsets, in place', () => {
    for (const n of [0, 1, 3, 4, 5, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000, 4097, 65536 + 3]) {
      for (const off of [0, 1, 2, 3, 4, 5, 1e9 + 1]) {
        const data = randBytes(n);
        const key = randBytes(4);
        const want = jsMask(data.slice(), key, off);
        const got = lib.mask(data, key, off);
        ok(got === undefined || got === data, 'returns the same array (or nothing)');
        eq(hex(data), hex(want), `n=${n} offset=${off}`);
      }
    }
  });

  test('mask: resumable across a split payload; unmask is the same', () => {
    const data = randBytes(1000);
    const whole = data.slice();
    lib.mask(whole, KEY);
    for (const cut of [1, 2, 3, 5, 17, 500, 999]) {
      const a = data.slice(0, cut);
      const b = data.slice(cut);
      lib.mask(a, KEY, 0);
      lib.mask(b, KEY, cut);
      eq(hex(concat([a, b])), hex(whole), `cut ${cut}`);
    }
    lib.unmask(whole, KEY);
    eq(hex(whole), hex(data), 'unmask restores');
  });

  test('mask: 1 MiB and 3 MiB + 3 bytes (offset 1)', () => {
    const one = randBytes(1 << 20);
    const oneWant = jsMask(one.slice(), KEY, 0);
    lib.mask(one, KEY, 0);
    eq(hex(one.subarray(one.length - 64)), hex(oneWant.subarray(oneWant.length - 64)), '1 MiB tail');
    const data = randBytes((3 << 20) + 3);
    const want = jsMask(data.slice(), KEY, 1);
    lib.mask(data, KEY, 1);
    eq(hex(data.subarray(0, 64)), hex(want.subarray(0, 64)), 'head');
    for (let i = 0; i < data.length; i += 4093) eq(data[i], want[i], `byte ${i}`);
    eq(data[data.length - 1], want[want.length - 1], 'last byte');
  });

  test('isValidUtf8', () => {
    const cases = [
      ['', true], ['48656c6c6f', true], ['cebae1bdb9cf83cebcceb5', true], ['cebae1bd', false],
      ['ff', false], ['c0af', false], ['eda080', false], ['f4908080', false], ['f09f9880', true],
      ['e282ac', true], ['e282', false],
    ];
    for (const [h, want] of cases) eq(lib.isValidUtf8(unhex(h)), want, h);
    const long = te.encode('héllo wörld ☃ 😀 '.repeat(5000));
    eq(lib.isValidUtf8(long), true, 'long valid');
    const bad = long.slice();
    bad[bad.length - 3] = 0xff;
    eq(lib.isValidUtf8(bad), false, 'long with a bad byte near the end');
  });

  // ---------------------------------------------------------------- Encoder -> Decoder
  const sizes = [0, 1, 5, 125, 126, 127, 65535, 65536, 100001];
  const dirs = [
    ['client', 'server'],
    ['server', 'client'],
  ];
  for (const [from, to] of dirs) {
    test(`roundtrip ${from} -> ${to}: messages of ${sizes.join(', ')} bytes, text and binary`, () => {
      const enc = new lib.Encoder({ role: from });
      const dec = new lib.Decoder({ role: to });
      for (const n of sizes) {
        const bin = randBytes(n);
        const text = 'aé☃'.repeat(Math.ceil(n / 6)).slice(0, n);
        const f1 = enc.message(bin, { binary: true });
        ok(((f1[1] & 0x80) !== 0) === (from === 'client'), 'a client masks, a server does not');
        const f2 = enc.message(text);
        const ev = dec.push(concat([f1, f2]));
        eq(ev.length, 2, `two events for n=${n}`);
        eq(ev[0].binary, true, 'binary');
        eq(hex(ev[0].data), hex(bin), `binary payload n=${n}`);
        eq(ev[1].binary, false, 'text');
        eq(td.decode(ev[1].data), text, `text payload n=${n}`);
      }
    });
  }

  test('roundtrip: a 2.5 MiB message in one chunk, and split in three', () => {
    const enc = new lib.Encoder({ role: 'client' });
    const big = randBytes(5 << 19);
    const f = enc.message(big);
    // (The Node package unmasks its input in place: each pass gets its own copy of the frame.)
    for (const cuts of [[], [100, 2000003]]) {
      const g = copyOf(f);
      const chunks = [];
      let at = 0;
      for (const c of [...cuts, g.length]) {
        chunks.push(g.subarray(at, c));
        at = c;
      }
      const d = new lib.Decoder({ role: 'server' });
      const ev = chunks.flatMap((c) => d.push(c));
      eq(ev.length, 1, 'one message');
      eq(ev[0].data.length, big.length, 'length');
      for (let i = 0; i < big.length; i += 9973) eq(ev[0].data[i], big[i], `byte ${i}`);
      eq(ev[0].data[big.length - 1], big[big.length - 1], 'last byte');
    }
  });

  test('roundtrip: fragmented messages with interleaved control frames, every chunking', () => {
    const enc = new lib.Encoder({ role: 'client' });
    const parts = [
      enc.message('Hel', { fin: false, mask: KEY }),
      enc.ping(te.encode('p'), { mask: KEY }),
      enc.message('lo', { fin: true, mask: KEY }),
      enc.message(te.encode('bin'), { binary: true, fragmentSize: 1, mask: KEY }),
      enc.pong(undefined, { mask: KEY }),
      enc.close(1000, 'bye'),
    ];
    const ev = everyChunking({ role: 'server' }, concat(parts), 'fragments');
    deepEq(ev.map((e) => e.type), ['ping', 'message', 'message', 'pong', 'close'], 'types');
    eq(td.decode(unhex(ev[1].data)), 'Hello', 'reassembled text');
    eq(td.decode(unhex(ev[2].data)), 'bin', 'reassembled binary');
    eq(ev[4].code, 1000, 'close code');
    eq(ev[4].reason, 'bye', 'close reason');
  });

  test('Encoder: close frames', () => {
    const enc = new lib.Encoder({ role: 'server' });
    eq(hex(enc.close()), '8800', 'no status');
    eq(hex(enc.close(1000)), '880203e8', '1000');
    const ev = new lib.Decoder({ role: 'client' }).push(enc.close());
    eq(ev[0].code, 1005, 'no status is 1005');
    eq(ev[0].reason, '', 'empty reason');
    throws(() => enc.close(1005), { name: 'RangeError', code: 'WS_ERR_INVALID_CLOSE_CODE' }, 'close(1005)');
    throws(() => enc.close(1000, 'x'.repeat(124)), { name: 'RangeError' }, '124-byte reason');
    throws(() => enc.ping(new Uint8Array(126)), { name: 'RangeError', code: 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH' }, '126-byte ping');
  });

  test('permessage-deflate: negotiate, compress, decompress (with and without context takeover)', () => {
    const n = lib.negotiatePerMessageDeflate('permessage-deflate; client_max_window_bits', {});
    ok(n && n.response.startsWith('permessage-deflate'), `negotiated: ${fmt(n)}`);
    eq(lib.negotiatePerMessageDeflate('x-webkit-deflate-frame', {}), null, 'nothing to negotiate');
    eq(lib.negotiatePerMessageDeflate('permessage-deflate; bogus=1', {}), null, 'invalid offer declined');
    for (const cfg of [{}, { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10 }]) {
      const offer = 'permessage-deflate; client_max_window_bits; server_max_window_bits=12';
      const neg = lib.negotiatePerMessageDeflate(offer, cfg);
      ok(neg, 'negotiated');
      const enc = new lib.Encoder({ role: 'client', perMessageDeflate: neg.params });
      const dec = new lib.Decoder({ role: 'server', perMessageDeflate: neg.params });
      for (let i = 0; i < 5; i++) {
        const text = `hello hello hello hello ${i} `.repeat(50);
        const f = enc.message(text, { compress: true });
        ok(f.length < text.length, 'compressed');
        eq((f[0] & 0x40) !== 0, true, 'RSV1 set');
        const ev = dec.push(f);
        eq(ev.length, 1, 'one message');
        eq(td.decode(ev[0].data), text, 'inflated');
      }
    }
  });

  test('permessage-deflate: a decompression bomb stops at maxMessageSize', () => {
    const p = true;
    const enc = new lib.Encoder({ role: 'client', perMessageDeflate: p });
    const f = enc.message(new Uint8Array(1 << 20), { binary: true, compress: true });
    ok(f.length < 5000, `1 MiB of zeros compresses (${f.length})`);
    const ev = new lib.Decoder({ role: 'server', perMessageDeflate: p, maxMessageSize: 65536 }).push(f);
    eq(ev[ev.length - 1].type, 'error', 'error');
    eq(ev[ev.length - 1].error.closeCode, 1009, '1009');
  });

  // ---------------------------------------------------------------- errors
  const errorCases = [
    ['81026869', 'server', 'WS_ERR_EXPECTED_MASK', 1002],
    ['818201020304696b', 'client', 'WS_ERR_UNEXPECTED_MASK', 1002],
    ['c100', 'client', 'WS_ERR_UNEXPECTED_RSV_1', 1002],
    ['a100', 'client', 'WS_ERR_UNEXPECTED_RSV_2_3', 1002],
    ['8300', 'client', 'WS_ERR_INVALID_OPCODE', 1002],
    ['0900', 'client', 'WS_ERR_EXPECTED_FIN', 1002],
    ['8104cebae1bd', 'client', 'WS_ERR_INVALID_UTF8', 1007],
    ['880103', 'client', 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002],
    ['880203ed', 'client', 'WS_ERR_INVALID_CLOSE_CODE', 1002],
    ['817e000548656c6c6f', 'client', 'WS_ERR_NON_MINIMAL_LENGTH', 1002],
    ['8000', 'client', 'WS_ERR_INVALID_OPCODE', 1002],
    ['827f8000000000000000', 'client', 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', 1002],
    ['827f0000000011223344', 'client', 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009],
  ];
  test('protocol errors: code, closeCode, rfcSection, offset', () => {
    for (const [h, role, code, closeCode] of errorCases) {
      const ev = new lib.Decoder({ role }).push(unhex(h));
      const last = ev[ev.length - 1];
      eq(last && last.type, 'error', `${h}: error event`);
      const e = last.error;
      ok(e instanceof Error, `${h}: an Error`);
      eq(e.code, code, `${h}: code`);
      eq(e.closeCode, closeCode, `${h}: closeCode`);
      ok(typeof e.rfcSection === 'string' && e.rfcSection.includes('RFC'), `${h}: rfcSection ${e.rfcSection}`);
      ok(typeof e.offset === 'number' && e.offset >= 0, `${h}: offset`);
    }
  });

  test('protocol errors: offset counts from the start of the stream', () => {
    const d = new lib.Decoder({ role: 'client' });
    eq(d.push(unhex('810548656c6c6f')).length, 1, 'a good frame first');
    const ev = d.push(unhex('8300'));
    eq(ev[0].error.offset, 7, 'offset of the bad frame');
  });

  test('frame limits: maxFrameSize and maxMessageSize give 1009', () => {
    const enc = new lib.Encoder({ role: 'client' });
    let ev = new lib.Decoder({ role: 'server', maxFrameSize: 10 }).push(enc.message(new Uint8Array(11)));
    eq(ev[0].error.closeCode, 1009, 'frame too big');
    const frags = enc.message(new Uint8Array(30), { fragmentSize: 10 });
    ev = new lib.Decoder({ role: 'server', maxMessageSize: 25 }).push(frags);
    eq(ev[ev.length - 1].error.closeCode, 1009, 'message too big');
    ev = new lib.Decoder({ role: 'server', maxMessageSize: 30 }).push(frags);
    eq(ev[0].data.length, 30, 'exactly at the limit');
  });

  test('API misuse: TypeError / RangeError with codes', () => {
    throws(() => lib.acceptKey(42), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }, 'acceptKey(42)');
    throws(() => lib.mask('abc', KEY), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }, 'mask(string)');
    throws(() => lib.mask(new Uint8Array(4), new Uint8Array(3)), { name: 'RangeError' }, 'mask 3-byte key');
    throws(() => lib.mask(new Uint8Array(4), KEY, -1), { name: 'RangeError' }, 'mask negative offset');
    throws(() => lib.isValidUtf8(null), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }, 'isValidUtf8(null)');
    throws(() => new lib.Decoder({ role: 'peer' }), { name: 'RangeError' }, 'bad role');
    throws(() => new lib.Decoder({ maxFrameSize: -1 }), { name: 'RangeError' }, 'negative limit');
    throws(() => new lib.Decoder().push(42), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }, 'push(42)');
    throws(() => lib.encodeFrame(), { name: 'TypeError' }, 'encodeFrame()');
    throws(() => lib.inspectFrame({}), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }, 'inspectFrame({})');
  });

  // ---------------------------------------------------------------- inspect
  test('inspectFrame: fields and violations of a frame the decoder rejects', () => {
    const r = lib.inspectFrame(unhex('c185010203040000000000'), { role: 'server' });
    eq(r.rsv1, true, 'rsv1');
    eq(r.masking_key, '01020304', 'masking_key');
    eq(r.payload_hex, '0102030401', 'unmasked payload');
    ok(r.fields.some((f) => f.name === 'FIN' && f.bit_offset === 0 && f.bit_width === 1), 'FIN field');
    ok(r.violations.some((x) => x.code === 'WS_ERR_UNEXPECTED_RSV_1' && x.close_code === 1002), 'RSV1 violation');
    eq(lib.inspectFrame(unhex('81'), {}), null, 'less than a header');
  });

  test('inspectStream: messages, events, waiting_for, error_frame', () => {
    const s = lib.inspectStream(unhex('010348656c80026c6f8900817e0100'), { role: 'client' });
    eq(s.frames.length, 4, 'frames (the last one cut off)');
    eq(s.messages.length, 1, 'one message');
    ok(s.events.length >= 2, 'events');
    ok(typeof s.waiting_for === 'string' && s.waiting_for.length > 0, `waiting_for ${s.waiting_for}`);
    eq(s.error, null, 'no error');
    const bad = lib.inspectStream(unhex('810548656c6c6f8300'), { role: 'client' });
    eq(bad.error.code, 'WS_ERR_INVALID_OPCODE', 'error');
    eq(bad.error_frame, 1, 'error_frame');
  });

  // ---------------------------------------------------------------- handshake
  test('handshake: parse, validate, build a response, parse it as the client', () => {
    const key = lib.generateKey();
    ok(/^[A-Za-z0-9+/]{22}==$/.test(key), `generateKey ${key}`);
    ok(key !== lib.generateKey(), 'random keys');
    const raw = `GET /chat?x=1 HTTP/1.1\r\nHost: example.com\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nOrigin: http://example.com\r\n\r\nEXTRA`;
    const p = lib.parseHandshakeRequest(te.encode(raw));
    eq(p.complete, true, 'complete');
    eq(p.method, 'GET', 'method');
    eq(p.path, '/chat?x=1', 'path');
    eq(p.httpVersion, '1.1', 'httpVersion');
    eq(p.length, raw.length - 5, 'length of the head');
    ok(p.headers.some(([k, val]) => k === 'Host' && val === 'example.com'), 'headers as [name, value]');
    deepEq(lib.parseHandshakeRequest('GET / HTTP/1.1\r\nHost: x\r\n'), { complete: false }, 'incomplete');
    const bad = throws(() => lib.parseHandshakeRequest('NOT HTTP AT ALL\r\n\r\n'), { code: 'WS_ERR_INVALID_HANDSHAKE', status: 400 }, 'malformed');
    ok(bad instanceof lib.HandshakeError, 'a HandshakeError');
    throws(() => lib.parseHandshakeRequest(`GET / HTTP/1.1\r\nX: ${'a'.repeat(lib.DEFAULT_MAX_HEAD_SIZE)}\r\n\r\n`), { code: 'WS_ERR_HANDSHAKE_TOO_LARGE', status: 431 }, 'too large');
    eq(lib.parseHandshakeRequest(raw, { maxSize: 64 * 1024 }).complete, true, 'maxSize');
    const v = lib.validateHandshakeRequest(raw);
    eq(v.ok, true, 'valid');
    eq(v.key, key, 'key');
    eq(v.accept, lib.acceptKey(key), 'accept');
    eq(v.path, '/chat?x=1', 'path');
    eq(v.host, 'example.com', 'host');
    eq(v.origin, 'http://example.com', 'origin');
    deepEq(v.protocols, ['chat', 'superchat'], 'protocols');
    eq(v.extensions[0].name, 'permessage-deflate', 'extension');
    deepEq(v.extensions[0].params, { client_max_window_bits: true }, 'extension params');
    ok(v.headers.some(([k]) => k === 'Sec-WebSocket-Key'), 'headers');
    eq(v.length, raw.length - 5, 'length');
    const neg = lib.negotiatePerMessageDeflate(v.extensions, { serverNoContextTakeover: true });
    ok(neg, 'deflate negotiated from validated extensions');
    const resp = lib.buildHandshakeResponse({ key, protocol: 'chat', extensions: neg.response, headers: { 'X-Test': 'yes' } });
    const text = typeof resp === 'string' ? resp : td.decode(resp);
    ok(text.startsWith('HTTP/1.1 101 Switching Protocols\r\n'), 'status line');
    ok(text.includes(`Sec-WebSocket-Accept: ${lib.acceptKey(key)}\r\n`), 'accept header');
    ok(text.includes('X-Test: yes\r\n'), 'extra header');
    const c = lib.parseHandshakeResponse(resp, { key, protocols: ['chat', 'superchat'], extensions: ['permessage-deflate'] });
    eq(c.complete, true, 'complete');
    eq(c.ok, true, `client accepts (${c.message || ''})`);
    eq(c.status, 101, 'status');
    eq(c.length, resp.length, 'length');
    eq(c.protocol, 'chat', 'protocol');
    eq(c.extensions[0].name, 'permessage-deflate', 'accepted extension');
    const ext = c.headers.find(([k]) => k.toLowerCase() === 'sec-websocket-extensions')[1];
    const agreed = lib.acceptPerMessageDeflate(ext, {});
    eq(agreed.serverNoContextTakeover, true, 'agreed deflate params');
    const wrong = lib.parseHandshakeResponse(resp, { key: lib.generateKey(), protocols: ['chat'] });
    eq(wrong.ok, false, 'wrong key rejected');
    ok(typeof wrong.message === 'string', 'with a message');
    eq(lib.parseHandshakeResponse(resp.subarray(0, 20), { key }).complete, false, 'incomplete response');
    throws(() => lib.buildHandshakeResponse({ key, headers: { 'X-Evil': 'a\r\nSet-Cookie: x' } }), { name: 'TypeError' }, 'header injection');
  });

  test('handshake: rejections carry the HTTP status and the response to send', () => {
    const base = 'GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
    const v426 = lib.validateHandshakeRequest(`${base}Sec-WebSocket-Version: 8\r\n\r\n`);
    eq(v426.ok, false, 'rejected');
    eq(v426.status, 426, 'status 426');
    ok(td.decode(v426.response).includes('Sec-WebSocket-Version: 13'), '426 names version 13');
    const v400 = lib.validateHandshakeRequest(base.replace('dGhlIHNhbXBsZSBub25jZQ==', 'short') + 'Sec-WebSocket-Version: 13\r\n\r\n');
    eq(v400.status, 400, 'bad key is 400');
  });


  test('handshake: buildHandshakeRequest -> validateHandshakeRequest; client offer and accept', () => {
    const offer = lib.perMessageDeflateOffer({ clientMaxWindowBits: 12 });
    ok(offer.startsWith('permessage-deflate') && offer.includes('client_max_window_bits=12'), `offer ${offer}`);
    const req = lib.buildHandshakeRequest({ host: 'example.com:8080', path: '/ws?a=b', protocols: ['chat'], extensions: offer, origin: 'http://example.com', headers: [['X-A', '1']] });
    const text = td.decode(req);
    ok(text.startsWith('GET /ws?a=b HTTP/1.1\r\n') && text.endsWith('\r\n\r\n'), 'request line and end');
    const v = lib.validateHandshakeRequest(req);
    eq(v.ok, true, `valid (${v.message || ''})`);
    eq(v.host, 'example.com:8080', 'host');
    deepEq(v.protocols, ['chat'], 'protocols');
    const neg = lib.negotiatePerMessageDeflate(v.extensions, {});
    eq(neg.params.clientMaxWindowBits, 12, 'negotiated client window');
    const agreed = lib.acceptPerMessageDeflate(neg.response, { clientMaxWindowBits: 12 });
    deepEq(agreed, neg.params, 'both sides agree');
    eq(lib.acceptPerMessageDeflate(undefined, {}), null, 'no answer: no compression');
    throws(() => lib.acceptPerMessageDeflate('permessage-deflate; server_max_window_bits=99', {}), { code: 'WS_ERR_INVALID_EXTENSION' }, 'bad answer');
    throws(() => lib.buildHandshakeRequest({ host: 'h', origin: 'a\nb' }), { name: 'TypeError' }, 'origin injection');
  });

  test('mask keys: bytes, a big-endian number or 8 hex digits', () => {
    const a = te.encode('Hello');
    const b = te.encode('Hello');
    const c = te.encode('Hello');
    lib.mask(a, KEY);
    lib.mask(b, 0x37fa213d);
    lib.mask(c, '37fa213d');
    eq(hex(a), '7f9f4d5158', 'bytes');
    eq(hex(b), '7f9f4d5158', 'number');
    eq(hex(c), '7f9f4d5158', 'hex');
    throws(() => lib.mask(te.encode('x'), 'xyz'), { name: 'RangeError' }, 'bad hex');
    throws(() => lib.mask(te.encode('x'), 2 ** 32), { name: 'RangeError' }, 'number too big');
  });

  test('Decoder: getters, close data, the error is sticky', () => {
    const d = new lib.Decoder({ role: 'client' });
    eq(d.push(unhex('81054865')).length, 0, 'half a frame');
    eq(d.partial, true, 'partial');
    ok(d.waitingFor.length > 0, 'waitingFor');
    eq(d.offset, 4, 'offset');
    eq(d.push(unhex('6c6c6f')).length, 1, 'the rest');
    eq(d.partial, false, 'not partial');
    const ev = d.push(unhex('880503e8627965'));
    eq(ev[0].type, 'close', 'close');
    eq(hex(ev[0].data), '03e8627965', 'close data (raw payload)');
    eq(d.closed, true, 'closed');
    eq(d.error, null, 'no error yet');
    const d2 = new lib.Decoder({ role: 'client' });
    const e1 = d2.push(unhex('8300'));
    const e2 = d2.push(unhex('810548656c6c6f'));
    eq(e2.length, 1, 'after an error, push returns the error again');
    eq(e2[0].type, 'error', 'error');
    eq(e2[0].error.code, e1[0].error.code, 'same error');
    eq(d2.error.code, 'WS_ERR_INVALID_OPCODE', 'decoder.error');
    eq(e1[0].error.name, 'WebSocketProtocolError', 'error name');
  });

  test('Encoder: canCompress, compress without permessage-deflate, fragment size', () => {
    const plain = new lib.Encoder({ role: 'server' });
    eq(plain.canCompress, false, 'canCompress');
    throws(() => plain.message('x', { compress: true }), { code: 'WS_ERR_COMPRESSION_NOT_NEGOTIATED' }, 'compress without deflate');
    throws(() => plain.message('x', { fragmentSize: 0 }), { name: 'RangeError' }, 'fragmentSize 0');
    eq(new lib.Encoder({ perMessageDeflate: true }).canCompress, true, 'with deflate');
    const f = plain.message('abcdef', { fragmentSize: 2 });
    eq(hex(f), '0102616200026364800265 66'.replace(/ /g, ''), 'three fragments');
    eq(plain.inMessage, false, 'not in a message');
    plain.message('a', { fin: false });
    eq(plain.inMessage, true, 'in a message');
    throws(() => plain.ping(new Uint8Array(126)), { code: 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH' }, 'ping 126');
    eq(hex(plain.close(1000, te.encode('ok'))), '880403e86f6b', 'reason as bytes');
  });

  // ---------------------------------------------------------------- FrameDecoderStream
  if (typeof lib.FrameDecoderStream === 'function' && typeof ReadableStream === 'function') {
    test('FrameDecoderStream: chunks in, events out; ends after an error', async () => {
      const bytes = unhex('818537fa213d7f9f4d51588a8537fa213d7f9f4d515881026869');
      const chunks = [];
      for (let i = 0; i < bytes.length; i += 3) chunks.push(bytes.slice(i, i + 3));
      const rs = new ReadableStream({
        start(c) {
          for (const ch of chunks) c.enqueue(ch);
          c.close();
        },
      });
      const out = [];
      const reader = rs.pipeThrough(new lib.FrameDecoderStream({ role: 'server' })).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        out.push(value);
      }
      deepEq(out.map((e) => e.type), ['message', 'pong', 'error'], 'events');
      eq(out[2].error.code, 'WS_ERR_EXPECTED_MASK', 'error code');
    });
  }

  // ---------------------------------------------------------------- robustness
  test('robustness: thousands of random byte strings through the decoders and parsers', () => {
    const configs = [
      { role: 'server' },
      { role: 'client' },
      { role: 'client', perMessageDeflate: true },
      { role: 'server', perMessageDeflate: true, maxMessageSize: 1000, maxFrameSize: 500 },
    ];
    for (let i = 0; i < 3000; i++) {
      const n = randInt(4) === 0 ? randInt(2000) : randInt(40);
      const b = randBytes(n);
      // Plausible headers more often than pure noise.
      if (n > 0 && randInt(2)) b[0] = (b[0] & 0xf0) | [0, 1, 2, 8, 9, 10][randInt(6)];
      if (n > 1 && randInt(2)) b[1] = (b[1] & 0x80) | randInt(126);
      const cfg = configs[i % configs.length];
      const d = new lib.Decoder(cfg);
      const cut = randInt(n + 1);
      for (const ev of [...d.push(b.subarray(0, cut)), ...d.push(b.subarray(cut))]) {
        ok(['message', 'ping', 'pong', 'close', 'error'].includes(ev.type), `event type ${ev.type}`);
        if (ev.type === 'error') ok(/^WS_ERR_/.test(ev.error.code) && ev.error.closeCode >= 1002, `error code ${ev.error.code}`);
      }
      if (d.free) d.free();
      lib.inspectStream(b, cfg);
      lib.inspectFrame(b, cfg);
      lib.isValidUtf8(b);
      lib.mask(b, b.length >= 4 ? b.subarray(0, 4).slice() : KEY, randInt(1000));
      const v = lib.validateHandshakeRequest(b);
      ok(v.ok === false && v.status >= 400, 'random bytes are not an upgrade');
      for (const f of [() => lib.parseHandshakeRequest(b), () => lib.parseHandshakeResponse(b, { key: 'dGhlIHNhbXBsZSBub25jZQ==' })]) {
        try {
          f();
        } catch (e) {
          ok(e instanceof lib.HandshakeError && /^WS_ERR_(INVALID_HANDSHAKE|HANDSHAKE_TOO_LARGE)$/.test(e.code), `parse error code ${e.code}`);
        }
      }
    }
  });

  test('robustness: random argument types through every exported function; the instance keeps working', () => {
    const trap = new Error('user getter');
    trap.fromUser = true;
    const hostile = () => {
      const o = {};
      Object.defineProperty(o, randInt(2) ? 'role' : 'payload', { get() { throw trap; }, enumerable: true });
      return o;
    };
    const pool = () => {
      switch (randInt(24)) {
        case 0: return undefined;
        case 1: return null;
        case 2: return randInt(2) === 0;
        case 3: return [0, -1, 1, 4, 125, 126, 65535, 65536, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), 1e308, -0, 0.5, NaN, Infinity, -Infinity][randInt(18)];
        case 4: return String.fromCharCode(...randBytes(randInt(40)));
        case 5: return ['server', 'client', 'text', 'binary', 'ping', 'close', 'permessage-deflate', 'dGhlIHNhbXBsZSBub25jZQ==', '', '\ud800'][randInt(10)];
        case 6: return randBytes(randInt(300));
        case 7: return randBytes(4);
        case 8: return { length: 2 ** 40 };
        case 9: return { length: -1, 0: 1 };
        case 10: return [1, 2, 3, 4];
        case 11: return [randInt(300), 'x', null, {}];
        case 12: return new ArrayBuffer(randInt(64));
        case 13: return new DataView(new ArrayBuffer(8));
        case 14: return new Uint16Array(randInt(20));
        case 15: return new Float64Array(3);
        case 16: return () => 1;
        case 17: return Symbol('s');
        case 18: return BigInt(randInt(1000));
        case 19: return 'y'.repeat([1e3, 1e5, 3e6][randInt(3)]);
        case 20: return hostile();
        case 21: return new Proxy(new Uint8Array(8), {});
        case 22: return { role: pool(), opcode: pool(), payload: pool(), mask: pool(), fin: pool(), maxFrameSize: pool(), maxMessageSize: pool(), perMessageDeflate: pool(), key: pool(), accept: pool(), protocol: pool(), protocols: pool(), extensions: pool(), headers: pool(), binary: pool(), compress: pool(), fragmentSize: pool(), allowInvalid: pool(), rsv1: pool(), serverMaxWindowBits: pool(), level: pool() };
        default: return { role: ['server', 'client'][randInt(2)], opcode: randInt(16), payload: randBytes(randInt(200)), mask: randInt(2) ? randBytes(4) : true, perMessageDeflate: randInt(2) === 0, key: 'dGhlIHNhbXBsZSBub25jZQ==' };
      }
    };
    const calls = [
      (a, b, c) => lib.acceptKey(a, b, c),
      () => lib.generateKey(),
      (a, b, c) => lib.mask(a, b, c),
      (a, b, c) => lib.unmask(a, b, c),
      (a) => lib.isValidUtf8(a),
      (a) => lib.encodeFrame(a),
      (a, b) => lib.inspectFrame(a, b),
      (a, b) => lib.inspectStream(a, b),
      (a) => lib.parseHandshakeRequest(a),
      (a) => lib.validateHandshakeRequest(a),
      (a) => lib.buildHandshakeResponse(a),
      (a, b) => lib.parseHandshakeResponse(a, b),
      (a, b) => lib.negotiatePerMessageDeflate(a, b),
      (a) => lib.buildHandshakeRequest(a),
      (a) => lib.perMessageDeflateOffer(a),
      (a, b) => lib.acceptPerMessageDeflate(a, b),
      (a, b) => new lib.Decoder(a).push(b),
      (a, b, c) => {
        const d = new lib.Decoder();
        d.push(randBytes(3));
        return d.push(b) && d.push(c) && a;
      },
      (a, b) => new lib.Encoder(a).message(b, a),
      (a, b, c) => new lib.Encoder(a).message(b, c),
      (a, b) => new lib.Encoder(a).ping(b, a),
      (a, b) => new lib.Encoder(a).pong(b),
      (a, b, c) => new lib.Encoder().close(b, c),
      (a, b) => {
        const d = new lib.Decoder(a);
        d.push(b);
        return [d.offset, d.closed, d.partial, d.buffered, d.waitingFor, d.error];
      },
    ];
    let thrown = 0;
    const problems = new Map(); // distinct problems, reported together at the end
    const problem = (i, msg) => {
      const k = `call ${i % calls.length}: ${msg}`;
      problems.set(k, (problems.get(k) || 0) + 1);
    };
    for (let i = 0; i < 6000; i++) {
      const f = calls[i % calls.length];
      try {
        f(pool(), pool(), pool());
      } catch (e) {
        thrown++;
        if (e === trap) continue;
        if (!(e instanceof Error)) problem(i, `threw a non-Error ${String(e)}`);
        else if (/unreachable|RuntimeError|memory access out of bounds|recursive use|null pointer/i.test(`${e.name} ${e.message}`)) problem(i, `wasm failure ${e.name}: ${e.message}`);
        else if (typeof e.code !== 'string' || e.code.length === 0) problem(i, `${e.name} without a code: ${e.message}`);
      }
    }
    if (problems.size > 0) {
      fail(`${problems.size} distinct problems:\n${[...problems].slice(0, 20).map(([k, n]) => `  ${k} (x${n})`).join('\n')}`);
    }
    ok(thrown > 100, `many calls threw (${thrown})`);
    // A trapped wasm instance would fail every later call.
    eq(lib.acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'acceptKey still works');
    const ev = new lib.Decoder({ role: 'server' }).push(unhex('818537fa213d7f9f4d5158'));
    eq(td.decode(ev[0].data), 'Hello', 'the decoder still works');
    const b = te.encode('Hello');
    lib.mask(b, KEY);
    eq(hex(b), '7f9f4d5158', 'mask still works');
    eq(hex(lib.encodeFrame({ opcode: 1, payload: te.encode('Hello'), mask: KEY })), '818537fa213d7f9f4d5158', 'encodeFrame still works');
  });
}
