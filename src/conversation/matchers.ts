// Keyword matching: case, punctuation and extra words do not matter, and one
// wrong letter is forgiven in words of four letters or more ("foood", "doctr").
import { NO_SPACES, withinOneEdit } from '../text/normalize.ts';

export type Quality = 0 | 1 | 2; // none, one typo, exact

/** Shortest word length at which one wrong letter is forgiven. */
export const FUZZY_MIN = 4;

// Keywords are few and fixed: remember which are written without spaces.
const noSpaces = new Map<string, boolean>();
function isNoSpaces(word: string): boolean {
  let v = noSpaces.get(word);
  if (v === undefined) noSpaces.set(word, (v = NO_SPACES.test(word)));
  return v;
}

function wordQuality(typed: string, want: string, fuzzyMin: number): Quality {
  if (typed === want) return 2;
  if (isNoSpaces(want)) return typed.includes(want) ? 2 : 0;
  if (typed.length >= fuzzyMin && want.length >= fuzzyMin && withinOneEdit(typed, want)) return 1;
  return 0;
}

/** How well a phrase (a list of tokens) occurs in the message tokens. */
export function phraseQuality(tokens: string[], phrase: string[], fuzzyMin = FUZZY_MIN): Quality {
  let best: Quality = 0;
  for (let i = 0; i + phrase.length <= tokens.length; i++) {
    let q: Quality = 2;
    for (let j = 0; j < phrase.length && q > 0; j++) {
      const w = wordQuality(tokens[i + j], phrase[j], fuzzyMin);
      if (w < q) q = w;
    }
    if (q > best) best = q;
    if (best === 2) return 2;
  }
  // "drop in" typed as one word, or "food bank" as two.
  if (phrase.length === 1) {
    for (let i = 0; i + 1 < tokens.length; i++) {
      if (tokens[i] + tokens[i + 1] === phrase[0]) return 2;
    }
  }
  return best;
}

export function keywordQuality(tokens: string[], phrases: string[][] | undefined, fuzzyMin = FUZZY_MIN): Quality {
  let best: Quality = 0;
  for (const p of phrases ?? []) {
    const q = phraseQuality(tokens, p, fuzzyMin);
    if (q > best) best = q;
    if (best === 2) break;
  }
  return best;
}

/**
 * The first item (in flow order) matched exactly; failing that, the first
 * matched with a typo. Flow order breaks ties, so "mental health" is MIND.
 */
export function pickMatch<T>(items: T[], quality: (item: T) => Quality): T | null {
  let fuzzy: T | null = null;
  for (const item of items) {
    const q = quality(item);
    if (q === 2) return item;
    if (q === 1 && fuzzy === null) fuzzy = item;
  }
  return fuzzy;
}
