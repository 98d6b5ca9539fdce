// --cpu-prof: where the webhook server's time went, from its V8 CPU profile.
import fs from 'node:fs';
import { ROOT } from './settings.ts';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export function shortUrl(url: string): string {
  if (!url) return '';
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(ROOT + '/')) u = u.slice(ROOT.length + 1);
  return u;
}

export function bucketOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native/V8)';
  const u = shortUrl(url);
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (nm) return nm[1];
  if (u.startsWith('node:')) return u.replace(/^node:internal\/([^/]+).*$/, 'node:internal/$1');
  return u;
}

/** Self time per function and per package, within [fromUs, toUs] of the profile's clock (all if none fall in it). */
export function summariseProfile(file: string, fromUs: number, toUs: number, note = ''): string {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const stamps: number[] = [];
  let t = prof.startTime;
  for (const d of prof.timeDeltas) stamps.push((t += d));
  const inWindow = stamps.some((s) => s >= fromUs && s <= toUs);
  const fnSelf = new Map<string, number>();
  const pkgSelf = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    if (inWindow && (stamps[i] < fromUs || stamps[i] > toUs)) continue;
    const dur = i + 1 < stamps.length ? stamps[i + 1] - stamps[i] : 0;
    const node = byId.get(prof.samples[i]);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += dur;
      continue;
    }
    total += dur;
    const key = `${functionName || '(anonymous)'}  ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + dur);
    const pkg = bucketOf(url, functionName);
    pkgSelf.set(pkg, (pkgSelf.get(pkg) ?? 0) + dur);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(6)} ms`;
  const out: string[] = [];
  out.push(
    `CPU profile of the webhook server child${note ? ` ${note}` : ''}: ${file}`,
    `  window: ${inWindow ? 'the measured load run' : 'whole process (clock mismatch)'}; busy ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms`,
    '  top self time by function:',
  );
  for (const [k, us] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, 30)) out.push(`    ${pct(us)} ${ms(us)}  ${k}`);
  out.push('  self time by package / file:');
  for (const [k, us] of [...pkgSelf].sort((a, b) => b[1] - a[1]).slice(0, 25)) out.push(`    ${pct(us)} ${ms(us)}  ${k}`);
  return out.join('\n');
}

/** The monotonic clock in µs (the clock V8's CPU profiles use). */
export function monoUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
