// Hearing danger. Every language's danger phrases are checked in every
// message, whatever language the person chose, so that a disclosure is never
// missed because we guessed the language wrong. That is safe only because:
//  - a typo is forgiven only in a word with no everyday neighbour in any
//    language the bot speaks ("agresse" is one letter from "adresse": exact only);
//  - "safe phrases" (no danger, not urgent, 不紧急, death certificate) are
//    blanked out before matching;
//  - loading refuses a danger phrase that is an everyday word of a language,
//    and runs every language's everyday phrases through this matcher (see
//    load-flows.ts), so the lists cannot drift into false alarms.
import { NO_SPACES, withinOneEdit } from '../text/normalize.ts';

/** What was disclosed: the reply names the line for it. First kind listed wins. */
export const CRISIS_KINDS = ['exploitation', 'abuse', 'crisis'] as const;
export type CrisisKind = (typeof CRISIS_KINDS)[number];

/** Language-file list of each kind, and the template that answers it. */
export const CRISIS_LISTS: Record<CrisisKind, { phrases: 'exploitation_phrases' | 'abuse_phrases' | 'crisis_phrases'; template: string }> = {
  exploitation: { phrases: 'exploitation_phrases', template: 'crisis_exploitation' },
  abuse: { phrases: 'abuse_phrases', template: 'crisis_abuse' },
  crisis: { phrases: 'crisis_phrases', template: 'crisis' },
};

/** Shortest word in which one wrong letter may be forgiven, if nothing everyday is near it. */
export const DANGER_FUZZY_MIN = 6;

export interface DangerPhrase {
  /** Position in priority order (most specific kind first): the lowest found wins. */
  rank: number;
  kind: CrisisKind;
  tokens: string[];
  /** Per token: may one wrong letter be forgiven? */
  fuzzy: boolean[];
  /** Where it was written: "flows/lang/fr.json abuse_phrases". */
  from: string;
}

export interface DangerIndex {
  phrases: DangerPhrase[];
  /** Safe phrases in spaced scripts, as token lists, by first token: blanked before matching. */
  safe: Map<string, string[][]>;
  /** Safe phrases in scripts without spaces: cut out of tokens before matching. */
  safeInline: string[];
  /** Phrases by their exact first token (and single-word phrases by themselves): one Map look-up per token. */
  byFirst: Map<string, DangerPhrase[]>;
  /** Phrases whose first word forgives a typo: tried against words of 6+ letters only. */
  fuzzyFirst: DangerPhrase[];
  /** Phrases in scripts without spaces: tried only when the message has such letters. */
  inline: DangerPhrase[];
}

export interface DangerSource {
  kind: CrisisKind;
  tokens: string[];
  from: string;
}

/**
 * Builds the index. `vocabulary` holds every everyday word the bot knows in
 * any language (keywords, everyday lists, the words of its own replies): a
 * danger word within one letter of one of them is matched exactly only.
 */
export function compileDanger(sources: DangerSource[], safe: string[][], vocabulary: Set<string>): DangerIndex {
  const byLength = new Map<number, string[]>();
  for (const w of vocabulary) {
    const list = byLength.get(w.length);
    if (list) list.push(w);
    else byLength.set(w.length, [w]);
  }
  const hasNeighbour = (word: string) => {
    for (const len of [word.length - 1, word.length, word.length + 1]) {
      for (const v of byLength.get(len) ?? []) if (v !== word && withinOneEdit(v, word)) return true;
    }
    return false;
  };
  const fuzzyCache = new Map<string, boolean>();
  const mayFuzz = (word: string) => {
    let ok = fuzzyCache.get(word);
    if (ok === undefined) {
      ok = word.length >= DANGER_FUZZY_MIN && !NO_SPACES.test(word) && !/\d/.test(word) && !hasNeighbour(word);
      fuzzyCache.set(word, ok);
    }
    return ok;
  };
  const seen = new Set<string>();
  const phrases: DangerPhrase[] = [];
  // Kinds in priority order, so the first phrase found is the most specific.
  for (const kind of CRISIS_KINDS) {
    for (const s of sources) {
      if (s.kind !== kind || s.tokens.length === 0) continue;
      const key = s.tokens.join(' ');
      if (seen.has(key)) continue;
      seen.add(key);
      phrases.push({ rank: phrases.length, kind, tokens: s.tokens, fuzzy: s.tokens.map(mayFuzz), from: s.from });
    }
  }
  const safeInline: string[] = [];
  const safeSeqs: string[][] = [];
  for (const p of safe) {
    if (p.length === 1 && NO_SPACES.test(p[0])) safeInline.push(p[0]);
    else if (p.length) safeSeqs.push(p);
  }
  // Longest first, so "没有危险" is cut before "危险" could be.
  safeInline.sort((a, b) => b.length - a.length);
  const byFirst = new Map<string, DangerPhrase[]>();
  const fuzzyFirst: DangerPhrase[] = [];
  const inline: DangerPhrase[] = [];
  for (const p of phrases) {
    if (NO_SPACES.test(p.tokens[0])) {
      inline.push(p);
      continue;
    }
    const list = byFirst.get(p.tokens[0]);
    if (list) list.push(p);
    else byFirst.set(p.tokens[0], [p]);
    if (p.fuzzy[0]) fuzzyFirst.push(p);
  }
  const safeByFirst = new Map<string, string[][]>();
  for (const seq of safeSeqs) {
    const list = safeByFirst.get(seq[0]);
    if (list) list.push(seq);
    else safeByFirst.set(seq[0], [seq]);
  }
  return { phrases, safe: safeByFirst, safeInline, byFirst, fuzzyFirst, inline };
}

const BLANK = '\u0000';

/** The message's tokens with every safe phrase blanked out. */
export function maskSafe(index: DangerIndex, tokens: string[]): string[] {
  let out: string[] | null = null;
  for (let i = 0; i < tokens.length; i++) {
    for (const seq of index.safe.get(tokens[i]) ?? []) {
      if (i + seq.length > tokens.length) continue;
      let all = true;
      for (let j = 1; j < seq.length && all; j++) all = tokens[i + j] === seq[j];
      if (all) {
        out ??= [...tokens];
        for (let j = 0; j < seq.length; j++) out[i + j] = BLANK;
      }
    }
  }
  if (index.safeInline.length) {
    for (let i = 0; i < tokens.length; i++) {
      const t = (out ?? tokens)[i];
      if (!NO_SPACES.test(t)) continue;
      let cut = t;
      for (const s of index.safeInline) if (cut.includes(s)) cut = cut.split(s).join(BLANK);
      if (cut !== t) {
        out ??= [...tokens];
        out[i] = cut;
      }
    }
  }
  return out ?? tokens;
}

function wordMatches(typed: string, want: string, fuzzy: boolean): boolean {
  if (typed === want) return true;
  if (NO_SPACES.test(want)) return typed.includes(want);
  return fuzzy && typed.length >= DANGER_FUZZY_MIN && withinOneEdit(typed, want);
}

function occursAt(tokens: string[], i: number, p: DangerPhrase): boolean {
  const n = p.tokens.length;
  if (i + n > tokens.length) return false;
  for (let j = 0; j < n; j++) if (!wordMatches(tokens[i + j], p.tokens[j], p.fuzzy[j])) return false;
  return true;
}

function occurs(tokens: string[], p: DangerPhrase): boolean {
  for (let i = 0; i + p.tokens.length <= tokens.length; i++) if (occursAt(tokens, i, p)) return true;
  return false;
}

/**
 * The first danger phrase the message holds (most specific kind first), or
 * null. Indexed: each word is looked up once; only phrases whose first word
 * forgives a typo are compared letter by letter, and only with long words.
 */
export function findDanger(index: DangerIndex, tokens: string[]): DangerPhrase | null {
  if (tokens.length === 0) return null;
  const masked = maskSafe(index, tokens);
  let best: DangerPhrase | null = null;
  const consider = (p: DangerPhrase, i: number) => {
    if ((!best || p.rank < best.rank) && occursAt(masked, i, p)) best = p;
  };
  let spaceless = false;
  for (let i = 0; i < masked.length; i++) {
    const t = masked[i];
    for (const p of index.byFirst.get(t) ?? []) consider(p, i);
    // "self harm" typed as one word, or "selfharm" as two.
    if (i + 1 < masked.length) {
      for (const p of index.byFirst.get(t + masked[i + 1]) ?? []) if (p.tokens.length === 1 && (!best || p.rank < best.rank)) best = p;
    }
    if (t.length >= DANGER_FUZZY_MIN - 1) for (const p of index.fuzzyFirst) if (Math.abs(p.tokens[0].length - t.length) <= 1) consider(p, i);
    if (!spaceless && NO_SPACES.test(t)) spaceless = true;
  }
  if (spaceless) for (const p of index.inline) if ((!best || p.rank < best.rank) && occurs(masked, p)) best = p;
  return best;
}
