// A small argument reader for the command-line tools: --name value and --flag.
export function parseArgs(argv: string[], flags: string[], options: string[]): { opts: Record<string, string | true>; rest: string[] } {
  const opts: Record<string, string | true> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      rest.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (flags.includes(name)) opts[name] = true;
    else if (options.includes(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`--${name} needs a value`);
      opts[name] = v;
    } else throw new Error(`unknown option --${name} (known: ${[...flags, ...options].map((o) => '--' + o).join(', ')})`);
  }
  return { opts, rest };
}

/** Runs a command's main(): its number is the exit code; a thrown error is one line on stderr (after `prefix`) and exit 1. */
export function runMain(main: () => Promise<number>, prefix = ''): void {
  main().then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(`${prefix}${(e as Error).message}`);
      process.exitCode = 1;
    },
  );
}
