// Turning catalogue facts into short replies, in the person's language.
// A fact we do not know is said plainly ("times not confirmed"), never left blank.
import { isFrozenCatalogue } from '../catalogue/freeze.ts';
import { remindable } from '../catalogue/offered.ts';
import { WEEKDAYS, type Catalogue, type CityId, type DoubtField, type Service, type TranslatedField, type Weekday } from '../catalogue/types.ts';
import { openingStatus, weeklySummary } from '../catalogue/opening-times.ts';
import { oldFacts, type OldFacts } from '../catalogue/evidence.ts';
import type { Flow, LanguagePack } from './types.ts';
import { DEFAULT_FRESH_DAYS, freshness, freshnessText } from '../freshness/line.ts';

/** A template split once into [text, key, text, key, …, text] (every message renders several). */
const PARTS = new Map<string, string[]>();
function templateParts(template: string): string[] {
  let parts = PARTS.get(template);
  if (!parts) {
    parts = template.split(/\{([a-z_]+)\}/);
    if (PARTS.size < 10_000) PARTS.set(template, parts);
  }
  return parts;
}

export class Texts {
  readonly pack: LanguagePack;
  private readonly en: LanguagePack;
  /** FRESH_DAYS: a confirmation with the organisation older than this is not "Checked". */
  readonly freshDays: number;
  constructor(flow: Flow, lang: string) {
    this.en = flow.languages[flow.defaultLang];
    this.freshDays = flow.freshDays ?? DEFAULT_FRESH_DAYS;
    this.pack = flow.languages[lang] ?? this.en;
  }

  get lang(): string {
    return this.pack.language.code;
  }

  t(name: string, vars?: Record<string, string | number>): string {
    const template = this.pack.templates[name] ?? this.en.templates[name] ?? name;
    if (!template.includes('{')) return template;
    const parts = templateParts(template);
    let out = parts[0];
    for (let i = 1; i < parts.length; i += 2) {
      const key = parts[i];
      out += (vars && key in vars ? String(vars[key]) : `{${key}}`) + parts[i + 1];
    }
    return out;
  }

  day(d: Weekday): string {
    return this.pack.days[d] ?? this.en.days[d];
  }

  dayShort(d: Weekday): string {
    return this.pack.days_short[d] ?? this.en.days_short[d];
  }

  city(c: CityId): string {
    return this.pack.cities[c] ?? this.en.cities[c];
  }

  access(a: string): string {
    return this.pack.access[a] ?? this.en.access[a] ?? a;
  }

  /** A catalogue text in this language where staff gave one, else English. */
  field(translations: Service['translations'], field: TranslatedField, english: string): string {
    return translations?.[this.lang]?.[field] ?? english;
  }
}

const NOTHING_OLD: OldFacts = { info: null, times: null, place: null, offers: [] };

const DAY_ORDER: readonly Weekday[] = WEEKDAYS;

/** MO,TU,WE,TH,FR → "Mon-Fri"; MO,TH → "Mon, Thu". */
export function dayRange(tx: Texts, days: Weekday[]): string {
  const idx = days.map((d) => DAY_ORDER.indexOf(d)).sort((a, b) => a - b);
  const runs: number[][] = [];
  for (const i of idx) {
    const run = runs[runs.length - 1];
    if (run && run[run.length - 1] === i - 1) run.push(i);
    else runs.push([i]);
  }
  return runs
    .map((r) =>
      r.length >= 3
        ? `${tx.dayShort(DAY_ORDER[r[0]])}-${tx.dayShort(DAY_ORDER[r[r.length - 1]])}`
        : r.map((i) => tx.dayShort(DAY_ORDER[i])).join(', '),
    )
    .join(', ');
}

export function weeklyText(tx: Texts, service: Service): string {
  if (service.always_open) return tx.t('open_always');
  const groups = weeklySummary(service);
  if (!service.schedules || groups.length === 0) return unknownTimes(tx, service);
  return groups
    .map((g) => {
      const days = dayRange(tx, g.days);
      if (g.opens_at && g.closes_at) return tx.t('weekly_times', { days, opens: g.opens_at, closes: g.closes_at });
      if (g.opens_at) return tx.t('weekly_from', { days, opens: g.opens_at });
      return tx.t('weekly_times_unknown', { days });
    })
    .join('; ');
}

/**
 * Times we do not know, with what to do about it for this kind of service:
 * phone first when there is a phone, ask before travelling when there is a
 * place to travel to, else only that they are not confirmed.
 */
function unknownTimes(tx: Texts, service: Service): string {
  if (service.phones?.length) return tx.t('times_unknown');
  if (service.location) return tx.t('times_unknown_dropin');
  return tx.t('times_unconfirmed');
}

/** "Open now until 14:00", "Opens today at 10:00", "Next: Thursday 10:00"… or null. */
export function statusText(tx: Texts, service: Service, now: Date): string | null {
  const st = openingStatus(service, now);
  switch (st.kind) {
    case 'always':
      return null; // the weekly line already says 24 hours
    case 'unknown':
      return null;
    case 'open_now':
      return st.until ? tx.t('open_now_until', { time: st.until }) : tx.t('open_now');
    case 'opens_today':
      return tx.t('opens_today', { time: st.at });
    case 'today_times_unknown':
      return tx.t('today_times_unknown');
    case 'next':
      return st.at ? tx.t('next_at', { day: tx.day(st.weekday), time: st.at }) : tx.t('next_unknown', { day: tx.day(st.weekday) });
    case 'closed_until_further_notice':
      return tx.t('closed_for_now');
  }
}

/** "St Luke's Church hall, Greetham Street, Southsea", postcode last; or that it is not confirmed. */
export function whereText(tx: Texts, service: Service): string {
  const loc = service.location;
  if (!loc) return tx.t(service.phones?.length ? 'address_unknown' : 'address_unconfirmed');
  return [loc.name, loc.address, loc.postcode ?? ''].filter(Boolean).join(', ');
}

export function serviceDays(tx: Texts, service: Service): string {
  const days = new Set<Weekday>();
  for (const r of service.schedules ?? []) for (const d of r.byday) days.add(d);
  return dayRange(tx, [...days]);
}

function stripScheme(url: string): string {
  return url.replace(/^https?:\/\//, '').replace(/\/$/, '');
}

/**
 * "Times from 2016": what the reply rests on that only pages over a year
 * old say; or null when nothing is that old. Parts of the freshness line's
 * year ("Not confirmed since 2019: phone first") are left to that line, and
 * so is the advice.
 */
function oldFactsText(tx: Texts, catalogue: Catalogue, old: OldFacts, freshYear: string | null): string | null {
  const parts: string[] = [];
  old = dropYear(old, freshYear);
  // "Info from 2019" covers the times and place of the same year.
  if (old.info) parts.push(tx.t('old_info', { year: old.info }));
  const times = old.times !== old.info ? old.times : null;
  const place = old.place !== old.info ? old.place : null;
  if (times && times === place) parts.push(tx.t('old_times_place', { year: times }));
  else {
    if (times) parts.push(tx.t('old_times', { year: times }));
    if (place) parts.push(tx.t('old_place', { year: place }));
  }
  for (const o of old.offers)
    if (o.year !== old.info) parts.push(tx.t('old_offer', { category: categoryName(tx, catalogue, o.category), year: o.year }));
  return parts.length === 0 ? null : parts.join('; ');
}

function dropYear(old: OldFacts, year: string | null): OldFacts {
  const keep = (y: string | null) => (y === year ? null : y);
  return { info: keep(old.info), times: keep(old.times), place: keep(old.place), offers: old.offers.filter((o) => o.year !== year) };
}

/** A doubt the catalogue holds about the place or the times, in the person's language where staff gave one. */
function doubtLine(tx: Texts, service: Service, field: DoubtField): string | null {
  const d = service.doubts?.[field];
  return d ? tx.t('line_check', { text: tx.field(service.translations, `doubt_${field}`, d.text) }) : null;
}

// The details of a service change only with the catalogue, the language and
// the minute (opening times are in minutes): for the live (frozen)
// catalogue they are kept for the current minute.
const detailsMemo = new WeakMap<Catalogue, { minute: number; texts: Map<string, string> }>();

export function serviceDetails(tx: Texts, service: Service, now: Date, catalogue: Catalogue): string {
  if (!isFrozenCatalogue(catalogue)) return serviceDetailsNow(tx, service, now, catalogue);
  const minute = Math.floor(now.getTime() / 60_000);
  let m = detailsMemo.get(catalogue);
  if (!m || m.minute !== minute) detailsMemo.set(catalogue, (m = { minute, texts: new Map() }));
  const key = `${tx.freshDays}|${service.id}`;
  const byPack = packKey(tx);
  let text = m.texts.get(byPack + key);
  if (text === undefined) m.texts.set(byPack + key, (text = serviceDetailsNow(tx, service, now, catalogue)));
  return text;
}

/** Language packs are objects of one flow; a number for each, so that two flows never share a key. */
const packIds = new WeakMap<object, number>();
let packCount = 0;
function packKey(tx: Texts): string {
  let id = packIds.get(tx.pack);
  if (id === undefined) packIds.set(tx.pack, (id = ++packCount));
  return `${id}|`;
}

function serviceDetailsNow(tx: Texts, service: Service, now: Date, catalogue: Catalogue): string {
  const tr = service.translations;
  const lines: string[] = [tx.field(tr, 'name', service.name), tx.field(tr, 'description', service.description)];
  lines.push(
    tx.t('line_for', {
      text: service.eligibility ? tx.field(tr, 'eligibility', service.eligibility) : tx.t('eligibility_unknown'),
    }),
  );
  lines.push(tx.t('line_open', { text: weeklyText(tx, service) }));
  // Confirmed with the organisation lately: the pages' age no longer matters.
  const fresh = freshness(catalogue, service, now, tx.freshDays);
  const old = fresh.confirmed ? NOTHING_OLD : oldFacts(catalogue, service, now);
  // Times from an old page are not shown as "Open now": only a closure still is.
  const status = statusText(tx, service, now);
  if (status && (!old.times || openingStatus(service, now).kind === 'closed_until_further_notice')) lines.push(tx.t('line_now', { text: status }));
  const oldText = oldFactsText(tx, catalogue, old, fresh.confirmed ? null : fresh.year);
  if (oldText) lines.push(oldText);
  const whenDoubt = doubtLine(tx, service, 'schedules');
  if (whenDoubt) lines.push(whenDoubt);
  // A national phone line has no place to go to: no "Where" line at all.
  if (service.location || service.area !== 'national') lines.push(tx.t('line_where', { text: whereText(tx, service) }));
  const whereDoubt = doubtLine(tx, service, 'location');
  if (whereDoubt) lines.push(whereDoubt);
  if (service.phones?.length) {
    const phones = service.phones.map((p) => (p.note ? `${p.number} (${p.note})` : p.number)).join('; ');
    lines.push(tx.t('line_phone', { text: phones }));
  } else {
    lines.push(tx.t('line_phone', { text: tx.t('phone_unknown') }));
  }
  if (service.url) lines.push(tx.t('line_web', { text: stripScheme(service.url) }));
  const how = service.access_note
    ? tx.field(tr, 'access_note', service.access_note)
    : service.access?.length
      ? service.access.map((a) => tx.access(a)).join(', ')
      : null;
  if (how) lines.push(tx.t('line_how', { text: how }));
  if (remindable(service)) lines.push(tx.t('remind_hint'));
  // Last: how fresh all of the above is ("Checked: Dec 2026", "Not confirmed since 2019: phone first").
  lines.push(freshnessText(tx, fresh, service));
  return lines.join('\n');
}

export function categoryName(tx: Texts, catalogue: Catalogue, id: string): string {
  const own = tx.pack.categories?.[id];
  if (own) return own;
  return catalogue.categories.find((c) => c.id === id)?.name ?? id;
}

export function serviceLabel(tx: Texts, service: Service): string {
  const tr = service.translations;
  return tx.field(tr, 'name', service.name);
}
