// Opens the configured store and the catalogue store beside it, for the
// desk's command-line tools (npm run staff, npm run catalogue).
import { loadConfig, type Config } from '../config.ts';
import { openCatalogueStore } from '../catalogue/store-open.ts';
import type { CatalogueStore } from '../catalogue/store-types.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { loadSecret } from '../store/subject.ts';

export async function openDeskStores(): Promise<{ config: Config; store: Store; catalogueStore: CatalogueStore }> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const store = await openStore(config, loadSecret(config.secret, config.dataDir));
  return { config, store, catalogueStore: await openCatalogueStore(store) };
}

/** All of standard input, or one line typed at a terminal without echo. */
export async function readSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
  }
  process.stderr.write(prompt);
  return new Promise((resolve) => {
    const stdin = process.stdin;
    let typed = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const onData = (ch: string) => {
      for (const c of ch) {
        if (c === '\r' || c === '\n' || c === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(typed);
          return;
        }
        if (c === '\u0003') process.exit(130);
        if (c === '\u007f') typed = typed.slice(0, -1);
        else typed += c;
      }
    };
    stdin.on('data', onData);
  });
}
