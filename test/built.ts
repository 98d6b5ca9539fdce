// The built program: `npm start` and the production commands run the
// JavaScript that `npm run build` (tsc -p tsconfig.build.json) writes to
// dist/, not the TypeScript sources. Tests that start them as processes run
// the same files. As vitest's global setup, this builds dist/ first when a
// source is newer than the last build, so those tests never run stale code.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
/** Written by every build (tsc rewrites all its output each time). */
const STAMP = path.join(ROOT, 'dist', 'server.js');

/** The built file for a source: `src/server.ts` → `<root>/dist/server.js`. */
export function built(source: string): string {
  const rel = path.relative('src', source);
  if (rel.startsWith('..') || !rel.endsWith('.ts')) throw new Error(`not a source under src/: ${source}`);
  return path.join(ROOT, 'dist', rel.replace(/\.ts$/, '.js'));
}

function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) visit(path.join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json']) visit(path.join(ROOT, p));
  return newest;
}

export default function buildIfStale(): void {
  const builtAt = fs.statSync(STAMP, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (builtAt >= newestSource()) return;
  console.log('building dist/ (npm run build): a source is newer than the last build');
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  } catch {
    // tsc still writes JavaScript on type errors; `npm run typecheck` reports them.
    console.warn('dist/ was built with type errors (see above)');
  }
}
