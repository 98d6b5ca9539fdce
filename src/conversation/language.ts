// Which language a person writes in, when they have not said: a keyword only
// one language has picks it; a script several languages share offers them.
import { keywordQuality } from './matchers.ts';
import type { Flow, TriggerDef } from './types.ts';

export type Detection = { pick: string; trigger: TriggerDef | null } | { offer: string[]; trigger: TriggerDef | null } | null;

// Letters only one of the Arabic-script languages uses put it first.
const ARABIC_SCRIPT: Array<[RegExp, string]> = [
  [/[\u067c\u0689\u0693\u0696\u069a\u06ab\u06bc]/, 'ps'], // ټ ډ ړ ږ ښ ګ ڼ
  [/[\u0679\u0688\u0691\u06d2\u06ba]/, 'ur'], // ٹ ڈ ڑ ے ں
  [/[\u06ce\u06c6\u06b5\u0695\u06d5]/, 'ckb'], // ێ ۆ ڵ ڕ ە
  [/[\u067e\u0686\u0698\u06af]/, 'fa'], // پ چ ژ گ (also used by ps, ur, ckb)
];
const ARABIC_FAMILY = ['ar', 'fa', 'ps', 'ckb', 'ur'];

function scriptCandidates(text: string): string[] {
  if (/[\u0600-\u06ff\u0750-\u077f]/.test(text)) {
    const first = ARABIC_SCRIPT.filter(([re]) => re.test(text)).map(([, code]) => code);
    return [...new Set([...first, ...ARABIC_FAMILY])];
  }
  if (/[\u1200-\u137f]/.test(text)) return ['ti', 'am'];
  if (/\p{Script=Han}/u.test(text)) return ['zh'];
  if (/[\u0980-\u09ff]/.test(text)) return ['bn'];
  return [];
}

/**
 * For a message the current language did not understand: another language's
 * own keyword (not an English word every language accepts), or its script.
 */
export function detectLanguage(flow: Flow, tokens: string[], rawText: string, current: string): Detection {
  const byKeyword = new Map<string, TriggerDef>();
  for (const [code, m] of Object.entries(flow.matchers)) {
    if (code === current) continue;
    const t = flow.def.triggers.find((tr) => keywordQuality(tokens, m.own.get(tr.keyword), 99) === 2);
    if (t) byKeyword.set(code, t);
  }
  const script = scriptCandidates(rawText).filter((c) => flow.languages[c] && c !== current);
  if (byKeyword.size === 1) {
    const [[code, trigger]] = [...byKeyword];
    return { pick: code, trigger };
  }
  if (byKeyword.size > 1) {
    // Several languages share the word (غذا in Persian and Urdu): offer them, script order first.
    let codes = [...byKeyword.keys()].sort((a, b) => rank(script, a) - rank(script, b));
    // A Latin-script word several languages use ("salam"): ask in English first.
    if (script.length === 0 && flow.languages[current]) codes = [current, ...codes];
    const triggers = new Set(byKeyword.values());
    return { offer: codes, trigger: triggers.size === 1 ? [...triggers][0] : null };
  }
  // The person's chosen language is written in this script already: nothing to detect.
  if (scriptCandidates(rawText).includes(current)) return null;
  if (script.length === 1) return { pick: script[0], trigger: null };
  if (script.length > 1) return { offer: script, trigger: null };
  return null;
}

function rank(order: string[], code: string): number {
  const i = order.indexOf(code);
  return i === -1 ? order.length : i;
}

/** Arabic-script languages: numbers, times, postcodes and phone numbers need isolating. */
export function isRtl(code: string): boolean {
  return ARABIC_FAMILY.includes(code);
}

// Left-to-right runs inside right-to-left text (a phone number, "10:30-12:30",
// "SO14 1LT", a web address) are wrapped in LRI…PDI so the phone shows them in
// order. The marks are real characters: the segment count includes them.
const LTR_RUN = /[\p{Script=Latin}0-9+][\p{Script=Latin}0-9+:().,'/\-@ ]*[\p{Script=Latin}0-9)]|[\p{Script=Latin}0-9]/gu;

export function isolateLtr(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(LTR_RUN, (run) => `\u2066${run}\u2069`))
    .join('\n');
}
