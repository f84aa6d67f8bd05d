// Straightforward plain-JS implementations, the baseline of bench/wasm.mjs and
// bench/wasm-browser.mjs: what a page would do without wsprism-web. Same V8, same inputs.
// Browser-safe (no Node APIs).

/** Masking as a plain byte loop (RFC 6455 §5.3), in place, resumable at `offset`. */
export function jsMask(buf, key, offset = 0) {
  for (let i = 0; i < buf.length; i++) buf[i] ^= key[(i + offset) & 3];
  return buf;
}

const fatal = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function err(code, closeCode) {
  const e = new Error(code);
  e.code = code;
  e.closeCode = closeCode;
  return e;
}

/**
 * A plain-JS streaming frame decoder with the same events as wsprism's Decoder: buffers
 * partial frames, checks the header rules (RSV, opcode, mask, control frames, minimal length),
 * unmasks with a byte loop, reassembles fragments, validates text with TextDecoder (fatal).
 * No permessage-deflate.
 */
export class JsDecoder {
  constructor({ role = 'server', maxFrameSize = 16 * 1024 * 1024, maxMessageSize = 64 * 1024 * 1024 } = {}) {
    this.server = role === 'server';
    this.maxFrame = maxFrameSize;
    this.maxMessage = maxMessageSize;
    this.pending = null; // leftover bytes of an incomplete frame
    this.parts = null; // fragments of a message in progress
    this.partsLen = 0;
    this.opcode = 0;
    this.error = null;
  }

  push(chunk) {
    if (this.error) return [{ type: 'error', error: this.error }];
    let buf = this.pending === null ? chunk : concat(this.pending, chunk);
    this.pending = null;
    const events = [];
    let pos = 0;
    const n = buf.length;
    while (n - pos >= 2) {
      const b0 = buf[pos];
      const b1 = buf[pos + 1];
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      const masked = (b1 & 0x80) !== 0;
      let len = b1 & 0x7f;
      let h = 2;
      if (len === 126) {
        if (n - pos < 4) break;
        len = (buf[pos + 2] << 8) | buf[pos + 3];
        if (len < 126) return this.fail(events, 'WS_ERR_NON_MINIMAL_LENGTH', 1002);
        h = 4;
      } else if (len === 127) {
        if (n - pos < 10) break;
        const hi = ((buf[pos + 2] << 24) | (buf[pos + 3] << 16) | (buf[pos + 4] << 8) | buf[pos + 5]) >>> 0;
        const lo = ((buf[pos + 6] << 24) | (buf[pos + 7] << 16) | (buf[pos + 8] << 8) | buf[pos + 9]) >>> 0;
        if (hi & 0x80000000) return this.fail(events, 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', 1002);
        len = hi * 4294967296 + lo;
        if (len < 65536) return this.fail(events, 'WS_ERR_NON_MINIMAL_LENGTH', 1002);
        h = 10;
      }
      if ((b0 & 0x70) !== 0) return this.fail(events, 'WS_ERR_UNEXPECTED_RSV_1', 1002);
      if (masked !== this.server) return this.fail(events, masked ? 'WS_ERR_UNEXPECTED_MASK' : 'WS_ERR_EXPECTED_MASK', 1002);
      const control = (opcode & 0x08) !== 0;
      if (control) {
        if (opcode > 10) return this.fail(events, 'WS_ERR_INVALID_OPCODE', 1002);
        if (!fin) return this.fail(events, 'WS_ERR_EXPECTED_FIN', 1002);
        if (len > 125) return this.fail(events, 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002);
      } else if (opcode > 2) {
        return this.fail(events, 'WS_ERR_INVALID_OPCODE', 1002);
      } else if (opcode === 0 && this.parts === null) {
        return this.fail(events, 'WS_ERR_INVALID_OPCODE', 1002);
      } else if (opcode !== 0 && this.parts !== null) {
        return this.fail(events, 'WS_ERR_INVALID_OPCODE', 1002);
      }
      if (len > this.maxFrame) return this.fail(events, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009);
      if (masked) h += 4;
      if (n - pos < h + len) break;
      const payload = buf.slice(pos + h, pos + h + len);
      if (masked) {
        const k0 = buf[pos + h - 4], k1 = buf[pos + h - 3], k2 = buf[pos + h - 2], k3 = buf[pos + h - 1];
        const key = [k0, k1, k2, k3];
        for (let i = 0; i < len; i++) payload[i] ^= key[i & 3];
      }
      pos += h + len;
      if (control) {
        if (opcode === 8) {
          if (len === 1) return this.fail(events, 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002);
          let code = 1005;
          let reason = '';
          if (len >= 2) {
            code = (payload[0] << 8) | payload[1];
            if (!((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))) {
              return this.fail(events, 'WS_ERR_INVALID_CLOSE_CODE', 1002);
            }
            try {
              reason = fatal.decode(payload.subarray(2));
            } catch {
              return this.fail(events, 'WS_ERR_INVALID_UTF8', 1007);
            }
          }
          events.push({ type: 'close', code, reason });
        } else {
          events.push({ type: opcode === 9 ? 'ping' : 'pong', data: payload });
        }
        continue;
      }
      if (opcode !== 0) this.opcode = opcode;
      if (this.partsLen + len > this.maxMessage) return this.fail(events, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009);
      let data;
      if (this.parts === null && fin) {
        data = payload;
      } else {
        if (this.parts === null) this.parts = [];
        this.parts.push(payload);
        this.partsLen += len;
        if (!fin) continue;
        data = new Uint8Array(this.partsLen);
        let o = 0;
        for (const p of this.parts) {
          data.set(p, o);
          o += p.length;
        }
        this.parts = null;
        this.partsLen = 0;
      }
      if (this.opcode === 1) {
        try {
          fatal.decode(data);
        } catch {
          return this.fail(events, 'WS_ERR_INVALID_UTF8', 1007);
        }
      }
      events.push({ type: 'message', data, binary: this.opcode === 2 });
    }
    if (pos < n) this.pending = buf.slice(pos);
    return events;
  }

  fail(events, code, closeCode) {
    this.error = err(code, closeCode);
    this.pending = null;
    events.push({ type: 'error', error: this.error });
    return events;
  }
}

export { lenient as textDecoder };
