import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SegmentedMessage } from 'sms-segments-calculator';
import {
  MAX_SEGMENTS,
  __testing,
  fitsBudget,
  paginate,
  segmentInfo,
} from '../../src/text/segments.ts';

const MORE = 'Reply MORE for more';

/** The words of a text, in order (whitespace-separated). */
const words = (s: string) => s.split(/\s+/).filter((w) => w.length > 0);

/** Pages with the more line taken off, checking it is on every page but the last. */
function stripMore(pages: string[], moreLine: string): string[] {
  return pages.map((p, i) => {
    if (i === pages.length - 1) {
      expect(p.endsWith(`\n${moreLine}`)).toBe(false);
      return p;
    }
    expect(p.endsWith(`\n${moreLine}`)).toBe(true);
    return p.slice(0, -(moreLine.length + 1));
  });
}

describe('segmentInfo (Twilio counting)', () => {
  it('GSM-7: 160 in one segment, then 153 per segment', () => {
    expect(segmentInfo('1'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1, characters: 160 });
    expect(segmentInfo('1'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2, characters: 161 });
    expect(segmentInfo('1'.repeat(306)).segments).toBe(2);
    expect(segmentInfo('1'.repeat(307)).segments).toBe(3);
    expect(segmentInfo('1'.repeat(459)).segments).toBe(3);
    expect(segmentInfo('1'.repeat(460)).segments).toBe(4);
    expect(segmentInfo('').segments).toBe(1);
  });

  it('GSM-7 extension characters count 2', () => {
    expect(segmentInfo('€' + 'a'.repeat(158))).toEqual({ encoding: 'GSM-7', segments: 1, characters: 160 });
    expect(segmentInfo('€' + 'a'.repeat(159))).toEqual({ encoding: 'GSM-7', segments: 2, characters: 161 });
  });

  it('UCS-2: 70 in one segment', () => {
    expect(segmentInfo('ç'.repeat(70))).toEqual({ encoding: 'UCS-2', segments: 1, characters: 70 });
    expect(segmentInfo('ç'.repeat(71))).toMatchObject({ encoding: 'UCS-2', segments: 2 });
  });

  it('an emoji counts 2 in UCS-2', () => {
    expect(segmentInfo('😀' + 'a'.repeat(68))).toMatchObject({ encoding: 'UCS-2', segments: 1 });
    expect(segmentInfo('😀' + 'a'.repeat(69))).toMatchObject({ encoding: 'UCS-2', segments: 2 });
  });

  it('one en dash or curly quote makes the whole message UCS-2', () => {
    expect(segmentInfo('Mon–Fri 08:30–18:30').encoding).toBe('UCS-2');
    expect(segmentInfo('St Mary’s').encoding).toBe('UCS-2');
    expect(segmentInfo("St Mary's, Mon-Fri 08:30-18:30 £0").encoding).toBe('GSM-7');
  });

  it('fitsBudget', () => {
    expect(MAX_SEGMENTS).toBe(3);
    expect(fitsBudget('a'.repeat(459))).toBe(true);
    expect(fitsBudget('a'.repeat(460))).toBe(false);
    expect(fitsBudget('ا'.repeat(201))).toBe(true);
    expect(fitsBudget('ا'.repeat(202))).toBe(false);
    expect(fitsBudget('a'.repeat(161), 1)).toBe(false);
    expect(fitsBudget('a'.repeat(160), 1)).toBe(true);
  });

  it('the fast paths agree with SegmentedMessage for every BMP code unit', () => {
    const { PLAIN_GSM, SURELY_UCS2 } = __testing;
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue; // lone surrogates
      const ch = String.fromCharCode(c);
      const plain = PLAIN_GSM.test(ch);
      const ucs2 = SURELY_UCS2.test(ch);
      if (!plain && !ucs2) continue; // left to SegmentedMessage
      const m = new SegmentedMessage(ch);
      if (plain) {
        expect([c, m.encodingName, m.numberOfCharacters]).toEqual([c, 'GSM-7', 1]);
      } else {
        expect([c, m.encodingName]).toEqual([c, 'UCS-2']);
      }
    }
  });

  it('segmentInfo agrees with SegmentedMessage on mixed texts', () => {
    const samples = [
      'Hello',
      'a'.repeat(153 * 3 + 1),
      'Foodbank: Mon 10:00-12:00\r\nBring ID (if you have it)!',
      '{[]}'.repeat(50),
      'café ' + 'x'.repeat(200),
      'مرحبا '.repeat(40),
      '👨‍👩‍👧 family ' + 'y'.repeat(70),
    ];
    for (const s of samples) {
      const m = new SegmentedMessage(s);
      expect(segmentInfo(s)).toEqual({
        encoding: m.encodingName,
        segments: m.segmentsCount,
        characters: m.numberOfCharacters,
      });
    }
  });
});

function longEnglish(): string {
  const blocks: string[] = [];
  for (let b = 0; b < 6; b++) {
    const lines: string[] = [];
    for (let l = 0; l < 3 + (b % 3); l++) {
      lines.push(
        `${b + 1}.${l + 1} Red Cross refugee drop-in at St Mary's church hall, Southampton SO14 1NZ. Open Friday 10:00-13:00, no appointment needed.`,
      );
    }
    blocks.push(lines.join('\n'));
  }
  return blocks.join('\n\n');
}

describe('paginate', () => {
  it('a short text is one page, unchanged', () => {
    const text = 'Foodbank: open today 10:00-12:00.\nReply 1 for more.';
    expect(paginate(text, { moreLine: MORE })).toEqual([text]);
    const ucs2 = 'Mon–Fri 08:30–18:30';
    expect(paginate(ucs2, { moreLine: MORE })).toEqual([ucs2]);
  });

  it('a long English text: pages within 3 segments, more line on all but the last, nothing lost', () => {
    const text = longEnglish();
    expect(fitsBudget(text)).toBe(false);
    const pages = paginate(text, { moreLine: MORE });
    expect(pages.length).toBeGreaterThan(2);
    for (const p of pages) {
      expect(segmentInfo(p).segments).toBeLessThanOrEqual(3);
      expect(segmentInfo(p).encoding).toBe('GSM-7');
    }
    const bodies = stripMore(pages, MORE);
    expect(words(bodies.join('\n'))).toEqual(words(text));
    // it breaks between lines, never inside one
    const lines = new Set(text.split('\n'));
    for (const body of bodies) for (const line of body.split('\n')) expect(lines.has(line)).toBe(true);
  });

  it('keeps a blank-line-separated block together when it fits on a page', () => {
    const block = (n: number, len: number) => `Block ${n} ` + 'word '.repeat(len).trim();
    // two blocks that don't fit together but each fits alone
    const text = [block(1, 50), block(2, 50), block(3, 10)].join('\n\n');
    const pages = paginate(text, { moreLine: MORE });
    const bodies = stripMore(pages, MORE);
    expect(bodies[0]).toBe(block(1, 50));
    expect(bodies[1].startsWith(block(2, 50))).toBe(true);
    expect(words(bodies.join(' '))).toEqual(words(text));
  });

  it('an over-long line is split at a word boundary', () => {
    const text = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const pages = paginate(text, { moreLine: MORE });
    expect(pages.length).toBeGreaterThan(1);
    const bodies = stripMore(pages, MORE);
    for (const p of pages) expect(fitsBudget(p)).toBe(true);
    // every page holds whole words only
    expect(words(bodies.join(' '))).toEqual(words(text));
    // and is reasonably full (greedy): all but the last over 2 segments' worth
    for (const p of pages.slice(0, -1)) expect(p.length).toBeGreaterThan(400);
  });

  it('an Arabic long text: UCS-2 pages within 3 segments', () => {
    const line = 'مركز الصليب الأحمر للاجئين مفتوح يوم الجمعة من العاشرة حتى الواحدة';
    const text = Array.from({ length: 12 }, (_, i) => `${i + 1}. ${line}`).join('\n');
    const more = 'أرسل MORE للمزيد';
    const pages = paginate(text, { moreLine: more });
    expect(pages.length).toBeGreaterThan(3);
    for (const p of pages) {
      const info = segmentInfo(p);
      expect(info.encoding).toBe('UCS-2');
      expect(info.segments).toBeLessThanOrEqual(3);
    }
    expect(words(stripMore(pages, more).join('\n'))).toEqual(words(text));
  });

  it('per page encoding: an English page stays GSM-7 next to an Arabic one', () => {
    const english = 'English: The drop-in is open on Friday from 10:00 to 13:00. '.repeat(6).trim();
    const arabic = 'العربية: '.concat('مركز الصليب الأحمر مفتوح يوم الجمعة '.repeat(4).trim());
    const pages = paginate(`${english}\n\n${arabic}`, { moreLine: MORE });
    expect(pages.length).toBe(2);
    expect(segmentInfo(pages[0]).encoding).toBe('GSM-7');
    expect(segmentInfo(pages[1]).encoding).toBe('UCS-2');
  });

  it('a single huge word is split between characters', () => {
    const word = 'x'.repeat(2000);
    const pages = paginate(word, { moreLine: MORE });
    for (const p of pages) expect(fitsBudget(p)).toBe(true);
    expect(stripMore(pages, MORE).join('')).toBe(word);
    // filled: 459 - "\nReply MORE for more".length
    expect(pages[0].length).toBe(459);
  });

  it('a huge word of emoji and accented letters is never split inside a grapheme', () => {
    const graphemes = ['😀', '👍🏽', 'é', '👨‍👩‍👧', 'ç', 'a'];
    const word = Array.from({ length: 300 }, (_, i) => graphemes[i % graphemes.length]).join('');
    const pages = paginate(word, { moreLine: MORE });
    expect(pages.length).toBeGreaterThan(1);
    const bodies = stripMore(pages, MORE);
    expect(bodies.join('')).toBe(word);
    const seg = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    for (const body of bodies) {
      expect(fitsBudget(body + `\n${MORE}`)).toBe(true);
      for (const { segment } of seg.segment(body)) expect(graphemes).toContain(segment);
    }
  });

  it('respects maxSegments', () => {
    const text = longEnglish();
    const pages = paginate(text, { moreLine: MORE, maxSegments: 1 });
    for (const p of pages) expect(segmentInfo(p).segments).toBe(1);
    expect(words(stripMore(pages, MORE).join('\n'))).toEqual(words(text));
  });

  it('property: every page fits, the more line is on all but the last, words survive in order', () => {
    const token = fc.constantFrom(
      'drop-in', 'Southampton', 'Friday', '10:00-13:00', '€5', '{ID}', 'café', 'Mon–Fri',
      'مرحبا', 'اللاجئين', '😀', '👨‍👩‍👧', 'x'.repeat(180), 'ç'.repeat(90), '\n', '\n\n',
    );
    const textArb = fc.array(token, { minLength: 1, maxLength: 120 }).map((ts) => ts.join(' '));
    fc.assert(
      fc.property(textArb, fc.constantFrom(MORE, 'أرسل MORE للمزيد'), fc.integer({ min: 1, max: 4 }), (text, more, max) => {
        const pages = paginate(text, { moreLine: more, maxSegments: max });
        for (const p of pages) expect(segmentInfo(p).segments).toBeLessThanOrEqual(max);
        const bodies = stripMore(pages, more);
        if (pages.length === 1) expect(pages[0]).toBe(text);
        // no character is lost except whitespace at the breaks
        expect(bodies.join('').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
      }),
      { numRuns: 60, seed: 20260615 },
    );
  });
});
