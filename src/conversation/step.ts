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
import { FORGET_CONFIRM_MINUTES, TWILIO_OPT_IN, TWILIO_OPT_OUT } from './registry.ts';
import { CRISIS_LISTS, findDanger, type CrisisKind } from './danger.ts';
import { findPlace } from './places.ts';
import { openToday } from './today.ts';
import { openingStatus } from '../catalogue/opening-times.ts';
import { nearKeyword } from './suggest.ts';
import { Texts, categoryName, serviceDetails, serviceLabel } from './render.ts';
import type { CompiledKeywords, Effect, Flow, Input, Outcome, Session, StepContext, StepResult, TriggerDef } from './types.ts';

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
    optedOut: false,
    langOffer: null,
    eraseAskedAt: null,
    listed: null,
  };
}

/** A stored session that no longer fits the flow or catalogue is mended, not trusted. */
export function reviveSession(flow: Flow, raw: unknown, ctx: StepContext): Session {
  const fresh = newSession(flow);
  if (!raw || typeof raw !== 'object') return fresh;
  // Sessions stored before the subscriptions table became the one truth
  // carry their own copy of the reminders: dropped, the table has them.
  const { reminders: _old, ...kept } = raw as Partial<Session> & { reminders?: unknown };
  const s: Session = { ...fresh, ...kept };
  if (!flow.def.states[s.state]) s.state = s.city ? 'categories' : fresh.state;
  if (s.city && !CITIES.includes(s.city)) s.city = null;
  if (!flow.languages[s.lang]) s.lang = flow.defaultLang;
  if (s.category && !ctx.catalogue.categories.some((c) => c.id === s.category)) s.category = null;
  if (s.service && !findService(ctx.catalogue, s.service)) s.service = null;
  if ((s.state === 'services' && !s.category) || (s.state === 'service' && !s.service)) s.state = 'categories';
  if (s.state === 'categories' && !s.city) s.state = 'choose_city';
  if (!Array.isArray(s.pages)) s.pages = [];
  if (!Array.isArray(s.langOffer)) s.langOffer = null;
  s.optedOut = s.optedOut === true;
  if (typeof s.eraseAskedAt !== 'string') s.eraseAskedAt = null;
  if (!Array.isArray(s.listed) || (s.listed as unknown[]).some((id) => typeof id !== 'string' || !findService(ctx.catalogue, id))) s.listed = null;
  if (s.state === 'today' && !s.listed) s.state = s.city ? 'categories' : fresh.state;
  if (s.pending && (typeof s.pending !== 'object' || (s.pending.category !== null && typeof s.pending.category !== 'string'))) s.pending = null;
  return s;
}

interface Turn {
  matchers: CompiledKeywords;
  flow: Flow;
  ctx: StepContext;
  s: Session;
  tx: Texts;
  effects: Effect[];
  /** What the message came to, for the needs report (danger outranks the rest). */
  heard?: { outcome: Outcome; category: string };
  /** The message spoke of danger: which kind (its reply goes first). */
  crisis?: CrisisKind;
}

function heard(turn: Turn, outcome: Outcome, category: string): void {
  if (turn.heard?.outcome !== 'crisis') turn.heard = { outcome, category };
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
    case 'today':
      return (s.listed ?? []).flatMap((id) => {
        const service = findService(ctx.catalogue, id);
        return service ? [{ id, label: todayLabel(turn, service) }] : [];
      });
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
    if (def.menu === 'services') heard(turn, items.length ? 'answered' : 'nothing_listed', s.category ?? '');
    // The "open today" list of one category: services listed.
    if (def.menu === 'today' && s.category && items.length) heard(turn, 'answered', s.category);
    if (items.length === 0 && def.menu === 'services') return tx.t('no_services', vars);
    vars.menu = renderMenu(turn, items);
  }
  if (s.state === 'service' && s.service) {
    const service = findService(ctx.catalogue, s.service);
    if (service) vars.details = serviceDetails(tx, service, ctx.now, ctx.catalogue);
    if (service) heard(turn, 'answered', s.category ?? service.categories[0] ?? '');
  }
  if (def.menu === 'today' && s.category) return tx.t('today_category', vars);
  return tx.t(def.prompt ?? '', vars);
}

/** "Food bank, until 14:00": how a service stands today, for the "open today" list. */
function todayLabel(turn: Turn, service: import('../catalogue/types.ts').Service): string {
  const { tx, ctx } = turn;
  const name = serviceLabel(tx, service);
  const st = openingStatus(service, ctx.now);
  if (st.kind === 'open_now' && st.until) return tx.t('today_until', { name, time: st.until });
  if (st.kind === 'open_now' || st.kind === 'always') return tx.t('today_open', { name });
  if (st.kind === 'opens_today') return tx.t('today_from', { name, time: st.at });
  return tx.t('today_unknown', { name });
}

/** What is open today in the person's city (in one category, or all). */
function showToday(turn: Turn, category: string | null): string {
  const { s, tx, ctx } = turn;
  if (!s.city) {
    s.pending = { category, today: true };
    return enter(turn, 'choose_city');
  }
  const list = openToday(ctx.catalogue, s.city, category, ctx.now);
  s.category = category;
  s.service = null;
  if (list.entries.length === 0) {
    s.listed = null;
    if (category) heard(turn, offeredServices(ctx.catalogue, s.city, category).length ? 'answered' : 'nothing_listed', category);
    s.state = 'categories';
    const city = tx.city(s.city);
    if (!list.next) return tx.t('today_none_unknown', { city });
    const day = tx.day(list.next.weekday);
    const when = list.next.time ? `${day} ${list.next.time}` : day;
    return tx.t('today_none', { city, name: serviceLabel(tx, list.next.service), when });
  }
  s.listed = list.entries.map((e) => e.service.id);
  return enter(turn, 'today');
}

/** After the city is known: do what they asked for before we knew it. */
function resume(turn: Turn): string {
  const pending = turn.s.pending;
  turn.s.pending = null;
  if (!pending) return enter(turn, 'categories');
  if (pending.today) return showToday(turn, pending.category);
  return pending.category ? openCategory(turn, pending.category) : enter(turn, 'categories');
}

/** Move to a state and say what it says (following "next" at once). */
function enter(turn: Turn, state: string): string {
  const parts: string[] = [];
  let name = state;
  for (let hops = 0; hops < 10; hops++) {
    // A state that needs a city sends the person to choose one first.
    if ((name === 'categories' || name === 'services' || name === 'service' || name === 'today') && !turn.s.city) name = 'choose_city';
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
  turn.s.listed = null;
  return enter(turn, 'services');
}

function choose(turn: Turn, action: string, item: MenuItem): string {
  const { s } = turn;
  switch (action) {
    case 'set_city': {
      s.city = item.id as CityId;
      return resume(turn);
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
      if (s.pending && s.city) return `${said}\n${resume(turn)}`;
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
      return asksToday(turn, tokens) ? showToday(turn, trigger.category!) : openCategory(turn, trigger.category!);
    case 'today':
      return showToday(turn, null);
    default:
      throw new Error(`unregistered action ${trigger.action}`);
  }
}

/** A number typed in a state: a choice from its menu, or from the list just above it. */
function answerNumber(turn: Turn, n: number): string {
  const { flow, s, tx } = turn;
  const def = flow.def.states[s.state];
  // A service opened from the "open today" list goes back to that list.
  const back = s.state === 'service' && s.listed ? 'today' : def.back;
  if (n === 0) {
    if (back) return enter(turn, back);
    return prompt(turn);
  }
  // In a service's details, numbers still pick from the list of services.
  const menuState = def.menu ? s.state : back && flow.def.states[back].menu ? back : null;
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
  const firstContact = flow.def.states[s.state].next !== undefined;
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
  // Opted out by their STOP (the session) or by Twilio's 21610 (the store).
  if (tokens.length === 1 && TWILIO_OPT_IN.includes(tokens[0]) && (s.optedOut || ctx.reminders?.optedOut)) {
    s.optedOut = false;
    const count = ctx.reminders?.list.length ?? 0;
    return { session: s, replies: [finalText(turn, tx.t('opted_in', { count }))], effects: [{ type: 'opt_in' }] };
  }

  // Danger phrases of every language count, whatever language we think they
  // use (danger.ts says why that is safe): the crisis numbers come first.
  turn.crisis = findDanger(flow.danger, tokens)?.kind;
  const crisis = turn.crisis && crisisTemplate(flow, turn.crisis);
  if (crisis) {
    replies.push(tx.t(crisis));
    heard(turn, 'crisis', 'crisis');
  }

  const whole = tokens.join(' ');
  const findTrigger = () =>
    pickMatch(flow.def.triggers, (t) => {
      const phrases = turn.matchers.keywords.get(t.keyword);
      // Words that erase match only the whole message, exactly: never inside a sentence.
      if (t.match === 'whole') return phrases?.some((p) => p.join(' ') === whole) ? 2 : 0;
      return keywordQuality(tokens, phrases);
    });
  let trigger = findTrigger();
  const number = parseMenuNumber(norm);
  // A city or postcode in the message ("food portsmouth", "PO4 0AB", "in southampton").
  const place = number === null ? findPlace(flow.places, norm, tokens) : null;

  // Not understood in their language: is it clearly written in another one?
  if (!trigger && number === null && s.state !== 'choose_lang' && !(place && place.words === tokens.length)) {
    const found = detectLanguage(flow, tokens, text, s.lang);
    if (found && 'pick' in found) {
      useLanguage(turn, found.pick);
      trigger = found.trigger ?? findTrigger();
      if (crisis) replies[0] = turn.tx.t(crisis);
    } else if (found && 'offer' in found) {
      // LANG in a word several languages share: list them all, as LANG does.
      s.langOffer = found.trigger?.action === 'goto' && found.trigger.state === 'choose_lang' ? null : found.offer;
      if (found.trigger?.action === 'open_category') s.pending = { category: found.trigger.category! };
      if (place && 'city' in place) s.city = place.city;
      return finish(turn, replies, enter(turn, 'choose_lang'));
    }
  }
  // Erasing asks first; only FORGET YES within a few minutes of that erases.
  const askedAt = s.eraseAskedAt ? Date.parse(s.eraseAskedAt) : NaN;
  s.eraseAskedAt = null;
  if (trigger?.action === 'forget') {
    const age = ctx.now.getTime() - askedAt;
    if (age >= 0 && age <= FORGET_CONFIRM_MINUTES * 60_000) {
      turn.s = newSession(flow);
      return unpaged(turn, [...replies, turn.tx.t('forget_done')], [{ type: 'forget' }]);
    }
  }
  if (trigger?.action === 'forget' || trigger?.action === 'forget_ask') {
    s.eraseAskedAt = ctx.now.toISOString();
    s.pages = [];
    return unpaged(turn, [...replies, turn.tx.t('forget_ask', { minutes: FORGET_CONFIRM_MINUTES })], []);
  }

  const seeksPlace = !trigger || trigger.action === 'open_category' || trigger.action === 'today';
  const trailing: string[] = [];
  let main: string;
  if (trigger?.action === 'more') {
    // Pages were cut with their "Reply MORE" line already on all but the last.
    const page = s.pages.shift();
    // The page is final text already: only the crisis reply before it is made so.
    const result = unpaged(turn, replies, []);
    result.replies.push(page ?? finalText(turn, turn.tx.t('no_more')));
    return result;
  } else if (place && 'outside' in place && seeksPlace) {
    // Never a guess: say where Waymark works.
    main = turn.tx.t('outside_area');
  } else if (place && 'city' in place && s.state === 'choose_lang' && place.words === tokens.length) {
    // Asked which language, they named their city: remember it; their spelling may say the language.
    s.city = place.city;
    const likely = place.langs.filter((c) => !s.langOffer || s.langOffer.includes(c));
    if (likely.length === 1 && likely[0] !== s.lang) {
      useLanguage(turn, likely[0]);
      s.langOffer = null;
      main = `${turn.tx.t('lang_set')}\n${resume(turn)}`;
    } else main = prompt(turn);
  } else if (place && 'city' in place && seeksPlace) {
    // The city is remembered (never the postcode), and what they asked for is answered at once.
    s.city = place.city;
    s.state = 'categories';
    if (trigger) main = runTrigger(turn, trigger, tokens)!;
    else if (firstContact) main = `${turn.tx.t(flow.def.states[flow.def.start].enter ?? 'welcome')}\n${resume(turn)}`;
    else main = resume(turn);
  } else if (firstContact && trigger?.action === 'goto' && trigger.state === 'choose_lang') {
    main = enter(turn, 'choose_lang');
  } else if (firstContact) {
    // First message: welcome and city first; remember what they asked for.
    if (trigger?.action === 'open_category') {
      s.pending = { category: trigger.category!, ...(asksToday(turn, tokens) ? { today: true } : {}) };
    } else if (trigger?.action === 'today') s.pending = { category: null, today: true };
    main = enter(turn, s.state);
    // The welcome is in English: say, in their own scripts, how to get another language.
    if (turn.tx.lang === flow.defaultLang) trailing.push(turn.tx.t('welcome_lang'));
  } else if (trigger) {
    main = runTrigger(turn, trigger, tokens)!;
  } else if (number !== null) {
    main = answerNumber(turn, number);
  } else if (turn.crisis) {
    main = prompt(turn);
  } else if (input.mediaOnly && !tokens.length) {
    main = turn.tx.t('media_only');
  } else if (!tokens.length) {
    main = turn.tx.t('empty');
  } else {
    const near = nearKeyword(flow, turn.matchers, tokens);
    main = near ? turn.tx.t('did_you_mean', { word: near }) : turn.tx.t(flow.def.fallback);
    heard(turn, 'not_understood', '');
  }
  return finish(turn, replies, main, trailing);
}

/** The crisis reply for a message that speaks of danger, or null: for when no conversation runs (flood control). */
export function crisisReply(flow: Flow, lang: string, text: string): string | null {
  const danger = findDanger(flow.danger, tokenize(normalizeText(text.slice(0, 2000))));
  if (!danger) return null;
  const tx = new Texts(flow, lang);
  const reply = tx.t(crisisTemplate(flow, danger.kind));
  return isRtl(tx.lang) ? isolateLtr(reply) : reply;
}

/** Right-to-left languages get their numbers isolated; the segment count includes the marks. */
function finalText(turn: Turn, text: string): string {
  return isRtl(turn.tx.lang) ? isolateLtr(text) : text;
}

function finish(turn: Turn, replies: string[], main: string, trailing: string[] = []): StepResult {
  const pages = paginate(finalText(turn, main), { moreLine: finalText(turn, turn.tx.t('more_line')) });
  turn.s.pages = pages.slice(1);
  const result = unpaged(turn, replies, turn.effects);
  result.replies.push(pages[0], ...trailing);
  return result;
}

/** The result with these replies as they are (no paging), the danger heard and what the message came to. */
function unpaged(turn: Turn, replies: string[], effects: Effect[]): StepResult {
  const result: StepResult = { session: turn.s, replies: replies.map((r) => finalText(turn, r)), effects };
  if (turn.crisis) result.crisis = turn.crisis;
  if (turn.heard) Object.assign(result, turn.heard);
  return result;
}

/** The reply for each kind of danger heard. */
function crisisTemplate(flow: Flow, kind: CrisisKind): string {
  return kind === 'crisis' ? flow.def.safety.template : CRISIS_LISTS[kind].template;
}

/** "FOOD TODAY", "food open now": the need, and only what is open today. */
function asksToday(turn: Turn, tokens: string[]): boolean {
  return keywordQuality(tokens, turn.matchers.keywords.get('today')) === 2;
}
