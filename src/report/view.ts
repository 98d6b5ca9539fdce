// What the report shows, with small numbers hidden. Pure.
//
// The counters (the CSV's rows) are the finest cells; every other figure is a
// sum of them. A figure under 5 is shown as "<5". A sum is shown exactly only
// when, in each of its groups of one week, city, category and outcome, the
// cells hidden as "<5" add up to 0 or to 5 or more: otherwise subtracting the
// rows shown from it would give back a hidden number, so it is shown as "5+".
// No grand total is given.
import type { CountRow, Outcome } from './types.ts';
import { weeksBetween } from './week.ts';

export const SMALL = 5;

/** A figure as published: exact, under 5, or at least 5 (exact would reveal a hidden cell). */
export type Shown = { kind: 'exact'; n: number } | { kind: 'small' } | { kind: 'atLeast' };

export function label(s: Shown): string {
  return s.kind === 'exact' ? String(s.n) : s.kind === 'small' ? '<5' : '5+';
}

export function cellShown(people: number): Shown {
  return people < SMALL ? { kind: 'small' } : { kind: 'exact', n: people };
}

const groupKey = (r: CountRow) => `${r.week}|${r.city}|${r.category}|${r.outcome}`;

/** A sum of counters, published safely. */
export function sumShown(rows: CountRow[]): Shown {
  const total = rows.reduce((a, r) => a + r.people, 0);
  if (total < SMALL) return { kind: 'small' };
  const hidden = new Map<string, number>();
  for (const r of rows) if (r.people < SMALL) hidden.set(groupKey(r), (hidden.get(groupKey(r)) ?? 0) + r.people);
  for (const h of hidden.values()) if (h > 0 && h < SMALL) return { kind: 'atLeast' };
  return { kind: 'exact', n: total };
}

export interface ReportView {
  weeks: string[];
  /** Rows of the chart and its table: categories (in catalogue order, then the rest). */
  categories: Array<{ id: string; name: string; perWeek: Shown[] }>;
  /** Categories and cities with nothing listed, most asked first. */
  unmet: Array<{ city: string; category: string; name: string; people: Shown }>;
  /** The counters, as the CSV gives them. */
  cells: Array<CountRow & { shown: Shown }>;
}

export interface ViewOptions {
  from: string;
  to: string;
  /** null: every city. */
  city: string | null;
  categoryNames: Map<string, string>;
}

/** '' (not understood) and the categories the catalogue no longer has are named plainly. */
export function categoryLabel(id: string, names: Map<string, string>): string {
  if (id === '') return 'Not understood';
  if (id === 'crisis') return `${names.get('crisis') ?? 'Crisis'} (and danger words)`;
  return names.get(id) ?? id;
}

export function buildView(all: CountRow[], o: ViewOptions): ReportView {
  const weeks = weeksBetween(o.from, o.to);
  const rows = all.filter((r) => r.week >= o.from && r.week <= o.to && (o.city === null || r.city === o.city));
  const order = [...o.categoryNames.keys()];
  const rank = (id: string) => (id === '' ? order.length + 1 : order.indexOf(id) === -1 ? order.length : order.indexOf(id));
  const ids = [...new Set(rows.map((r) => r.category))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const categories = ids.map((id) => ({
    id,
    name: categoryLabel(id, o.categoryNames),
    perWeek: weeks.map((w) => {
      const inCell = rows.filter((r) => r.category === id && r.week === w);
      return inCell.length ? sumShown(inCell) : ({ kind: 'exact', n: 0 } as Shown);
    }),
  }));
  const needs = new Map<string, CountRow[]>();
  for (const r of rows) {
    if (r.outcome !== ('nothing_listed' satisfies Outcome)) continue;
    const k = `${r.city}|${r.category}`;
    needs.set(k, [...(needs.get(k) ?? []), r]);
  }
  const unmet = [...needs.entries()]
    .map(([k, list]) => {
      const [city, category] = k.split('|');
      return { city, category, name: categoryLabel(category, o.categoryNames), people: sumShown(list), raw: list.reduce((a, r) => a + r.people, 0) };
    })
    // Most asked first, by what is shown (hidden figures sort as their floor, never by their exact value).
    .sort((a, b) => floor(b.people) - floor(a.people) || a.city.localeCompare(b.city) || a.name.localeCompare(b.name))
    .map(({ raw: _raw, ...u }) => u);
  const cells = [...rows]
    .sort((a, b) => cmp(a.week, b.week) || cmp(a.city, b.city) || cmp(a.language, b.language) || cmp(a.category, b.category) || cmp(a.outcome, b.outcome) || cmp(a.channel, b.channel))
    .map((r) => ({ ...r, shown: cellShown(r.people) }));
  return { weeks, categories, unmet, cells };
}

function floor(s: Shown): number {
  return s.kind === 'exact' ? s.n : s.kind === 'atLeast' ? SMALL : 0;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const CSV_HEADER = 'week,city,language,category,outcome,channel,people';

function csvField(s: string): string {
  // Values are ids and dates, but a cell must never start a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(view: ReportView): string {
  const lines = view.cells.map((c) => [c.week, c.city, c.language, c.category, c.outcome, c.channel, label(c.shown)].map(csvField).join(','));
  return [CSV_HEADER, ...lines].join('\n') + '\n';
}
