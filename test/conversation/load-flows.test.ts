import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlowError, compileFlow } from '../../src/conversation/load-flows.ts';
import { ROOT } from '../helpers.ts';

const main = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'flows/main.json'), 'utf8'));
const en = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'flows/lang/en.json'), 'utf8'));

function errorsOf(def: unknown, packs = [{ file: 'flows/lang/en.json', data: en() }]): string[] {
  try {
    compileFlow(def, packs);
  } catch (e) {
    if (e instanceof FlowError) return e.errors;
    throw e;
  }
  return [];
}

describe('loading flows/', () => {
  it('accepts the shipped flow and languages', () => {
    expect(errorsOf(main())).toEqual([]);
  });

  it('names the file, state and field of an unknown target state', () => {
    const def = main();
    def.states.services.back = 'categoriez';
    expect(errorsOf(def)).toContain(
      'flows/main.json: states.services.back: unknown state "categoriez" (states: new, choose_lang, choose_city, categories, services, service, today)',
    );
  });

  it('names an unregistered action and matcher', () => {
    const def = main();
    def.triggers[0].action = 'opn_category';
    def.triggers[1].match = 'regex';
    const errors = errorsOf(def);
    expect(errors.some((e) => e.startsWith('flows/main.json: triggers[0].action: unregistered action "opn_category"'))).toBe(true);
    expect(errors.some((e) => e.startsWith('flows/main.json: triggers[1].match: unregistered matcher "regex"'))).toBe(true);
  });

  it('names a missing template with the state that uses it', () => {
    const pack = en();
    delete pack.templates.services;
    expect(errorsOf(main(), [{ file: 'flows/lang/en.json', data: pack }])).toContain(
      'flows/lang/en.json: templates.services: missing (used by flows/main.json states.services.prompt)',
    );
  });

  it('names an unregistered menu', () => {
    const def = main();
    def.states.categories.menu = 'catgories';
    expect(errorsOf(def).some((e) => e.startsWith('flows/main.json: states.categories.menu: unregistered menu "catgories"'))).toBe(true);
  });

  it('names keywords a trigger needs but the language lacks', () => {
    const pack = en();
    delete pack.keywords.food;
    expect(errorsOf(main(), [{ file: 'flows/lang/en.json', data: pack }])).toContain(
      `flows/lang/en.json: keywords.food: missing or empty (used by flows/main.json triggers[${main().triggers.findIndex((t: { keyword: string }) => t.keyword === 'food')}])`,
    );
  });

  it('refuses a flow without a state the engine moves people to, naming the file and the state', () => {
    const def = main();
    def.states.categoriez = def.states.categories;
    delete def.states.categories;
    expect(errorsOf(def)).toContain('flows/main.json: states.categories: missing: the engine moves people to this state');
  });

  it('refuses an erase action that would match a word inside a sentence', () => {
    const def = main();
    const i = def.triggers.findIndex((t: { action: string }) => t.action === 'forget_ask');
    def.triggers[i].match = 'keyword';
    expect(errorsOf(def).some((e) => e.startsWith(`flows/main.json: triggers[${i}].match: action "forget_ask" erases: it must match the whole message`))).toBe(true);
  });

  it('refuses a danger or erase word that is an everyday word of another language, naming both files', () => {
    const fr = JSON.parse(fs.readFileSync(path.join(ROOT, 'flows/lang/fr.json'), 'utf8'));
    const pack = en();
    pack.crisis_phrases.push('quelle heure');
    pack.keywords.forget.push('merci');
    const errors = errorsOf(main(), [
      { file: 'flows/lang/en.json', data: pack },
      { file: 'flows/lang/fr.json', data: fr },
    ]);
    expect(errors.some((e) => e.startsWith(`flows/lang/en.json: crisis_phrases[${pack.crisis_phrases.length - 1}] "quelle heure" is an everyday word in flows/lang/fr.json (everyday)`))).toBe(true);
    expect(errors.some((e) => e.startsWith(`flows/lang/en.json: keywords.forget[${pack.keywords.forget.length - 1}] "merci" is an everyday word in flows/lang/fr.json (everyday): it would erase`))).toBe(true);
  });

  it('refuses a danger phrase that an everyday phrase of any language holds, unless a safe phrase covers it', () => {
    const pack = en();
    pack.crisis_phrases.push('is urgent');
    const held = (errors: string[]) => errors.some((e) => /flows\/lang\/en\.json: everyday\[\d+\] "it is urgent" would get the crisis reply: it holds "is urgent" \(flows\/lang\/en\.json crisis_phrases\)/.test(e));
    expect(held(errorsOf(main(), [{ file: 'flows/lang/en.json', data: pack }]))).toBe(true);
    pack.safe_phrases.push('it is urgent');
    expect(held(errorsOf(main(), [{ file: 'flows/lang/en.json', data: pack }]))).toBe(false);
  });
});
