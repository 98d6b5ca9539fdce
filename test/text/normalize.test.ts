import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeText, parseMenuNumber, withinOneEdit } from '../../src/text/normalize.ts';

/** Reference: optimal string alignment distance, the plain way. */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

describe('normalizeText', () => {
  it('unifies case, Latin accents, Arabic/Persian look-alikes and Eastern digits', () => {
    expect(normalizeText('CAFÉ Açaí')).toBe('cafe acai');
    expect(normalizeText('كيك')).toBe(normalizeText('کیک'));
    expect(parseMenuNumber(normalizeText('١٢'))).toBe(12);
    expect(parseMenuNumber(normalizeText(' ۳. '))).toBe(3);
  });
});

describe('withinOneEdit', () => {
  it('agrees with the edit distance for every pair of short words', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 7, unit: fc.constantFrom('a', 'b', 'c', 'd') }), fc.string({ maxLength: 7, unit: fc.constantFrom('a', 'b', 'c', 'd') }), (a, b) => {
        expect(withinOneEdit(a, b)).toBe(osa(a, b) <= 1);
      }),
      { numRuns: 2000 },
    );
  });
});
