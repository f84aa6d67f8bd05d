// Command-line options of the bench scripts: `--name`, `--name value` and `--name=value`.

/** `{ args, flag(name), opt(name, default) }` over `argv` (default: this process's arguments). */
export function parseArgs(argv = process.argv.slice(2)) {
  const flag = (name) => argv.includes(name);
  function opt(name, def) {
    const i = argv.findIndex((a) => a === name || a.startsWith(name + '='));
    if (i < 0) return def;
    if (argv[i].includes('=')) return argv[i].slice(name.length + 1);
    return argv[i + 1] === undefined ? def : argv[i + 1];
  }
  return { args: argv, flag, opt };
}
