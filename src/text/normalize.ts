// Turning what people type into something we can match: case, accents,
// punctuation, the digits of other scripts, and Arabic/Persian look-alikes.

const EASTERN_DIGITS = /[\u0660-\u0669\u06F0-\u06F9\u09E6-\u09EF]/g;

function westernDigit(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (c >= 0x0660 && c <= 0x0669) return String(c - 0x0660);
  if (c >= 0x06f0 && c <= 0x06f9) return String(c - 0x06f0);
  return String(c - 0x09e6); // Bengali
}

// Scripts written without spaces between words: a keyword or a danger
// phrase is found inside the run of characters ("我想自杀" holds "自杀"),
// never fuzzily.
export const NO_SPACES = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

/** Lower case, no Latin accents, Western digits, one Arabic-script letter per sound. */
export function normalizeText(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '') // Latin combining accents: "café" → "cafe"
      .normalize('NFC')
      .toLowerCase()
      .replace(EASTERN_DIGITS, westernDigit)
      // Arabic and Persian keyboards type different code points for the same letter.
      .replace(/[\u064a\u0649]/g, '\u06cc') // ي ى → ی
      .replace(/\u0643/g, '\u06a9') // ك → ک
      .replace(/[\u0623\u0625\u0622]/g, '\u0627') // أ إ آ → ا
      .replace(/\u0629/g, '\u0647') // ة → ه
      .replace(/[\u064b-\u065f\u0670\u0640]/g, '') // harakat, tatweel
      .replace(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '') // zero-width and bidi marks
  );
}

/** Words of the message, split on anything that is not a letter, mark or digit. */
export function tokenize(normalized: string): string[] {
  return normalized.split(/[^\p{L}\p{M}\p{N}]+/u).filter(Boolean);
}

/** "  2. " → 2; anything that is not just a number → null. */
export function parseMenuNumber(normalized: string): number | null {
  const m = /^[\s#.:()-]*(\d{1,3})[\s.)!?]*$/.exec(normalized);
  return m ? Number(m[1]) : null;
}

/**
 * At most one edit apart (Damerau: one substitution, insertion, deletion or
 * swap of neighbours), without allocating. Called for every keyword on every
 * message, so it must be cheap.
 */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    // substitution at i, or a swap of i and i+1
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  // one extra character at i in the longer one
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
