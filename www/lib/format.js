// Small formatting helpers shared by the panels (no words of their own beyond units).

/** `s` cut to `n` characters, with an ellipsis if it was longer. */
export function clip(s, n) {
  return s.length > n ? s.slice(0, n) + '…' : s;
}

/** An engine error as "CODE: message". */
export function errText(e) {
  return (e && e.code ? e.code + ': ' : '') + (e && e.message ? e.message : String(e));
}

/** The value of header `name` (lowercase) in a parsed [name, value] list, or null. */
export function header(headers, name) {
  for (const [k, v] of headers) if (k.toLowerCase() === name) return v;
  return null;
}

/** "1 byte", "2 bytes"; `many` defaults to `one` + "s". */
export function plural(n, one, many) {
  return n + ' ' + (n === 1 ? one : many || one + 's');
}

/** A size in bytes, kB or MB. */
export function mb(n) {
  return n >= 1e6 ? (n / 1e6).toFixed(1) + ' MB' : n >= 1e3 ? (n / 1e3).toFixed(1) + ' kB' : n + ' bytes';
}
