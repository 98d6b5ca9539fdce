// Loads flows/main.json and flows/lang/*.json and checks them before the bot
// runs: every error names the file, the place in it and what is wrong.
import fs from 'node:fs';
import path from 'node:path';
import type { CompiledKeywords, Flow, FlowDef, LanguagePack } from './types.ts';
import {
  ACCESS_KEYS,
  CITY_KEYS,
  DAY_KEYS,
  ENGINE_KEYWORDS,
  ENGINE_STATES,
  ENGINE_TEMPLATES,
  MENUS,
  SAFETY_MATCHERS,
  TRIGGER_ACTIONS,
  TRIGGER_MATCHERS,
  WHOLE_MESSAGE_KEYWORDS,
} from './registry.ts';
import { normalizeText, tokenize } from '../text/normalize.ts';
import { compilePlaces } from './places.ts';
import { CRISIS_KINDS, CRISIS_LISTS, compileDanger, findDanger, type DangerSource } from './danger.ts';

export class FlowError extends Error {
  constructor(public errors: string[]) {
    super(errors.join('\n'));
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function readJson(file: string, label: string, errors: string[]): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    errors.push(`${label}: cannot read: ${(e as Error).message}`);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    errors.push(`${label}: not valid JSON: ${(e as Error).message}`);
    return undefined;
  }
}

/** Template variables: "{city}" → city. */
export function templateVars(template: string): string[] {
  return [...template.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]).sort();
}

function checkFlowDef(def: unknown, file: string, errors: string[]): FlowDef | null {
  if (!isObj(def)) {
    errors.push(`${file}: expected an object`);
    return null;
  }
  const states = def.states;
  if (!isObj(states) || Object.keys(states).length === 0) {
    errors.push(`${file}: states: required, an object of states`);
    return null;
  }
  const stateNames = new Set(Object.keys(states));
  const needState = (where: string, name: unknown) => {
    if (typeof name !== 'string') errors.push(`${file}: ${where}: required, a state name`);
    else if (!stateNames.has(name)) errors.push(`${file}: ${where}: unknown state "${name}" (states: ${[...stateNames].join(', ')})`);
  };
  needState('start', def.start);
  for (const name of ENGINE_STATES) {
    if (!stateNames.has(name)) errors.push(`${file}: states.${name}: missing: the engine moves people to this state`);
  }
  if (typeof def.fallback !== 'string') errors.push(`${file}: fallback: required, a template name`);

  const safety = def.safety;
  if (!isObj(safety)) errors.push(`${file}: safety: required`);
  else {
    if (!SAFETY_MATCHERS.includes(safety.match as 'phrase')) {
      errors.push(`${file}: safety.match: unregistered matcher "${String(safety.match)}" (known: ${SAFETY_MATCHERS.join(', ')})`);
    }
    if (typeof safety.template !== 'string') errors.push(`${file}: safety.template: required`);
    if (safety.phrases !== 'crisis_phrases') errors.push(`${file}: safety.phrases: expected "crisis_phrases"`);
  }

  if (!Array.isArray(def.triggers)) errors.push(`${file}: triggers: required, a list`);
  else {
    def.triggers.forEach((t: unknown, i: number) => {
      const at = `${file}: triggers[${i}]`;
      if (!isObj(t)) return errors.push(`${at}: expected an object`);
      if (!TRIGGER_MATCHERS.includes(t.match as 'keyword')) {
        errors.push(`${at}.match: unregistered matcher "${String(t.match)}" (known: ${TRIGGER_MATCHERS.join(', ')})`);
      }
      if ((t.action === 'forget' || t.action === 'forget_ask') && t.match !== 'whole') {
        errors.push(`${at}.match: action "${t.action}" erases: it must match the whole message ("whole"), never a word inside a sentence`);
      }
      if (typeof t.keyword !== 'string') errors.push(`${at}.keyword: required`);
      const needs = TRIGGER_ACTIONS[String(t.action)];
      if (!needs) {
        errors.push(`${at}.action: unregistered action "${String(t.action)}" (known: ${Object.keys(TRIGGER_ACTIONS).join(', ')})`);
        return;
      }
      for (const field of needs) {
        if (typeof t[field] !== 'string') errors.push(`${at}.${field}: required for action "${t.action}"`);
      }
      if (t.state !== undefined) needState(`triggers[${i}].state`, t.state);
    });
  }

  for (const [name, s] of Object.entries(states)) {
    const at = `${file}: states.${name}`;
    if (!isObj(s)) {
      errors.push(`${at}: expected an object`);
      continue;
    }
    for (const key of Object.keys(s)) {
      if (!['$comment', 'enter', 'next', 'prompt', 'menu', 'choose', 'back'].includes(key)) {
        errors.push(`${at}.${key}: unexpected field`);
      }
    }
    if (s.next !== undefined) needState(`states.${name}.next`, s.next);
    if (s.back !== undefined) needState(`states.${name}.back`, s.back);
    if (s.next === undefined && s.prompt === undefined) errors.push(`${at}: needs "prompt" or "next"`);
    if (s.menu !== undefined) {
      const fits = MENUS[String(s.menu)];
      if (!fits) errors.push(`${at}.menu: unregistered menu "${String(s.menu)}" (known: ${Object.keys(MENUS).join(', ')})`);
      else if (s.choose !== fits) errors.push(`${at}.choose: menu "${s.menu}" needs action "${fits}", got "${String(s.choose)}"`);
    } else if (s.choose !== undefined) {
      errors.push(`${at}.choose: there is no menu to choose from`);
    }
  }
  // Each menu the engine opens must have a state showing it.
  const shown = new Set(Object.values(states).map((s) => (isObj(s) ? s.menu : undefined)));
  for (const menu of Object.keys(MENUS)) {
    if (!shown.has(menu)) errors.push(`${file}: states: no state shows the "${menu}" menu`);
  }
  return errors.length ? null : (def as unknown as FlowDef);
}

/** Templates a flow names, with where it names them. */
function templatesUsed(def: FlowDef): Map<string, string> {
  const used = new Map<string, string>();
  used.set(def.fallback, 'fallback');
  used.set(def.safety.template, 'safety.template');
  def.triggers.forEach((t, i) => t.template && used.set(t.template, `triggers[${i}].template`));
  for (const [name, s] of Object.entries(def.states)) {
    if (s.enter) used.set(s.enter, `states.${name}.enter`);
    if (s.prompt) used.set(s.prompt, `states.${name}.prompt`);
  }
  for (const t of ENGINE_TEMPLATES) if (!used.has(t)) used.set(t, 'the engine');
  return used;
}

function checkLanguage(
  pack: unknown,
  file: string,
  def: FlowDef,
  english: LanguagePack | null,
  errors: string[],
): LanguagePack | null {
  const before = errors.length;
  if (!isObj(pack)) {
    errors.push(`${file}: expected an object`);
    return null;
  }
  const lang = pack.language;
  if (!isObj(lang) || typeof lang.code !== 'string' || typeof lang.name !== 'string') {
    errors.push(`${file}: language: required, with code and name`);
  } else {
    if (typeof lang.translation !== 'string') errors.push(`${file}: language.translation: required (how it was translated)`);
    if (typeof lang.reviewed !== 'boolean') errors.push(`${file}: language.reviewed: required, true only if a native speaker has checked it`);
  }
  const needMap = (key: string, keys: readonly string[]) => {
    const m = pack[key];
    if (!isObj(m)) return errors.push(`${file}: ${key}: required`);
    for (const k of keys) if (typeof m[k] !== 'string' || !m[k]) errors.push(`${file}: ${key}.${k}: missing`);
  };
  needMap('days', DAY_KEYS);
  needMap('days_short', DAY_KEYS);
  needMap('cities', CITY_KEYS);
  needMap('access', ACCESS_KEYS);

  const keywords = pack.keywords;
  if (!isObj(keywords) || Object.keys(keywords).length === 0) {
    errors.push(`${file}: keywords: required: a language with no keywords cannot be used`);
  } else {
    def.triggers.forEach((t, i) => {
      const words = keywords[t.keyword];
      if (!Array.isArray(words) || words.length === 0 || words.some((w) => typeof w !== 'string' || !tokenize(normalizeText(w)).length)) {
        errors.push(`${file}: keywords.${t.keyword}: missing or empty (used by flows/main.json triggers[${i}])`);
      }
    });
  }
  if (isObj(keywords)) {
    for (const id of ENGINE_KEYWORDS) {
      const words = keywords[id];
      if (!Array.isArray(words) || words.length === 0) errors.push(`${file}: keywords.${id}: missing or empty (read by the engine)`);
    }
  }
  const needList = (key: string, what: string, mayBeEmpty = false) => {
    const list = pack[key];
    if (!Array.isArray(list) || (!mayBeEmpty && list.length === 0)) return errors.push(`${file}: ${key}: required, ${what}`);
    list.forEach((w, i) => {
      if (typeof w !== 'string' || !tokenize(normalizeText(w)).length) errors.push(`${file}: ${key}[${i}]: expected a word or phrase`);
    });
  };
  needList('crisis_phrases', 'a list of words that mean danger now or self-harm');
  needList('abuse_phrases', 'a list of phrases that say someone hits, hurts, threatens or rapes them');
  needList('exploitation_phrases', 'a list of phrases that say they are forced to work, trafficked, or their passport is kept');
  needList('safe_phrases', 'a list of everyday phrases that hold a danger word ("no danger")', true);
  needList('everyday', 'a list of common words and phrases (greetings, thanks, questions): what danger and erase words must never be');

  const templates = pack.templates;
  if (!isObj(templates)) errors.push(`${file}: templates: required`);
  else {
    for (const [name, where] of templatesUsed(def)) {
      const t = templates[name];
      if (typeof t !== 'string' || !t.trim()) {
        errors.push(`${file}: templates.${name}: missing (used by ${where === 'the engine' ? 'the engine' : `flows/main.json ${where}`})`);
        continue;
      }
      const theirs = english?.templates[name];
      if (theirs !== undefined) {
        const want = templateVars(theirs).join(',');
        const got = templateVars(t).join(',');
        if (want !== got) {
          errors.push(`${file}: templates.${name}: variables {${got.split(',').join('}, {')}} differ from English {${want.split(',').join('}, {')}}`);
        }
      }
    }
  }
  return errors.length > before ? null : (pack as unknown as LanguagePack);
}

function compileKeywords(pack: LanguagePack, english: LanguagePack): CompiledKeywords {
  const englishWords = new Set(Object.values(english.keywords).flat().map((w) => toTokens(w).join(' ')));
  const keywords = new Map<string, string[][]>();
  const own = new Map<string, string[][]>();
  for (const [id, words] of Object.entries(pack.keywords)) {
    const phrases = words.map(toTokens).filter((t) => t.length);
    keywords.set(id, phrases);
    own.set(id, pack.language.code === english.language.code ? [] : phrases.filter((p) => !englishWords.has(p.join(' '))));
  }
  return { keywords, own };
}

const toTokens = (p: string) => tokenize(normalizeText(p));
/** Templates that speak of danger: their words are not everyday words. */
const DANGER_TEMPLATES = new Set<string>(CRISIS_KINDS.map((k) => CRISIS_LISTS[k].template));

/** Every everyday word the bot knows in any language: what a danger word's typo must not be near. */
function vocabulary(languages: Record<string, LanguagePack>): Set<string> {
  const words = new Set<string>();
  const add = (text: string) => {
    for (const t of toTokens(text)) words.add(t);
  };
  for (const pack of Object.values(languages)) {
    pack.everyday.forEach(add);
    for (const [id, list] of Object.entries(pack.keywords)) if (id !== 'crisis') list.forEach(add);
    Object.values(pack.days).forEach(add);
    Object.values(pack.days_short).forEach(add);
    Object.values(pack.access).forEach(add);
    Object.values(pack.cities).forEach(add);
    Object.values(pack.categories ?? {}).forEach(add);
    for (const [name, t] of Object.entries(pack.templates)) if (!DANGER_TEMPLATES.has(name)) add(t);
  }
  return words;
}

/** The words that tell one language apart, for detection: everyday words, its own keywords, day names. */
function languageVocab(pack: LanguagePack, compiled: CompiledKeywords, isDefault: boolean): Set<string> {
  const words = new Set<string>();
  for (const e of pack.everyday) for (const t of toTokens(e)) words.add(t);
  for (const phrases of (isDefault ? compiled.keywords : compiled.own).values()) for (const p of phrases) for (const t of p) words.add(t);
  for (const d of Object.values(pack.days)) for (const t of toTokens(d)) words.add(t);
  for (const c of Object.values(pack.cities)) for (const t of toTokens(c)) words.add(t);
  return words;
}

/**
 * Danger and erase words must never be everyday words, in any language: a
 * false alarm frightens, a false erase loses someone's reminders. Checked at
 * load, naming both files.
 */
function checkSafety(languages: Record<string, LanguagePack>, files: Record<string, string>, danger: ReturnType<typeof compileDanger>, errors: string[]): void {
  const everydayOf = new Map<string, Array<{ code: string; where: string }>>();
  const note = (phrase: string, code: string, where: string) => {
    const key = toTokens(phrase).join(' ');
    if (!key) return;
    const list = everydayOf.get(key);
    if (list) list.push({ code, where });
    else everydayOf.set(key, [{ code, where }]);
  };
  for (const [code, pack] of Object.entries(languages)) {
    pack.everyday.forEach((w) => note(w, code, 'everyday'));
    for (const [id, list] of Object.entries(pack.keywords)) {
      if (id === 'crisis' || WHOLE_MESSAGE_KEYWORDS.includes(id)) continue;
      list.forEach((w) => note(w, code, `keywords.${id}`));
    }
  }
  for (const [code, pack] of Object.entries(languages)) {
    const lists: Array<[string, string[]]> = [
      ...CRISIS_KINDS.map((k): [string, string[]] => [CRISIS_LISTS[k].phrases, pack[CRISIS_LISTS[k].phrases]]),
      ...WHOLE_MESSAGE_KEYWORDS.map((id): [string, string[]] => [`keywords.${id}`, pack.keywords[id] ?? []]),
    ];
    for (const [listName, list] of lists) {
      list.forEach((phrase, i) => {
        for (const hit of everydayOf.get(toTokens(phrase).join(' ')) ?? []) {
          errors.push(
            `${files[code]}: ${listName}[${i}] "${phrase}" is an everyday word in ${files[hit.code]} (${hit.where}): it would ${listName.startsWith('keywords') ? 'erase' : 'raise the alarm'} by accident`,
          );
        }
      });
    }
  }
  // Every language's everyday phrases are a corpus that must raise no alarm.
  for (const [code, pack] of Object.entries(languages)) {
    pack.everyday.forEach((phrase, i) => {
      const hit = findDanger(danger, toTokens(phrase));
      if (hit) {
        errors.push(
          `${files[code]}: everyday[${i}] "${phrase}" would get the crisis reply: it holds "${hit.tokens.join(' ')}" (${hit.from}); add a safe phrase or narrow the danger phrase`,
        );
      }
    });
  }
}

/** Build a runnable flow from already-parsed data (used by tests and loadFlows). */
export function compileFlow(
  defRaw: unknown,
  packs: Array<{ file: string; data: unknown }>,
  defFile = 'flows/main.json',
): Flow {
  const errors: string[] = [];
  const def = checkFlowDef(defRaw, defFile, errors);
  if (!def) throw new FlowError(errors);
  const enEntry = packs.find((p) => isObj(p.data) && isObj(p.data.language) && p.data.language.code === 'en');
  if (!enEntry) throw new FlowError([`flows/lang/en.json: missing: English is the language every other falls back to`]);
  const english = checkLanguage(enEntry.data, enEntry.file, def, null, errors);
  const languages: Record<string, LanguagePack> = {};
  if (english) languages.en = english;
  for (const p of packs) {
    if (p === enEntry) continue;
    const pack = checkLanguage(p.data, p.file, def, english, errors);
    if (pack) {
      const expected = path.basename(p.file, '.json');
      if (pack.language.code !== expected) errors.push(`${p.file}: language.code: expected "${expected}" (the file name), got "${pack.language.code}"`);
      else languages[pack.language.code] = pack;
    }
  }
  if (errors.length) throw new FlowError(errors);
  const matchers: Record<string, CompiledKeywords> = {};
  const vocab: Record<string, Set<string>> = {};
  const files: Record<string, string> = {};
  for (const p of packs) if (isObj(p.data) && isObj(p.data.language)) files[String(p.data.language.code)] = p.file;
  const sources: DangerSource[] = [];
  const safe: string[][] = [];
  for (const [code, pack] of Object.entries(languages)) {
    matchers[code] = compileKeywords(pack, languages.en);
    vocab[code] = languageVocab(pack, matchers[code], code === 'en');
    for (const kind of CRISIS_KINDS) {
      const list = CRISIS_LISTS[kind].phrases;
      for (const phrase of pack[list]) sources.push({ kind, tokens: toTokens(phrase), from: `${files[code]} ${list}` });
    }
    for (const phrase of pack.safe_phrases) safe.push(toTokens(phrase));
  }
  const danger = compileDanger(sources, safe, vocabulary(languages));
  checkSafety(languages, files, danger, errors);
  if (errors.length) throw new FlowError(errors);
  return { def, languages, defaultLang: 'en', matchers, danger, vocab, places: compilePlaces(languages) };
}

export function loadFlows(dir: string): Flow {
  const errors: string[] = [];
  const rel = (f: string) => path.relative(process.cwd(), f) || f;
  const mainFile = path.join(dir, 'main.json');
  const def = readJson(mainFile, rel(mainFile), errors);
  const langDir = path.join(dir, 'lang');
  let files: string[] = [];
  try {
    files = fs.readdirSync(langDir).filter((f) => f.endsWith('.json')).sort();
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    errors.push(`${rel(langDir)}: ${missing ? 'missing' : `cannot read (${(e as Error).message})`}: the folder of language files`);
  }
  const packs = files.map((f) => ({ file: rel(path.join(langDir, f)), data: readJson(path.join(langDir, f), rel(path.join(langDir, f)), errors) }));
  if (errors.length) throw new FlowError(errors);
  return compileFlow(def, packs, rel(mainFile));
}
