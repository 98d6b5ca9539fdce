import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/load.ts';
import type { Catalogue, HolidaySchedule, Service, Weekday } from '../../src/catalogue/types.ts';
import {
  due,
  sendTimeFor,
  EVENING,
  LATE_LIMIT_MS,
  MORNING,
  type SubscriptionRow,
  type Timing,
} from '../../src/reminders/due.ts';
import { londonToInstant } from '../../src/time/london.ts';
import { makeService as fixture } from '../fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const real = loadCatalogue(path.join(ROOT, 'data/services.json'));

const at = (iso: string) => new Date(iso);
const LONG_AGO = at('2020-01-01T00:00:00Z');

/** A weekly 10:00-12:00 service on the given days. */
function makeService(id: string, byday: Weekday[], partial: Partial<Service> = {}): Service {
  return fixture({
    id,
    name: `Test ${id}`,
    schedules: [{ freq: 'WEEKLY', byday, opens_at: '10:00', closes_at: '12:00', note: null }],
    ...partial,
  });
}

function catalogueOf(...services: Service[]): Catalogue {
  return { version: 1, sources: {}, organizations: [], categories: [], services };
}

function sub(
  id: number,
  serviceId: string,
  timing: Timing,
  createdAt: Date = LONG_AGO,
): SubscriptionRow {
  return { id, serviceId, timing, createdAt };
}

const closedOn = (date: string, note: string | null = 'Closed for Christmas'): HolidaySchedule => ({
  closed: true,
  start_date: date,
  end_date: date,
  opens_at: null,
  closes_at: null,
  note,
});

describe('constants', () => {
  it('are 08:00, 18:00 and 3 hours', () => {
    expect(MORNING).toBe('08:00');
    expect(EVENING).toBe('18:00');
    expect(LATE_LIMIT_MS).toBe(3 * 3600_000);
  });
});

describe('sendTimeFor', () => {
  it('is 08:00 London on the day, or 18:00 London the day before', () => {
    expect(sendTimeFor('2026-12-04', 'morning').toISOString()).toBe('2026-12-04T08:00:00.000Z');
    expect(sendTimeFor('2026-07-03', 'morning').toISOString()).toBe('2026-07-03T07:00:00.000Z');
    expect(sendTimeFor('2026-12-04', 'evening').toISOString()).toBe('2026-12-03T18:00:00.000Z');
    expect(sendTimeFor('2026-07-03', 'evening').toISOString()).toBe('2026-07-02T17:00:00.000Z');
  });

  it('crosses a month and year boundary for the evening before', () => {
    expect(sendTimeFor('2027-01-01', 'evening').toISOString()).toBe('2026-12-31T18:00:00.000Z');
  });
});

describe('due: a Friday drop-in of the real catalogue (amc-dropin)', () => {
  const service = real.services.find((s) => s.id === 'amc-dropin')!;
  const subs = [sub(1, 'amc-dropin', 'morning'), sub(2, 'amc-dropin', 'evening')];

  it('is a Friday drop-in', () => {
    expect(service.schedules!.some((s) => s.byday.includes('FR'))).toBe(true);
  });

  it('is due at 08:00 London on Friday in winter (08:00Z)', () => {
    // 2026-12-04 is a Friday, GMT.
    const items = due(real, subs, at('2026-12-04T08:00:00Z'));
    expect(items).toEqual([
      {
        key: '1:2026-12-04',
        subscriptionId: 1,
        serviceId: 'amc-dropin',
        occurrenceDate: '2026-12-04',
        sendAt: at('2026-12-04T08:00:00Z'),
        kind: 'reminder',
      },
    ]);
  });

  it('is not due at 07:59 London in winter', () => {
    expect(due(real, subs, at('2026-12-04T07:59:00Z'))).toEqual([]);
    expect(due(real, subs, at('2026-12-04T07:59:59.999Z'))).toEqual([]);
  });

  it('is still due at 10:59 but not from 11:00 (3 hours late)', () => {
    expect(due(real, subs, at('2026-12-04T10:59:00Z')).map((i) => i.key)).toEqual(['1:2026-12-04']);
    expect(due(real, subs, at('2026-12-04T10:59:59.999Z')).map((i) => i.key)).toEqual([
      '1:2026-12-04',
    ]);
    expect(due(real, subs, at('2026-12-04T11:00:00Z'))).toEqual([]);
    expect(due(real, subs, at('2026-12-04T15:00:00Z'))).toEqual([]);
  });

  it('is due at 08:00 London on Friday in summer (07:00Z)', () => {
    // 2026-07-03 is a Friday, BST.
    expect(due(real, subs, at('2026-07-03T06:59:00Z'))).toEqual([]);
    const items = due(real, subs, at('2026-07-03T07:00:00Z'));
    expect(items.map((i) => [i.key, i.sendAt.toISOString(), i.kind])).toEqual([
      ['1:2026-07-03', '2026-07-03T07:00:00.000Z', 'reminder'],
    ]);
    expect(due(real, subs, at('2026-07-03T09:59:00Z')).map((i) => i.key)).toEqual(['1:2026-07-03']);
    expect(due(real, subs, at('2026-07-03T10:00:00Z'))).toEqual([]);
  });

  it('evening timing is due at 18:00 London the day before', () => {
    expect(due(real, subs, at('2026-12-03T17:59:00Z'))).toEqual([]);
    expect(due(real, subs, at('2026-12-03T18:00:00Z'))).toEqual([
      {
        key: '2:2026-12-04',
        subscriptionId: 2,
        serviceId: 'amc-dropin',
        occurrenceDate: '2026-12-04',
        sendAt: at('2026-12-03T18:00:00Z'),
        kind: 'reminder',
      },
    ]);
    // Still due just before midnight and just after (under 3 hours late).
    expect(due(real, subs, at('2026-12-03T20:59:00Z')).map((i) => i.key)).toEqual(['2:2026-12-04']);
    expect(due(real, subs, at('2026-12-03T21:00:00Z'))).toEqual([]);
    // Summer: 18:00 BST = 17:00Z.
    expect(due(real, subs, at('2026-07-02T17:00:00Z')).map((i) => i.key)).toEqual(['2:2026-07-03']);
    expect(due(real, subs, at('2026-07-02T16:59:00Z'))).toEqual([]);
  });

  it('nothing on a day without the drop-in', () => {
    // Saturday morning 2026-12-05, and Tuesday evening 2026-12-01 (before a Wednesday).
    expect(due(real, subs, at('2026-12-05T08:00:00Z'))).toEqual([]);
    expect(due(real, subs, at('2026-12-01T18:00:00Z'))).toEqual([]);
  });
});

describe('due: a late limit that reaches back over midnight', () => {
  it('still finds the evening reminder of the day before', () => {
    const cat = catalogueOf(makeService('fri', ['FR']));
    // Thursday 18:00 → Friday 01:00 is 7 hours late.
    const now = at('2026-12-04T01:00:00Z');
    expect(due(cat, [sub(1, 'fri', 'evening')], now)).toEqual([]);
    expect(due(cat, [sub(1, 'fri', 'evening')], now, 8 * 3600_000).map((i) => i.key)).toEqual([
      '1:2026-12-04',
    ]);
  });
});

describe('due: the clock-change days', () => {
  const cat = catalogueOf(makeService('sun', ['SU']), makeService('mon', ['MO']));

  it('a Sunday service on 2026-03-29 (spring forward): morning at 07:00Z', () => {
    const subs = [sub(1, 'sun', 'morning')];
    expect(sendTimeFor('2026-03-29', 'morning').toISOString()).toBe('2026-03-29T07:00:00.000Z');
    expect(due(cat, subs, at('2026-03-29T06:59:00Z'))).toEqual([]);
    const items = due(cat, subs, at('2026-03-29T07:00:00Z'));
    expect(items.map((i) => [i.key, i.sendAt.toISOString()])).toEqual([
      ['1:2026-03-29', '2026-03-29T07:00:00.000Z'],
    ]);
    expect(due(cat, subs, at('2026-03-29T09:59:00Z'))).toHaveLength(1);
    expect(due(cat, subs, at('2026-03-29T10:00:00Z'))).toEqual([]);
  });

  it('a Sunday service on 2026-10-25 (fall back): morning at 08:00Z', () => {
    const subs = [sub(1, 'sun', 'morning')];
    expect(sendTimeFor('2026-10-25', 'morning').toISOString()).toBe('2026-10-25T08:00:00.000Z');
    expect(due(cat, subs, at('2026-10-25T07:00:00Z'))).toEqual([]); // 07:00 GMT
    expect(due(cat, subs, at('2026-10-25T07:59:00Z'))).toEqual([]);
    const items = due(cat, subs, at('2026-10-25T08:00:00Z'));
    expect(items.map((i) => [i.key, i.sendAt.toISOString()])).toEqual([
      ['1:2026-10-25', '2026-10-25T08:00:00.000Z'],
    ]);
    expect(due(cat, subs, at('2026-10-25T10:59:00Z'))).toHaveLength(1);
    expect(due(cat, subs, at('2026-10-25T11:00:00Z'))).toEqual([]);
  });

  it('the evening reminder for Monday 2026-03-30 is Sunday 18:00 BST (17:00Z)', () => {
    const subs = [sub(1, 'mon', 'evening')];
    expect(sendTimeFor('2026-03-30', 'evening').toISOString()).toBe('2026-03-29T17:00:00.000Z');
    expect(due(cat, subs, at('2026-03-29T16:59:00Z'))).toEqual([]);
    expect(due(cat, subs, at('2026-03-29T17:00:00Z')).map((i) => [i.key, i.sendAt.toISOString()])).toEqual(
      [['1:2026-03-30', '2026-03-29T17:00:00.000Z']],
    );
  });

  it('the evening reminder for Monday 2026-10-26 is Sunday 18:00 GMT (18:00Z)', () => {
    const subs = [sub(1, 'mon', 'evening')];
    expect(sendTimeFor('2026-10-26', 'evening').toISOString()).toBe('2026-10-25T18:00:00.000Z');
    expect(due(cat, subs, at('2026-10-25T17:00:00Z'))).toEqual([]);
    expect(due(cat, subs, at('2026-10-25T17:59:00Z'))).toEqual([]);
    expect(due(cat, subs, at('2026-10-25T18:00:00Z')).map((i) => [i.key, i.sendAt.toISOString()])).toEqual(
      [['1:2026-10-26', '2026-10-25T18:00:00.000Z']],
    );
  });
});

describe('due: createdAt', () => {
  const cat = catalogueOf(makeService('fri', ['FR']));
  const now = at('2026-12-04T09:00:00Z');

  it('no reminder for an occurrence whose send time was before the subscription', () => {
    expect(due(cat, [sub(1, 'fri', 'morning', at('2026-12-04T08:30:00Z'))], now)).toEqual([]);
    expect(due(cat, [sub(1, 'fri', 'evening', at('2026-12-03T19:00:00Z'))], at('2026-12-03T20:00:00Z'))).toEqual(
      [],
    );
  });

  it('a reminder when the subscription was made at or before the send time', () => {
    expect(due(cat, [sub(1, 'fri', 'morning', at('2026-12-04T08:00:00Z'))], now)).toHaveLength(1);
    expect(due(cat, [sub(1, 'fri', 'morning', at('2026-12-04T07:59:00Z'))], now)).toHaveLength(1);
  });

  it('an invalid createdAt gives nothing', () => {
    expect(due(cat, [sub(1, 'fri', 'morning', new Date(NaN))], now)).toEqual([]);
  });
});

describe('due: holiday closure', () => {
  it('gives a closed_notice with the same key instead of the reminder', () => {
    const open = catalogueOf(makeService('fri', ['FR']));
    const closed = catalogueOf(makeService('fri', ['FR'], { holiday_schedules: [closedOn('2026-12-25')] }));
    const subs = [sub(7, 'fri', 'morning'), sub(8, 'fri', 'evening')];

    const morning = at('2026-12-25T08:00:00Z');
    const evening = at('2026-12-24T18:00:00Z');
    const [r] = due(open, subs, morning);
    const [c] = due(closed, subs, morning);
    expect(r.kind).toBe('reminder');
    expect(c.kind).toBe('closed_notice');
    expect(c.key).toBe(r.key);
    expect(c.key).toBe('7:2026-12-25');
    expect(c.sendAt).toEqual(r.sendAt);

    const [ce] = due(closed, subs, evening);
    expect(ce).toMatchObject({ key: '8:2026-12-25', kind: 'closed_notice', occurrenceDate: '2026-12-25' });

    // The Friday after is a normal reminder.
    expect(due(closed, subs, at('2027-01-01T08:00:00Z'))[0].kind).toBe('reminder');
  });

  it('a multi-day closure covers the occurrence', () => {
    const cat = catalogueOf(
      makeService('fri', ['FR'], {
        holiday_schedules: [{ ...closedOn('2026-12-20'), end_date: '2027-01-03' }],
      }),
    );
    expect(due(cat, [sub(1, 'fri', 'morning')], at('2027-01-01T08:00:00Z'))[0].kind).toBe('closed_notice');
  });

  it('a holiday with other hours (not closed) is still a reminder', () => {
    const cat = catalogueOf(
      makeService('fri', ['FR'], {
        holiday_schedules: [
          { closed: false, start_date: '2026-12-25', end_date: '2026-12-25', opens_at: '11:00', closes_at: '12:00', note: null },
        ],
      }),
    );
    expect(due(cat, [sub(1, 'fri', 'morning')], at('2026-12-25T08:00:00Z'))[0].kind).toBe('reminder');
  });
});

describe('due: services that give nothing', () => {
  const now = at('2026-12-04T08:00:00Z');

  it('a closed service', () => {
    const cat = catalogueOf(makeService('fri', ['FR'], { status: 'closed' }));
    expect(due(cat, [sub(1, 'fri', 'morning')], now)).toEqual([]);
  });

  it('an unknown service', () => {
    const cat = catalogueOf(makeService('fri', ['FR']));
    expect(due(cat, [sub(1, 'gone', 'morning')], now)).toEqual([]);
  });

  it('a professionals-only service', () => {
    const cat = catalogueOf(makeService('fri', ['FR'], { audience: 'professionals' }));
    expect(due(cat, [sub(1, 'fri', 'morning')], now)).toEqual([]);
  });

  it('a line open all the time, even with weekly days (the same rule as REMIND)', () => {
    const cat = catalogueOf(makeService('line', ['FR'], { always_open: true }));
    expect(due(cat, [sub(1, 'line', 'morning')], now)).toEqual([]);
  });

  it('a service without schedules', () => {
    const cat = catalogueOf(
      makeService('a', ['FR'], { schedules: null }),
      makeService('b', ['FR'], { schedules: [] }),
    );
    expect(due(cat, [sub(1, 'a', 'morning'), sub(2, 'b', 'morning')], now)).toEqual([]);
  });

  it('does not stop the others', () => {
    const cat = catalogueOf(makeService('fri', ['FR']), makeService('shut', ['FR'], { status: 'closed' }));
    const items = due(cat, [sub(1, 'gone', 'morning'), sub(2, 'shut', 'morning'), sub(3, 'fri', 'morning')], now);
    expect(items.map((i) => i.key)).toEqual(['3:2026-12-04']);
  });
});

describe('due: many subscriptions', () => {
  it('keys are unique and every item is in the window', () => {
    const cat = catalogueOf(
      makeService('daily', ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']),
      makeService('fri', ['FR']),
      makeService('sat', ['SA']),
    );
    const ids = ['daily', 'fri', 'sat'];
    const subs: SubscriptionRow[] = [];
    for (let i = 0; i < 3000; i++) {
      subs.push(sub(i + 1, ids[i % 3], i % 2 === 0 ? 'morning' : 'evening'));
    }
    // Evening of Friday 2026-12-04 with an 18-hour late limit: the morning
    // reminders (08:00) and the evening ones for Saturday (18:00) are both due.
    const now = at('2026-12-04T19:00:00Z');
    const lateLimit = 18 * 3600_000;
    const items = due(cat, subs, now, lateLimit);
    const keys = items.map((i) => i.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(item.key).toBe(`${item.subscriptionId}:${item.occurrenceDate}`);
      expect(item.sendAt.getTime()).toBeLessThanOrEqual(now.getTime());
      expect(item.sendAt.getTime()).toBeGreaterThan(now.getTime() - lateLimit);
    }
    const kinds = new Set(items.map((i) => `${i.serviceId}/${i.occurrenceDate}`));
    expect([...kinds].sort()).toEqual([
      'daily/2026-12-04', // morning
      'daily/2026-12-05', // evening before
      'fri/2026-12-04', // morning
      'sat/2026-12-05', // evening before
    ]);
    // The window starts at 01:00 on Friday, after Thursday's 18:00.
    expect(items.some((i) => i.occurrenceDate === '2026-12-03')).toBe(false);
  });

  it('one subscription is due once per occurrence even with a late limit of days', () => {
    const cat = catalogueOf(makeService('daily', ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']));
    const now = londonToInstant('2026-12-04', '12:00');
    const items = due(cat, [sub(1, 'daily', 'morning')], now, 3 * 86_400_000);
    expect(items.map((i) => i.occurrenceDate)).toEqual(['2026-12-02', '2026-12-03', '2026-12-04']);
  });
});
