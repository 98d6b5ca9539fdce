// The report's pure parts: weeks in London time, and which figures may be shown.
import { describe, expect, it } from 'vitest';
import type { CountRow } from '../../src/report/types.ts';
import { buildView, label, sumShown, toCsv } from '../../src/report/view.ts';
import { parseRange } from '../../src/report/range.ts';
import { weekOf } from '../../src/report/week.ts';

const row = (o: Partial<CountRow> & { people: number }): CountRow => ({
  week: '2026-11-30',
  city: 'southampton',
  language: 'en',
  category: 'food',
  outcome: 'answered',
  channel: 'sms',
  ...o,
});

describe('weeks', () => {
  it('starts the week on Monday at midnight London time, in summer time too', () => {
    expect(weekOf(new Date('2026-12-06T23:59:59Z'))).toBe('2026-11-30'); // Sunday, GMT
    expect(weekOf(new Date('2026-12-07T00:00:00Z'))).toBe('2026-12-07');
    expect(weekOf(new Date('2026-06-14T23:30:00Z'))).toBe('2026-06-15'); // Monday 00:30 BST
    expect(weekOf(new Date('2026-06-14T22:59:00Z'))).toBe('2026-06-08'); // Sunday 23:59 BST
  });

  it('takes any date as the week it falls in, and refuses what is not a date', () => {
    const now = new Date('2026-12-02T10:00:00Z');
    expect(parseRange({ from: '2026-11-18', to: '2026-12-06' }, now)).toEqual({ range: { from: '2026-11-16', to: '2026-11-30' } });
    expect(parseRange({}, now)).toEqual({ range: { from: '2026-09-14', to: '2026-11-30' } });
    expect(parseRange({ from: '2026-02-30' }, now)).toEqual({ error: '"From" must be a date like 2026-11-30, not "2026-02-30"' });
  });
});

describe('small numbers', () => {
  it('shows a sum exactly only when what it hides in each week, city, need and outcome is 0 or at least 5', () => {
    expect(label(sumShown([row({ people: 3 })]))).toBe('<5');
    expect(label(sumShown([row({ people: 5 }), row({ channel: 'whatsapp', people: 2 })]))).toBe('5+');
    expect(label(sumShown([row({ people: 5 }), row({ channel: 'whatsapp', people: 2 }), row({ language: 'ar', channel: 'whatsapp', people: 3 })]))).toBe('10');
    // Hidden cells of two outcomes are two groups: each must be safe on its own.
    expect(label(sumShown([row({ people: 6 }), row({ channel: 'whatsapp', people: 3 }), row({ outcome: 'nothing_listed', people: 2 })]))).toBe('5+');
  });

  it('lists unmet needs by what is shown, never by a hidden figure', () => {
    const v = buildView(
      [
        row({ category: 'women', outcome: 'nothing_listed', people: 1 }),
        row({ category: 'doctor', city: 'portsmouth', outcome: 'nothing_listed', people: 4 }),
        row({ category: 'legal', outcome: 'nothing_listed', people: 7 }),
      ],
      { from: '2026-11-30', to: '2026-11-30', city: null, categoryNames: new Map([['doctor', 'Doctor (GP)'], ['women', 'Women'], ['legal', 'Legal advice']]) },
    );
    expect(v.unmet.map((u) => [u.name, u.city, label(u.people)])).toEqual([
      ['Legal advice', 'southampton', '7'],
      ['Doctor (GP)', 'portsmouth', '<5'],
      ['Women', 'southampton', '<5'],
    ]);
  });

  it('writes the CSV with the agreed header, and no cell a spreadsheet would run as a formula', () => {
    const v = buildView([row({ language: '=cmd', people: 9 })], { from: '2026-11-30', to: '2026-11-30', city: null, categoryNames: new Map() });
    expect(toCsv(v)).toBe("week,city,language,category,outcome,channel,people\n2026-11-30,southampton,'=cmd,food,answered,sms,9\n");
  });
});
