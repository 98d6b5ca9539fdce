// SMS segment counting (Twilio's own calculator) and pagination of long
// replies into pages that each fit a segment budget.
//
// GSM-7: 160 characters in one segment, 153 per segment when split; GSM
// extension characters (€ [ ] { } ^ ~ \ |) count 2. Any other character
// (an Arabic letter, "–", a curly quote, an emoji) makes the whole message
// UCS-2: 70 per segment, 67 when split, emoji and other astral characters
// count 2. The encoding is per message, so per page.

import { SegmentedMessage } from 'sms-segments-calculator';

export const MAX_SEGMENTS = 3;

export interface SegmentInfo {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  /** As Twilio counts them: GSM-7 code units (extension characters 2), or UCS-2 graphemes. */
  characters: number;
}

// Fast paths, so that the common case costs a regex test rather than a
// SegmentedMessage (which is slow: about 2 ms for 300 characters). Both are
// checked against SegmentedMessage over every BMP code unit in the tests.

/** Characters of the GSM-7 basic set that are plain ASCII: 7 bits each. */
const PLAIN_GSM = /^[\n\r A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@_]*$/;
/**
 * A character outside the GSM-7 basic and extension sets (anything above
 * U+00FF except the GSM Greek capitals and €): the message is surely UCS-2,
 * 16 bits per UTF-16 code unit, so at most 70 code units per segment.
 */
const SURELY_UCS2 = /[^\u0000-\u00ff\u0393\u0394\u0398\u039b\u039e\u03a0\u03a3\u03a6\u03a8\u03a9\u20ac]/;

function plainGsmInfo(text: string): SegmentInfo | null {
  if (!PLAIN_GSM.test(text)) return null;
  const n = text.length;
  return { encoding: 'GSM-7', segments: n <= 160 ? 1 : Math.ceil(n / 153), characters: n };
}

export function segmentInfo(text: string): SegmentInfo {
  const fast = plainGsmInfo(text);
  if (fast) return fast;
  const message = new SegmentedMessage(text);
  return {
    encoding: message.encodingName,
    segments: message.segmentsCount,
    characters: message.numberOfCharacters,
  };
}

/** Cheap certain "no": a segment never holds more than 160 UTF-16 code units (70 in UCS-2). */
function surelyTooLong(text: string, maxSegments: number): boolean {
  if (text.length > maxSegments * 160) return true;
  return text.length > maxSegments * 70 && SURELY_UCS2.test(text);
}

export function fitsBudget(text: string, maxSegments: number = MAX_SEGMENTS): boolean {
  if (surelyTooLong(text, maxSegments)) return false;
  return segmentInfo(text).segments <= maxSegments;
}

/** Internals exposed for tests only. */
export const __testing = { PLAIN_GSM, SURELY_UCS2 };

export interface PaginateOptions {
  /** Segment budget for every page, the more line included. Default MAX_SEGMENTS. */
  maxSegments?: number;
  /** Appended as "\n" + moreLine to every page but the last, e.g. "Reply MORE for more". */
  moreLine: string;
}

/** Break levels, coarsest first: blank-line-separated blocks, lines, words. */
const SEPARATORS = ['\n\n', '\n', ' '] as const;

let graphemeSegmenter: Intl.Segmenter | null = null;
function graphemeBoundaries(text: string, from: number, to: number): number[] {
  graphemeSegmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const ends: number[] = [];
  for (const { index, segment } of graphemeSegmenter.segment(text.slice(from, to))) {
    ends.push(from + index + segment.length);
  }
  return ends;
}

/**
 * Split `text` into pages that each fit `maxSegments`, every page but the
 * last ending in "\n" + moreLine. Text that fits is returned unchanged as a
 * single page (one segment count). Otherwise pages are filled greedily,
 * breaking preferably between blank-line-separated blocks, then between
 * lines, then between words, and only as a last resort between graphemes.
 * A block (or line, or word) that would fit on a page of its own is never
 * split; one that cannot is split across pages starting on the current one.
 * The separator at a break (blank line, newline, space) is dropped, and
 * pages are trimmed of leading and trailing whitespace.
 */
export function paginate(text: string, opts: PaginateOptions): string[] {
  const maxSegments = opts.maxSegments ?? MAX_SEGMENTS;
  if (fitsBudget(text, maxSegments)) return [text];

  const more = `\n${opts.moreLine}`;
  const fitsMid = (page: string) => fitsBudget(page + more, maxSegments);
  const limit = maxSegments * 160;

  const pages: string[] = [];
  let rest = text.trimStart();
  while (rest.length > 0) {
    if (fitsBudget(rest, maxSegments)) {
      pages.push(rest.trimEnd());
      break;
    }
    // Only the first `limit` characters can be on this page; the window is
    // twice that so a unit starting on this page that is cut off by the
    // window is still recognisably too long to fit a page on its own.
    const window = rest.length > 2 * limit + 2 ? rest.slice(0, 2 * limit + 2) : rest;
    const atEnd = window.length === rest.length;

    let cut = findCut(window, atEnd, 0, window.length, 0, fitsMid, maxSegments);
    if (cut === null || cut === 0) {
      // Not even one grapheme fits beside the more line: take one anyway.
      cut = graphemeBoundaries(window, 0, window.length)[0];
    }
    const page = rest.slice(0, cut).trimEnd();
    if (page.length > 0) pages.push(page + more);
    rest = rest.slice(cut).trimStart();
  }
  return pages;
}

/**
 * The furthest cut c in (lo, hi] such that text.slice(0, c) fits as a middle
 * page, by the break preference at `level` within the unit text[lo, hi).
 * Null if nothing in the unit fits after text[0, lo).
 */
function findCut(
  text: string,
  atEnd: boolean,
  lo: number,
  hi: number,
  level: number,
  fitsMid: (page: string) => boolean,
  maxSegments: number,
): number | null {
  if (level >= SEPARATORS.length) {
    const ends = graphemeBoundaries(text, lo, hi);
    return furthestFitting(text, ends, fitsMid);
  }

  // Sub-units of text[lo, hi) at this level: [starts[i], ends[i]).
  const sep = SEPARATORS[level];
  const starts: number[] = [];
  const ends: number[] = [];
  let start = lo;
  for (;;) {
    const at = text.indexOf(sep, start);
    if (at === -1 || at >= hi) {
      starts.push(start);
      ends.push(hi);
      break;
    }
    starts.push(start);
    ends.push(at);
    start = at + sep.length;
  }

  const i = furthestFittingIndex(text, ends, fitsMid);
  if (i === ends.length - 1) return ends[i]; // the whole unit fits (callers don't ask this)
  const next = i + 1; // the first sub-unit that doesn't fit on this page
  const nextText = text.slice(starts[next], ends[next]);
  const isLast = atEnd && ends[next] === text.length;
  const fitsAlone = isLast ? fitsBudget(nextText, maxSegments) : fitsMid(nextText.trim());
  // A sub-unit that fits a page of its own is not split: it starts the next
  // page (null: nothing of this unit goes on this page).
  if (fitsAlone) return i >= 0 ? ends[i] : null;
  // It has to be split anyway: fill this page with as much of it as fits.
  const inner = findCut(text, atEnd, starts[next], ends[next], level + 1, fitsMid, maxSegments);
  if (inner !== null) return inner;
  return i >= 0 ? ends[i] : null;
}

/** Index of the furthest cut in `cuts` (ascending) whose prefix fits, or -1. */
function furthestFittingIndex(
  text: string,
  cuts: number[],
  fitsMid: (page: string) => boolean,
): number {
  let lo = -1; // fits (or before the first)
  let hi = cuts.length; // doesn't fit
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fitsMid(text.slice(0, cuts[mid]).trimEnd())) lo = mid;
    else hi = mid;
  }
  return lo;
}

function furthestFitting(
  text: string,
  cuts: number[],
  fitsMid: (page: string) => boolean,
): number | null {
  const i = furthestFittingIndex(text, cuts, fitsMid);
  return i >= 0 ? cuts[i] : null;
}
