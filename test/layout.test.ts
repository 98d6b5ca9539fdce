// The shape the code keeps: the bot core knows no channel, and no error is
// dropped without a word.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const SRC = path.join(ROOT, 'src');
const rel = (f: string) => path.relative(ROOT, f);

describe('layout', () => {
  it('the bot core imports nothing from src/channels/', () => {
    // Only the edge itself and the wiring (app, server, command-line tools) may.
    const wiring = new Set(['src/app.ts', 'src/server.ts', 'src/runtime.ts']);
    const offenders = sources(SRC)
      .filter((f) => !rel(f).startsWith('src/channels/') && !rel(f).startsWith('src/cli/') && !wiring.has(rel(f)))
      .filter((f) => /from '[^']*\/channels\//.test(fs.readFileSync(f, 'utf8')))
      .map(rel);
    expect(offenders).toEqual([]);
    // The core files this is about do exist (the test would pass on an empty tree otherwise).
    expect(sources(SRC).map(rel)).toEqual(expect.arrayContaining(['src/bot.ts', 'src/reminders/dispatcher.ts', 'src/core/inbound.ts']));
  });

  it('no error is swallowed: every catch in src/ binds the error and says something with it', () => {
    const found: string[] = [];
    for (const f of sources(SRC)) {
      fs.readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\bcatch\s*\{|\.catch\(\s*\(\)\s*=>|catch\s*\(\s*\w+\s*\)\s*\{\s*\}/.test(line)) found.push(`${rel(f)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });
});
