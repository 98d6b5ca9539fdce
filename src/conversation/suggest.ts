// "Did you mean FOOD?": when nothing was understood, a word two letters from
// a keyword (or one letter, for a short one) is offered back, never acted on.
import type { CompiledKeywords, Flow } from './types.ts';

/** Damerau-Levenshtein distance, stopping early once it exceeds `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i].push(d);
    }
    if (i > 0 && Math.min(...rows[i]) > max) return max + 1;
  }
  return rows[a.length][b.length];
}

// Keywords worth offering back: the needs, the menu, HELP; never erasing, reminders or THANKS.
const OFFERED = new Set(['open_category', 'today', 'goto', 'reply']);

/** The keyword (as people are told to text it: FOOD, DOCTOR) nearest a word of the message, or null. */
export function nearKeyword(flow: Flow, matchers: CompiledKeywords, tokens: string[]): string | null {
  let best: { word: string; d: number } | null = null;
  for (const t of flow.def.triggers) {
    if (!OFFERED.has(t.action) || t.match !== 'keyword' || t.keyword === 'thanks') continue;
    for (const phrase of matchers.keywords.get(t.keyword) ?? []) {
      if (phrase.length !== 1 || phrase[0].length < 3) continue;
      const want = phrase[0];
      const max = want.length >= 5 ? 2 : 1;
      for (const typed of tokens) {
        if (typed.length < 3) continue;
        const d = editDistance(typed, want, max);
        if (d <= max && (!best || d < best.d)) best = { word: t.keyword.toUpperCase(), d };
      }
    }
  }
  return best?.word ?? null;
}
