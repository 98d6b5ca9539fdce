// DATA_DIR/secret.key, the key generated when WAYMARK_SECRET is not set: it
// appears whole or not at all, every process starting at once ends up with
// the same key, and a file that holds too little key (or cannot be read) is
// refused with an error naming it, never used as a short or empty key.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretKeyError, loadSecret } from '../../src/store/subject.ts';
import { ROOT, tempDir } from '../helpers.ts';
import { freePort, killServers, spawnServer } from '../server-process.ts';

/** Node processes that each load the key from `dir` at the same instant, as the server and `npm run reminders` starting together would. */
async function startTogether(dir: string, n: number): Promise<string[]> {
  const at = Date.now() + 2500; // after every child has loaded its modules
  const script = `
    import { loadSecret } from ${JSON.stringify(path.join(ROOT, 'src/store/subject.ts'))};
    while (Date.now() < ${at}) {}
    process.stdout.write(loadSecret(null, ${JSON.stringify(dir)}).toString('hex'));`;
  const runs = Array.from(
    { length: n },
    () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`))));
      }),
  );
  return Promise.all(runs);
}

afterAll(killServers);

describe('the generated key file (DATA_DIR/secret.key)', () => {
  it('is made once: 32 random bytes as hex, mode 0600, the same on every later start, no temporary file left', () => {
    const dir = tempDir();
    const key = loadSecret(null, dir);
    expect(key).toHaveLength(32);
    const file = path.join(dir, 'secret.key');
    expect(fs.readFileSync(file, 'utf8')).toBe(key.toString('hex') + '\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSecret(null, dir).equals(key)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['secret.key']);
  });

  it('WAYMARK_SECRET wins: no file is made', () => {
    const dir = tempDir();
    expect(loadSecret('s'.repeat(32), dir).toString()).toBe('s'.repeat(32));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('processes starting together all get the same full key', async () => {
    for (let round = 0; round < 2; round++) {
      const dir = tempDir();
      const keys = await startTogether(dir, 6);
      expect(new Set(keys).size, keys.join('\n')).toBe(1);
      expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
      expect(fs.readFileSync(path.join(dir, 'secret.key'), 'utf8')).toBe(keys[0] + '\n');
      expect(fs.readdirSync(dir)).toEqual(['secret.key']);
    }
  }, 60_000);

  it('a key file holding fewer than 32 bytes of key (empty, short, not hex) is refused, naming the file', () => {
    for (const content of ['', '\n', 'abcd\n', 'ab'.repeat(31) + '\n', 'not a key at all, but long enough to be one if it were hex\n']) {
      const dir = tempDir();
      const file = path.join(dir, 'secret.key');
      fs.writeFileSync(file, content, { mode: 0o600 });
      let err: unknown;
      try {
        loadSecret(null, dir);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(content)).toBeInstanceOf(SecretKeyError);
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toMatch(/fewer than 32/);
      expect(fs.readFileSync(file, 'utf8')).toBe(content); // never replaced
    }
  });

  it('a key file that cannot be read is refused, naming the file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'secret.key');
    fs.mkdirSync(file); // readable by no one as a file, even root
    expect(() => loadSecret(null, dir)).toThrow(SecretKeyError);
    expect(() => loadSecret(null, dir)).toThrow(`cannot read the key file ${file} (EISDIR)`);
  });

  it('the server refuses to start on a short key file and says which file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'secret.key');
    fs.writeFileSync(file, 'abcd\n');
    const server = spawnServer({ DATA_DIR: dir, PORT: String(await freePort()), LOG_LEVEL: 'silent' });
    expect((await server.exited).code).toBe(1);
    expect(server.stderr()).toContain(`the key file ${file} holds 2 bytes of key, fewer than 32`);
  }, 60_000);
});
