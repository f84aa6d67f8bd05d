// Where init() without arguments finds a .wasm beside the module: its URL (browsers, Deno, Bun,
// bundlers fetch it), or, for a file: URL in Node (whose fetch cannot read file: URLs), its
// bytes read from disk. The module specifier is a variable so bundlers leave it alone.
export async function wasmBeside(url) {
  const p = typeof process === 'object' && process !== null ? process : null;
  if (url.protocol === 'file:' && p !== null && p.versions && typeof p.versions.node === 'string') {
    const fsName = 'node:fs/promises';
    const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ fsName);
    return readFile(url);
  }
  return url;
}
