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
 * For a message the current language did not understand: is it clearly in
 * another language? Its script says so, or two or more of that language's
 * words do (and more of them than of the current language's), or the whole
 * message is one keyword that only that language has. One Latin word inside a
 * sentence never switches: "mon" is French and Bengali, "kent" Turkish and a
 * place in England.
 */
export function detectLanguage(flow: Flow, tokens: string[], rawText: string, current: string): Detection {
  const inScript = scriptCandidates(rawText);
  const script = inScript.filter((c) => flow.languages[c] && c !== current);
  const keywordIn = (code: string): TriggerDef | null =>
    flow.def.triggers.find((tr) => tr.match === 'keyword' && keywordQuality(tokens, flow.matchers[code].own.get(tr.keyword), 99) === 2) ?? null;

  // A message that is just one language's own keyword ("ushqim", "bonjour").
  const whole = tokens.join(' ');
  const owners: string[] = [];
  for (const code of Object.keys(flow.matchers)) {
    if (code === current) continue;
    for (const phrases of flow.matchers[code].own.values()) {
      if (phrases.some((p) => p.join(' ') === whole)) {
        owners.push(code);
        break;
      }
    }
  }
  const knownElsewhere = (code: string) =>
    tokens.some((t) => Object.entries(flow.vocab).some(([other, words]) => other !== code && !owners.includes(other) && words.has(t)));
  if (owners.length === 1 && !knownElsewhere(owners[0])) return { pick: owners[0], trigger: keywordIn(owners[0]) };
  if (owners.length > 1 && owners.every((c) => !knownElsewhere(c))) {
    // Several languages share the word (غذا in Persian and Urdu): offer them, script order first.
    let codes = [...owners].sort((a, b) => rank(script, a) - rank(script, b));
    // A Latin-script word several languages use ("salam"): ask in the current language first.
    if (script.length === 0 && flow.languages[current]) codes = [current, ...codes];
    const triggers = new Set(owners.map(keywordIn));
    return { offer: codes, trigger: triggers.size === 1 ? [...triggers][0] : null };
  }

  // The person's chosen language is written in this script already: nothing to detect.
  if (inScript.length && !inScript.includes(current)) {
    if (script.length === 1) return { pick: script[0], trigger: keywordIn(script[0]) };
    if (script.length > 1) {
      const byWords = mostWords(flow, tokens, script, current);
      if (byWords) return { pick: byWords, trigger: keywordIn(byWords) };
      return { offer: script, trigger: null };
    }
  }
  if (inScript.length) return null;

  // Latin letters: two or more words of one language, more than of the current one.
  const best = mostWords(flow, tokens, Object.keys(flow.vocab).filter((c) => c !== current), current);
  return best ? { pick: best, trigger: keywordIn(best) } : null;
}

/** The one language with the most distinct words in the message: at least two, and more than the current one. */
function mostWords(flow: Flow, tokens: string[], codes: string[], current: string): string | null {
  const distinct = [...new Set(tokens)];
  const count = (code: string) => {
    const words = flow.vocab[code];
    return words ? distinct.filter((t) => words.has(t)).length : 0;
  };
  const mine = count(current);
  let best: string | null = null;
  let bestN = 0;
  let tie = false;
  for (const code of codes) {
    const n = count(code);
    if (n > bestN) {
      best = code;
      bestN = n;
      tie = false;
    } else if (n === bestN && n > 0) tie = true;
  }
  return best && !tie && bestN >= 2 && bestN > mine ? best : null;
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
