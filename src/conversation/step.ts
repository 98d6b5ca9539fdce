// The conversation engine. Pure: given a person's session, their message, the
// catalogue and the time, it returns the new session, the replies and the
// effects for the host to carry out. No I/O, no clock, no randomness.
import { CITY_IDS, type CityId } from '../catalogue/types.ts';
import { categoriesFor, findService, offeredServices } from '../catalogue/offered.ts';
import { paginate } from '../text/segments.ts';
import { normalizeText, parseMenuNumber, tokenize } from '../text/normalize.ts';
import { keywordQuality, pickMatch } from './matchers.ts';
import { listReminders, remind, remindOff } from './reminder-actions.ts';
import { detectLanguage, isRtl, isolateLtr } from './language.ts';
import { TWILIO_OPT_IN, TWILIO_OPT_OUT } from './registry.ts';
import { Texts, categoryName, serviceDetails, serviceLabel } from './render.ts';
import type { CompiledKeywords, Effect, Flow, Input, Session, StepContext, StepResult, TriggerDef } from './types.ts';

const CITIES: readonly CityId[] = CITY_IDS;

export function newSession(flow: Flow): Session {
  return {
    v: 1,
    state: flow.def.start,
    city: null,
    lang: flow.defaultLang,
    category: null,
    service: null,
    pages: [],
    pending: null,
    lastSeen: null,
    channel: null,
    reminders: [],
    optedOut: false,
    langOffer: null,
  };
}

/** A stored session that no longer fits the flow or catalogue is mended, not trusted. */
export function reviveSession(flow: Flow, raw: unknown, ctx: StepContext): Session {
  const fresh = newSession(flow);
  if (!raw || typeof raw !== 'object') return fresh;
  const s = { ...fresh, ...(raw as Partial<Session>) };
  if (!flow.def.states[s.state]) s.state = s.city ? 'categories' : fresh.state;
  if (s.city && !CITIES.includes(s.city)) s.city = null;
  if (!flow.languages[s.lang]) s.lang = flow.defaultLang;
  if (s.category && !ctx.catalogue.categories.some((c) => c.id === s.category)) s.category = null;
  if (s.service && !findService(ctx.catalogue, s.service)) s.service = null;
  if ((s.state === 'services' && !s.category) || (s.state === 'service' && !s.service)) s.state = 'categories';
  if (s.state === 'categories' && !s.city) s.state = 'choose_city';
  if (!Array.isArray(s.pages)) s.pages = [];
  if (!Array.isArray(s.reminders)) s.reminders = [];
  if (!Array.isArray(s.langOffer)) s.langOffer = null;
  s.optedOut = s.optedOut === true;
  return s;
}

interface Turn {
  matchers: CompiledKeywords;
  flow: Flow;
  ctx: StepContext;
  s: Session;
  tx: Texts;
  effects: Effect[];
}

/** Switch the turn to another language: texts and keywords. */
function useLanguage(turn: Turn, code: string): void {
  turn.s.lang = code;
  turn.tx = new Texts(turn.flow, code);
  turn.matchers = turn.flow.matchers[code] ?? turn.flow.matchers[turn.flow.defaultLang];
}

type MenuItem = { id: string; label: string };

function menuItems(turn: Turn, menu: string): MenuItem[] {
  const { s, tx, ctx } = turn;
  switch (menu) {
    case 'cities':
      return CITIES.map((c) => ({ id: c, label: tx.city(c) }));
    case 'categories':
      return s.city ? categoriesFor(ctx.catalogue, s.city).map((c) => ({ id: c.id, label: categoryName(tx, ctx.catalogue, c.id) })) : [];
    case 'languages': {
      // Offered after a guess: the likely ones and English (LANG lists them all).
      const all = Object.keys(turn.flow.languages);
      const codes = s.langOffer?.length ? [...s.langOffer, turn.flow.defaultLang].filter((c, i, a) => turn.flow.languages[c] && a.indexOf(c) === i) : all;
      return codes.map((c) => ({ id: c, label: turn.flow.languages[c].language.name }));
    }
    case 'services':
      return s.city && s.category
        ? offeredServices(ctx.catalogue, s.city, s.category).map((x) => ({ id: x.id, label: serviceLabel(tx, x) }))
        : [];
    default:
      return [];
  }
}

function renderMenu(turn: Turn, items: MenuItem[]): string {
  return items.map((it, i) => turn.tx.t('menu_item', { n: i + 1, label: it.label })).join('\n');
}

/** The state's own text: its prompt with the menu or details filled in. */
function prompt(turn: Turn): string {
  const { s, tx, ctx, flow } = turn;
  const def = flow.def.states[s.state];
  const vars: Record<string, string> = {
    city: s.city ? tx.city(s.city) : '',
    category: s.category ? categoryName(tx, ctx.catalogue, s.category) : '',
  };
  if (def.menu === 'languages' && s.langOffer?.length) {
    // Asked in the language we think they write, not in English.
    const likely = new Texts(flow, s.langOffer[0]);
    return likely.t(def.prompt ?? '', { menu: renderMenu(turn, menuItems(turn, def.menu)) });
  }
  if (def.menu) {
    const items = menuItems(turn, def.menu);
    if (items.length === 0 && def.menu === 'services') return tx.t('no_services', vars);
    vars.menu = renderMenu(turn, items);
  }
  if (s.state === 'service' && s.service) {
    const service = findService(ctx.catalogue, s.service);
    if (service) vars.details = serviceDetails(tx, service, ctx.now, ctx.catalogue);
  }
  return tx.t(def.prompt ?? '', vars);
}

/** Move to a state and say what it says (following "next" at once). */
function enter(turn: Turn, state: string): string {
  const parts: string[] = [];
  let name = state;
  for (let hops = 0; hops < 10; hops++) {
    // A state that needs a city sends the person to choose one first.
    if ((name === 'categories' || name === 'services' || name === 'service') && !turn.s.city) name = 'choose_city';
    turn.s.state = name;
    const def = turn.flow.def.states[name];
    if (def.enter) parts.push(turn.tx.t(def.enter));
    if (!def.next) break;
    name = def.next;
  }
  parts.push(prompt(turn));
  return parts.join('\n');
}

function openCategory(turn: Turn, category: string): string {
  if (!turn.s.city) {
    turn.s.pending = { category };
    return enter(turn, 'choose_city');
  }
  turn.s.category = category;
  turn.s.service = null;
  return enter(turn, 'services');
}

function choose(turn: Turn, action: string, item: MenuItem): string {
  const { s } = turn;
  switch (action) {
    case 'set_city': {
      s.city = item.id as CityId;
      const pending = s.pending;
      s.pending = null;
      return pending ? openCategory(turn, pending.category) : enter(turn, 'categories');
    }
    case 'open_category':
      return openCategory(turn, item.id);
    case 'open_service':
      s.service = item.id;
      return enter(turn, 'service');
    case 'set_lang': {
      useLanguage(turn, item.id);
      s.langOffer = null;
      const said = turn.tx.t('lang_set');
      const pending = s.pending;
      if (pending && s.city) {
        s.pending = null;
        return `${said}\n${openCategory(turn, pending.category)}`;
      }
      if (!s.city) return `${said}\n${enter(turn, turn.flow.def.start)}`;
      return `${said}\n${enter(turn, 'categories')}`;
    }
    default:
      throw new Error(`unregistered choose action ${action}`);
  }
}

function runTrigger(turn: Turn, trigger: TriggerDef, tokens: string[]): string | null {
  const { tx } = turn;
  const has = (keyword: string) => keywordQuality(tokens, turn.matchers.keywords.get(keyword)) === 2;
  switch (trigger.action) {
    case 'remind': {
      if (has('off')) {
        const n = tokens.find((t) => /^\d{1,2}$/.test(t));
        return remindOff(turn, n === undefined ? null : Number(n));
      }
      return remind(turn, has('evening') ? 'evening' : 'morning');
    }
    case 'list_reminders':
      return listReminders(turn);
    case 'more':
      return null; // handled by the caller: it must not reset the pages
    case 'goto':
      return enter(turn, trigger.state!);
    case 'reply':
      return tx.t(trigger.template!);
    case 'open_category':
      return openCategory(turn, trigger.category!);
    default:
      throw new Error(`unregistered action ${trigger.action}`);
  }
}

/** A number typed in a state: a choice from its menu, or from the list just above it. */
function answerNumber(turn: Turn, n: number): string {
  const { flow, s, tx } = turn;
  const def = flow.def.states[s.state];
  if (n === 0) {
    if (def.back) return enter(turn, def.back);
    return prompt(turn);
  }
  // In a service's details, numbers still pick from the list of services.
  const menuState = def.menu ? s.state : def.back && flow.def.states[def.back].menu ? def.back : null;
  if (!menuState) return `${tx.t('no_menu')}`;
  const menuDef = flow.def.states[menuState];
  const items = menuItems(turn, menuDef.menu!);
  if (n >= 1 && n <= items.length) return choose(turn, menuDef.choose!, items[n - 1]);
  if (menuState !== s.state) s.state = menuState;
  return `${tx.t('bad_number', { max: items.length })}\n${prompt(turn)}`;
}

export function step(flow: Flow, session: Session | null, input: Input, ctx: StepContext): StepResult {
  const s: Session = session ? { ...session, pages: [...session.pages] } : newSession(flow);
  s.lastSeen = ctx.now.toISOString();
  s.channel = input.channel;
  const tx = new Texts(flow, s.lang);
  const matchers = flow.matchers[tx.lang] ?? flow.matchers[flow.defaultLang];
  const turn: Turn = { matchers, flow, ctx, s, tx, effects: [] };

  const text = input.text.length > 2000 ? input.text.slice(0, 2000) : input.text;
  // New, or still in a pass-through state (their first message was STOP).
  const isNew = !session || flow.def.states[s.state].next !== undefined;
  const norm = normalizeText(text);
  const tokens = tokenize(norm);
  const replies: string[] = [];

  // Twilio's own opt-out words: Twilio blocks every message to the number
  // after one, so we record it and send nothing (Twilio confirms it itself).
  if (tokens.length === 1 && TWILIO_OPT_OUT.includes(tokens[0])) {
    s.optedOut = true;
    s.pages = [];
    return { session: s, replies: [], effects: [{ type: 'opt_out' }] };
  }
  if (tokens.length === 1 && TWILIO_OPT_IN.includes(tokens[0]) && s.optedOut) {
    s.optedOut = false;
    return { session: s, replies: [finalText(turn, tx.t('opted_in', { count: s.reminders.length }))], effects: [{ type: 'opt_in' }] };
  }

  // Typos are forgiven in danger words only from 6 letters: shorter ones sit
  // one letter away from everyday words (Turkish "acil"/"acik").
  // Danger words of every language count, whatever language we think they use.
  const inDanger = keywordQuality(tokens, flow.crisisAll, 6) > 0;
  if (inDanger) replies.push(tx.t(flow.def.safety.template));

  const findTrigger = () =>
    pickMatch(flow.def.triggers, (t) => {
      // FORGET erases everything: only when it is (nearly) all the message says.
      if (t.alone && tokens.length > 3) return 0;
      return keywordQuality(tokens, turn.matchers.keywords.get(t.keyword));
    });
  let trigger = findTrigger();
  const number = parseMenuNumber(norm);

  // Not understood in their language: is it written in another one?
  if (!trigger && number === null && s.state !== 'choose_lang') {
    const found = detectLanguage(flow, tokens, text, s.lang);
    if (found && 'pick' in found) {
      useLanguage(turn, found.pick);
      trigger = found.trigger ?? findTrigger();
      if (inDanger) replies[0] = turn.tx.t(flow.def.safety.template);
    } else if (found && 'offer' in found) {
      s.langOffer = found.offer;
      if (found.trigger?.action === 'open_category') s.pending = { category: found.trigger.category! };
      return finish(turn, replies, enter(turn, 'choose_lang'));
    }
  }
  if (trigger?.action === 'forget') {
    const fresh = newSession(flow);
    return { session: fresh, replies: [...replies, turn.tx.t('forget_done')].map((r) => finalText(turn, r)), effects: [{ type: 'forget' }] };
  }

  let main: string;
  if (trigger?.action === 'more') {
    // Pages were cut with their "Reply MORE" line already on all but the last.
    const page = s.pages.shift();
    return { session: s, replies: [...replies.map((r) => finalText(turn, r)), page ?? finalText(turn, turn.tx.t('no_more'))], effects: [] };
  } else if (isNew && flow.def.states[s.state].next) {
    // First message: welcome and city first; remember what they asked for.
    if (trigger?.action === 'open_category') s.pending = { category: trigger.category! };
    main = enter(turn, s.state);
  } else if (trigger) {
    main = runTrigger(turn, trigger, tokens)!;
  } else if (number !== null) {
    main = answerNumber(turn, number);
  } else if (inDanger) {
    main = prompt(turn);
  } else if (input.mediaOnly && !tokens.length) {
    main = turn.tx.t('media_only');
  } else if (!tokens.length) {
    main = turn.tx.t('empty');
  } else {
    main = turn.tx.t(flow.def.fallback);
  }
  return finish(turn, replies, main);
}

/** Right-to-left languages get their numbers isolated; the segment count includes the marks. */
function finalText(turn: Turn, text: string): string {
  return isRtl(turn.tx.lang) ? isolateLtr(text) : text;
}

function finish(turn: Turn, replies: string[], main: string): StepResult {
  const pages = paginate(finalText(turn, main), { moreLine: finalText(turn, turn.tx.t('more_line')) });
  turn.s.pages = pages.slice(1);
  return { session: turn.s, replies: [...replies.map((r) => finalText(turn, r)), pages[0]], effects: turn.effects };
}
