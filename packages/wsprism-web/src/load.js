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

/**
 * The `init`/`initSync` pair of an entry over its wasm-bindgen glue: `bindgenInit` and
 * `bindgenInitSync` are the glue's default export and `initSync`, `api` the entry's API object
 * (its `_attach` receives the instance's exports), `defaultUrl` a function giving the URL of the
 * .wasm beside the entry (each entry writes `() => new URL('./wasm/….wasm', import.meta.url)`
 * itself: the pattern bundlers follow; called only when init() gets no input, so runtimes
 * without a usable import.meta.url, such as workerd, never evaluate it).
 * init() instantiates once (later calls return the same promise; a failure lets a later call
 * retry); `input` is wasm-bindgen's `{ module_or_path }`, by default the file at `defaultUrl()`.
 */
export function initializer(bindgenInit, bindgenInitSync, api, defaultUrl) {
  let pending = null;
  function init(input) {
    if (pending === null) {
      const arg = input !== undefined
        ? Promise.resolve(input)
        : wasmBeside(defaultUrl()).then((m) => ({ module_or_path: m }));
      pending = arg.then(bindgenInit).then(
        (exports) => {
          api._attach(exports);
          return api;
        },
        (err) => {
          pending = null;
          throw err;
        },
      );
    }
    return pending;
  }
  /** Synchronous instantiation from bytes or a WebAssembly.Module (`{ module }`). */
  function initSync(input) {
    api._attach(bindgenInitSync(input));
    pending = Promise.resolve(api);
    return api;
  }
  return { init, initSync };
}
