// What a handled message adds to the needs report: pure, from the engine's
// result. The "seen" hash lets the store count a person once per cell and
// week; its key changes every week, so hashes of two weeks cannot be linked.
import crypto from 'node:crypto';
import type { Channel, StepResult } from '../conversation/types.ts';
import type { ReportCount } from './types.ts';
import { weekOf } from './week.ts';

export function reportCount(o: { result: StepResult; subject: string; channel: Channel; now: Date; key: Buffer }): ReportCount | null {
  const { result } = o;
  if (!result.outcome) return null;
  const week = weekOf(o.now);
  const cell = {
    week,
    city: result.session.city ?? '',
    language: result.session.lang,
    category: result.category ?? '',
    outcome: result.outcome,
    channel: o.channel,
  };
  const weekKey = keyOfWeek(o.key, week);
  const seen = crypto
    .createHmac('sha256', weekKey)
    .update([o.subject, cell.city, cell.language, cell.category, cell.outcome, cell.channel].join('\n'))
    .digest('base64url')
    .slice(0, 22);
  return { cell, seen };
}

// The week's key is the same for every message of the week: derived once.
let last: { key: Buffer; week: string; weekKey: Buffer } | null = null;
function keyOfWeek(key: Buffer, week: string): Buffer {
  if (last?.week !== week || last.key !== key) last = { key, week, weekKey: crypto.createHmac('sha256', key).update(`report-week:${week}`).digest() };
  return last.weekKey;
}
