// Bytes for display and input: hex in and out, UTF-8, and the page's byte input (hex or base64).

/** Lowercase hex of a Uint8Array. */
export function toHex(u8) {
  let s = '';
  for (let i = 0; i < u8.length; i++) s += (u8[i] < 16 ? '0' : '') + u8[i].toString(16);
  return s;
}

/** The bytes of an even-length hex string (no separators). */
export function fromHex(hex) {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/** "818537" → "81 85 37". */
export function spaced(hex) {
  return (hex || '').replace(/(..)(?=.)/g, '$1 ');
}

/** One byte as two hex digits. */
export function hexByte(n) {
  return (n < 16 ? '0' : '') + n.toString(16);
}

/** One byte as eight binary digits. */
export function bin8(n) {
  return ('0000000' + n.toString(2)).slice(-8);
}

/** The byte arrays one after the other. */
export function concat(list) {
  let n = 0;
  for (const a of list) n += a.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const a of list) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

export const utf8 = new TextEncoder();
const strict = new TextDecoder('utf-8', { fatal: true });

/** The bytes as UTF-8 text, or null if they are not valid UTF-8. */
export function textOf(u8) {
  try {
    return strict.decode(u8);
  } catch {
    return null;
  }
}

/**
 * User input: hex (spaces, colons, commas, 0x ignored) or base64 (also base64url).
 * format: 'auto', 'hex' or 'base64'. Returns { bytes, format } or { error: { kind, digits } }
 * (kind: 'not-hex', 'odd-hex', 'neither'), for the caller to put into words.
 */
export function parseBytes(text, format) {
  const t = String(text).trim();
  const hex = t.replace(/0x/gi, '').replace(/[\s:,]/g, '');
  const looksHex = /^[0-9a-fA-F]*$/.test(hex) && hex.length % 2 === 0;
  if (format === 'hex' || (format === 'auto' && looksHex)) {
    if (!/^[0-9a-fA-F]*$/.test(hex)) return { error: { kind: 'not-hex' } };
    if (hex.length % 2) return { error: { kind: 'odd-hex', digits: hex.length } };
    return { bytes: fromHex(hex), format: 'hex' };
  }
  try {
    const b = atob(t.replace(/\s/g, '').replace(/-/g, '+').replace(/_/g, '/'));
    const u = new Uint8Array(b.length);
    for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);
    return { bytes: u, format: 'base64' };
  } catch {
    return { error: { kind: 'neither' } };
  }
}
