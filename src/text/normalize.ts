// Turning what people type into something we can match: case, accents,
// punctuation, the digits of other scripts, and Arabic/Persian look-alikes.

const EASTERN_DIGITS = /[\u0660-\u0669\u06F0-\u06F9\u09E6-\u09EF]/g;

function westernDigit(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (c >= 0x0660 && c <= 0x0669) return String(c - 0x0660);
  if (c >= 0x06f0 && c <= 0x06f9) return String(c - 0x06f0);
  return String(c - 0x09e6); // Bengali
}

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

/** Damerau–Levenshtein distance, stopping early once it exceeds `max`. */
export function editDistance(a: string, b: string, max = 1): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push(new Array(b.length + 1).fill(0));
    rows[i][0] = i;
  }
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2][j - 2] + 1);
      rows[i][j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
  }
  return rows[a.length][b.length];
}
