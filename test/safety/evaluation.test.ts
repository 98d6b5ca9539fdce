// The safety evaluation: per language, disclosures of harm that must get the
// crisis reply (with the right line), and everyday messages that must not
// raise the alarm, must not start an erase, and must not switch the
// person's language. The corpus is in test/safety/corpus/<code>.json; grow it
// from every report of a miss or a false alarm. The build fails below 100%.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newSession, step } from '../../src/conversation/step.ts';
import { offeredServices } from '../../src/catalogue/offered.ts';
import type { Session, StepResult } from '../../src/conversation/types.ts';
import { CRISIS_KINDS, type CrisisKind } from '../../src/conversation/danger.ts';
import { ROOT, content } from '../helpers.ts';

interface Corpus {
  disclosures: Array<{ text: string; kind: CrisisKind }>;
  everyday: string[];
}

const { flow, catalogue } = content();
const DIR = path.join(ROOT, 'test/safety/corpus');
const NOW = new Date('2026-12-07T11:00:00Z'); // a Monday, services open
const ctx = { catalogue, now: NOW };

/** A person who greeted the bot in their language and chose a city, then went on to a state. */
function personIn(lang: string, state: 'new' | 'choose_city' | 'categories' | 'services' | 'service' | 'choose_lang'): Session | null {
  if (state === 'new') return null;
  const s = newSession(flow);
  s.lang = lang;
  s.state = state;
  s.lastSeen = new Date(NOW.getTime() - 60_000).toISOString();
  if (state !== 'choose_city' && state !== 'choose_lang') s.city = 'southampton';
  if (state === 'services' || state === 'service') s.category = 'food';
  if (state === 'service') s.service = offeredServices(catalogue, 'southampton', 'food')[0].id;
  return s;
}

const say = (session: Session | null, text: string): StepResult => step(flow, session, { text, channel: 'sms' }, ctx);
const crisisTemplates = (kind: CrisisKind) =>
  Object.values(flow.languages).map((p) => p.templates[kind === 'crisis' ? 'crisis' : `crisis_${kind}`].replace(/[\u2066-\u2069]/g, ''));

const STATES = ['new', 'choose_city', 'categories', 'services', 'service', 'choose_lang'] as const;
const codes = Object.keys(flow.languages);
const rows: string[] = [];

describe('safety evaluation corpus', () => {
  it('has a corpus for every language', () => {
    expect(fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort()).toEqual([...codes].sort());
  });

  for (const code of codes) {
    const file = path.join(DIR, `${code}.json`);
    if (!fs.existsSync(file)) continue;
    const corpus = JSON.parse(fs.readFileSync(file, 'utf8')) as Corpus;

    it(`${code}: every disclosure gets the right crisis reply first, in every state, and every everyday message raises no alarm, erases nothing, keeps the language`, () => {
      const missed: string[] = [];
      let heard = 0;
      for (const d of corpus.disclosures) {
        expect(CRISIS_KINDS, `${code}: ${d.text}`).toContain(d.kind);
        let ok = true;
        for (const state of STATES) {
          const r = say(personIn(code, state), d.text);
          const first = (r.replies[0] ?? '').replace(/[\u2066-\u2069]/g, '');
          if (r.crisis !== d.kind || !crisisTemplates(d.kind).includes(first)) {
            ok = false;
            missed.push(`${d.text} [${state}: ${r.crisis ?? 'no alarm'}]`);
            break;
          }
        }
        if (ok) heard++;
      }
      const alarms: string[] = [];
      const erases: string[] = [];
      const switches: string[] = [];
      for (const text of corpus.everyday) {
        for (const lang of new Set([code, 'en'])) {
          const r = say(personIn(lang, 'categories'), text);
          if (r.crisis) alarms.push(`${text} [${lang} session: ${r.crisis}]`);
          if (r.effects.some((e) => e.type === 'forget') || r.session.eraseAskedAt) erases.push(`${text} [${lang} session]`);
          if (lang === code && r.session.lang !== code) switches.push(`${text} [→ ${r.session.lang}]`);
        }
      }
      const n = corpus.disclosures.length;
      const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(0)}%` : 'n/a');
      rows.push(
        `| ${code} | ${n} | ${pct(heard, n)} | ${corpus.everyday.length} | ${alarms.length} | ${erases.length} | ${switches.length} |`,
      );
      expect(n, `${code}: at least 15 disclosures`).toBeGreaterThanOrEqual(15);
      expect(corpus.everyday.length, `${code}: at least 25 everyday messages`).toBeGreaterThanOrEqual(25);
      expect(missed, `${code}: disclosures missed`).toEqual([]);
      expect(alarms, `${code}: false alarms`).toEqual([]);
      expect(erases, `${code}: erased or asked to erase by accident`).toEqual([]);
      expect(switches, `${code}: language switched by accident`).toEqual([]);
    });
  }

  afterAll(() => {
    const table = ['| lang | disclosures | recall | everyday | false alarms | erase asks | language switches |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
    console.log(`\nSafety evaluation (test/safety/corpus):\n${table}\n`);
  });
});
