import { describe, it, expect } from 'vitest';
import type { HolidaySchedule, RegularSchedule, Service, Weekday } from '../../src/catalogue/types.ts';
import {
  dayOpenings,
  nextOccurrences,
  openingStatus,
  weeklySummary,
} from '../../src/catalogue/opening-times.ts';
import { londonToInstant } from '../../src/time/london.ts';
import { makeService } from '../fixtures.ts';


function weekly(
  byday: Weekday[],
  opens_at: string | null,
  closes_at: string | null,
  note: string | null = null,
): RegularSchedule {
  return { freq: 'WEEKLY', byday, opens_at, closes_at, note };
}

function holiday(
  start_date: string,
  end_date: string,
  closed: boolean,
  opens_at: string | null = null,
  closes_at: string | null = null,
  note: string | null = null,
): HolidaySchedule {
  return { closed, start_date, end_date, opens_at, closes_at, note };
}

/** An instant given in London wall-clock time. */
const london = (date: string, time: string) => londonToInstant(date, time);

// 2026-06-15 is a Monday (BST); 2026-12-07 is a Monday (GMT).
const mondayDropIn = makeService({ schedules: [weekly(['MO'], '10:00', '14:00')] });

describe('openingStatus: today', () => {
  it('open now until 14:00', () => {
    expect(openingStatus(mondayDropIn, london('2026-06-15', '11:00'))).toEqual({
      kind: 'open_now',
      until: '14:00',
    });
    expect(openingStatus(mondayDropIn, london('2026-06-15', '10:00'))).toEqual({
      kind: 'open_now',
      until: '14:00',
    });
    expect(openingStatus(mondayDropIn, london('2026-12-07', '13:59'))).toEqual({
      kind: 'open_now',
      until: '14:00',
    });
  });

  it('opens today at 10:00', () => {
    expect(openingStatus(mondayDropIn, london('2026-06-15', '09:59'))).toEqual({
      kind: 'opens_today',
      at: '10:00',
    });
    expect(openingStatus(mondayDropIn, london('2026-06-15', '00:00'))).toEqual({
      kind: 'opens_today',
      at: '10:00',
    });
  });

  it('after closing today → next opening', () => {
    const s = makeService({ schedules: [weekly(['MO', 'WE'], '10:00', '14:00')] });
    expect(openingStatus(s, london('2026-06-15', '14:00'))).toEqual({
      kind: 'next',
      date: '2026-06-17',
      weekday: 'WE',
      at: '10:00',
      daysAhead: 2,
    });
    expect(openingStatus(mondayDropIn, london('2026-06-15', '18:00'))).toEqual({
      kind: 'next',
      date: '2026-06-22',
      weekday: 'MO',
      at: '10:00',
      daysAhead: 7,
    });
  });

  it('between two slots on the same day → opens again later today', () => {
    const s = makeService({
      schedules: [weekly(['MO'], '13:00', '16:00'), weekly(['MO'], '09:00', '12:00')],
    });
    expect(openingStatus(s, london('2026-06-15', '09:30'))).toEqual({ kind: 'open_now', until: '12:00' });
    expect(openingStatus(s, london('2026-06-15', '12:30'))).toEqual({ kind: 'opens_today', at: '13:00' });
    expect(openingStatus(s, london('2026-06-15', '15:00'))).toEqual({ kind: 'open_now', until: '16:00' });
    expect(dayOpenings(s, '2026-06-15').slots.map((x) => x.opens_at)).toEqual(['09:00', '13:00']);
  });

  it('closing time unknown: open from opens_at, until null', () => {
    const s = makeService({ schedules: [weekly(['MO'], '10:00', null)] });
    expect(openingStatus(s, london('2026-06-15', '09:00'))).toEqual({ kind: 'opens_today', at: '10:00' });
    expect(openingStatus(s, london('2026-06-15', '10:00'))).toEqual({ kind: 'open_now', until: null });
    expect(openingStatus(s, london('2026-06-15', '23:59'))).toEqual({ kind: 'open_now', until: null });
  });

  it('a slot that runs overnight is open after midnight', () => {
    const shelter = makeService({ schedules: [weekly(['FR'], '20:00', '08:00')] });
    // Friday 2026-06-19 21:00 → open until 08:00 (Saturday)
    expect(openingStatus(shelter, london('2026-06-19', '21:00'))).toEqual({ kind: 'open_now', until: '08:00' });
    // Saturday 07:00 → still open from Friday night
    expect(openingStatus(shelter, london('2026-06-20', '07:00'))).toEqual({ kind: 'open_now', until: '08:00' });
    // Saturday 09:00 → next Friday
    expect(openingStatus(shelter, london('2026-06-20', '09:00'))).toMatchObject({
      kind: 'next',
      date: '2026-06-26',
      at: '20:00',
      daysAhead: 6,
    });
    // Friday 19:00 → opens today
    expect(openingStatus(shelter, london('2026-06-19', '19:00'))).toEqual({ kind: 'opens_today', at: '20:00' });
  });
});

describe('openingStatus: next', () => {
  it('next across the week end', () => {
    // Friday 2026-06-19 → Monday 2026-06-22
    expect(openingStatus(mondayDropIn, london('2026-06-19', '12:00'))).toEqual({
      kind: 'next',
      date: '2026-06-22',
      weekday: 'MO',
      at: '10:00',
      daysAhead: 3,
    });
    // Sunday 23:59 → tomorrow
    expect(openingStatus(mondayDropIn, london('2026-06-21', '23:59'))).toMatchObject({
      kind: 'next',
      date: '2026-06-22',
      daysAhead: 1,
    });
    // Tuesday 2026-12-29 → Monday 2027-01-04, across the year end
    expect(openingStatus(mondayDropIn, london('2026-12-29', '10:00'))).toMatchObject({
      kind: 'next',
      date: '2027-01-04',
      daysAhead: 6,
    });
  });

  it('weekly, times unknown: today and next', () => {
    const s = makeService({ schedules: [weekly(['TH'], null, null)] });
    // Thursday 2026-06-18
    expect(openingStatus(s, london('2026-06-18', '08:00'))).toEqual({ kind: 'today_times_unknown' });
    expect(openingStatus(s, london('2026-06-18', '23:00'))).toEqual({ kind: 'today_times_unknown' });
    // Friday → next Thursday, time unknown
    expect(openingStatus(s, london('2026-06-19', '08:00'))).toEqual({
      kind: 'next',
      date: '2026-06-25',
      weekday: 'TH',
      at: null,
      daysAhead: 6,
    });
  });

  it('opening time unknown but closing known: runs today until it closes', () => {
    const s = makeService({ schedules: [weekly(['TH'], null, '12:00')] });
    expect(openingStatus(s, london('2026-06-18', '11:00'))).toEqual({ kind: 'today_times_unknown' });
    expect(openingStatus(s, london('2026-06-18', '12:00'))).toMatchObject({ kind: 'next', daysAhead: 7 });
  });

  it('next day reports the earliest known opening time', () => {
    const s = makeService({
      schedules: [weekly(['WE'], null, null), weekly(['WE'], '14:00', '16:00'), weekly(['WE'], '09:00', '11:00')],
    });
    expect(openingStatus(s, london('2026-06-15', '12:00'))).toMatchObject({
      kind: 'next',
      date: '2026-06-17',
      at: '09:00',
    });
  });
});

describe('openingStatus: always, unknown, holidays', () => {
  it('always open', () => {
    const line = makeService({ always_open: true, schedules: null });
    expect(openingStatus(line, london('2026-06-15', '03:00'))).toEqual({ kind: 'always' });
  });

  it('no schedule → unknown', () => {
    expect(openingStatus(makeService({ schedules: null }), london('2026-06-15', '10:00'))).toEqual({
      kind: 'unknown',
    });
    expect(openingStatus(makeService({ schedules: [] }), london('2026-06-15', '10:00'))).toEqual({
      kind: 'unknown',
    });
  });

  it('holiday closure today → next week', () => {
    const s = makeService({
      schedules: [weekly(['MO'], '10:00', '14:00')],
      holiday_schedules: [holiday('2026-06-15', '2026-06-15', true, null, null, 'Staff training')],
    });
    expect(dayOpenings(s, '2026-06-15')).toEqual({ closed: true, holidayNote: 'Staff training', slots: [] });
    expect(openingStatus(s, london('2026-06-15', '11:00'))).toEqual({
      kind: 'next',
      date: '2026-06-22',
      weekday: 'MO',
      at: '10:00',
      daysAhead: 7,
    });
  });

  it('holiday closure skips the next week too', () => {
    const s = makeService({
      schedules: [weekly(['MO'], '10:00', '14:00')],
      holiday_schedules: [holiday('2026-12-21', '2027-01-03', true, null, null, 'Christmas break')],
    });
    // Tuesday 2026-12-22, inside the closure: the Mondays 12-21 and 12-28 are skipped
    expect(openingStatus(s, london('2026-12-22', '12:00'))).toMatchObject({
      kind: 'next',
      date: '2027-01-04',
      daysAhead: 13,
    });
    // from Saturday 2026-12-19 the first open Monday is 16 days away: beyond the lookahead
    expect(openingStatus(s, london('2026-12-19', '12:00'))).toEqual({ kind: 'closed_until_further_notice' });
  });

  it('nothing within 14 days → closed until further notice', () => {
    const s = makeService({
      schedules: [weekly(['MO', 'TU', 'WE', 'TH', 'FR'], '09:00', '17:00')],
      holiday_schedules: [holiday('2026-06-01', '2026-09-30', true, null, null, 'Closed for refurbishment')],
    });
    expect(openingStatus(s, london('2026-06-15', '11:00'))).toEqual({ kind: 'closed_until_further_notice' });
    // 14 days ahead is still found
    expect(openingStatus(s, london('2026-09-17', '11:00'))).toMatchObject({
      kind: 'next',
      date: '2026-10-01',
      daysAhead: 14,
    });
  });

  it('holiday hours replace the regular hours for that date', () => {
    const s = makeService({
      schedules: [weekly(['MO'], '10:00', '14:00')],
      holiday_schedules: [holiday('2026-06-15', '2026-06-15', false, '12:00', '15:00', 'Late opening')],
    });
    expect(dayOpenings(s, '2026-06-15')).toEqual({
      closed: false,
      holidayNote: 'Late opening',
      slots: [{ opens_at: '12:00', closes_at: '15:00', note: 'Late opening' }],
    });
    expect(openingStatus(s, london('2026-06-15', '11:00'))).toEqual({ kind: 'opens_today', at: '12:00' });
    expect(openingStatus(s, london('2026-06-15', '14:30'))).toEqual({ kind: 'open_now', until: '15:00' });
    // the following Monday is back to normal
    expect(dayOpenings(s, '2026-06-22').slots).toEqual([{ opens_at: '10:00', closes_at: '14:00', note: null }]);
  });
});

describe('openingStatus: clock changes (local time, not UTC)', () => {
  const daily930 = makeService({
    schedules: [weekly(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], '09:30', '12:00')],
  });

  for (const day of [
    '2026-03-29', // spring forward (Sunday)
    '2026-03-30', // Monday after
    '2026-10-25', // fall back (Sunday)
    '2026-10-26', // Monday after
    '2027-03-28',
    '2027-03-29',
    '2027-10-31',
    '2027-11-01',
  ]) {
    it(`at 09:30 London on ${day} it is open; at 09:29 it opens at 09:30`, () => {
      expect(openingStatus(daily930, london(day, '09:30'))).toEqual({ kind: 'open_now', until: '12:00' });
      expect(openingStatus(daily930, london(day, '09:29'))).toEqual({ kind: 'opens_today', at: '09:30' });
      expect(openingStatus(daily930, london(day, '12:00'))).toMatchObject({ kind: 'next', daysAhead: 1 });
    });
  }

  it('uses the explicit UTC instants around the changes', () => {
    // Monday after spring forward: 09:30 BST = 08:30Z
    expect(openingStatus(daily930, new Date('2026-03-30T08:30:00Z'))).toEqual({ kind: 'open_now', until: '12:00' });
    expect(openingStatus(daily930, new Date('2026-03-30T08:29:00Z'))).toEqual({ kind: 'opens_today', at: '09:30' });
    // Monday after fall back: 09:30 GMT = 09:30Z; 08:30Z is 08:30 local, not yet open
    expect(openingStatus(daily930, new Date('2026-10-26T09:30:00Z'))).toEqual({ kind: 'open_now', until: '12:00' });
    expect(openingStatus(daily930, new Date('2026-10-26T08:30:00Z'))).toEqual({ kind: 'opens_today', at: '09:30' });
    // the change days themselves
    expect(openingStatus(daily930, new Date('2026-03-29T08:30:00Z'))).toEqual({ kind: 'open_now', until: '12:00' });
    expect(openingStatus(daily930, new Date('2026-10-25T08:30:00Z'))).toEqual({ kind: 'opens_today', at: '09:30' });
    expect(openingStatus(daily930, new Date('2026-10-25T09:30:00Z'))).toEqual({ kind: 'open_now', until: '12:00' });
  });

  it('a night slot during the changes', () => {
    const night = makeService({ schedules: [weekly(['SU'], '00:00', '03:00')] });
    // 2026-03-29 01:00Z is 02:00 BST: open
    expect(openingStatus(night, new Date('2026-03-29T01:00:00Z'))).toEqual({ kind: 'open_now', until: '03:00' });
    // 2026-03-29 02:00Z is 03:00 BST: closed
    expect(openingStatus(night, new Date('2026-03-29T02:00:00Z'))).toMatchObject({ kind: 'next', daysAhead: 7 });
    // 2026-10-25 02:30Z is 02:30 GMT: open
    expect(openingStatus(night, new Date('2026-10-25T02:30:00Z'))).toEqual({ kind: 'open_now', until: '03:00' });
  });

  it('Friday drop-in checked at 23:30 UTC on a Thursday in summer (already Friday in London)', () => {
    const friday = makeService({ schedules: [weekly(['FR'], '10:00', '13:00')] });
    // Thursday 2026-07-02 23:30Z = Friday 2026-07-03 00:30 BST
    expect(openingStatus(friday, new Date('2026-07-02T23:30:00Z'))).toEqual({ kind: 'opens_today', at: '10:00' });
    // In winter, Thursday 23:30Z is still Thursday in London
    expect(openingStatus(friday, new Date('2026-12-03T23:30:00Z'))).toEqual({
      kind: 'next',
      date: '2026-12-04',
      weekday: 'FR',
      at: '10:00',
      daysAhead: 1,
    });
  });
});

describe('weeklySummary', () => {
  it('merges days with identical times, in MO..SU order', () => {
    const s = makeService({
      schedules: [
        weekly(['SA'], '10:00', '14:00'),
        weekly(['TH', 'FR'], '08:30', '18:30'),
        weekly(['MO', 'TU', 'WE'], '08:30', '18:30'),
      ],
    });
    expect(weeklySummary(s)).toEqual([
      { days: ['MO', 'TU', 'WE', 'TH', 'FR'], opens_at: '08:30', closes_at: '18:30', note: null },
      { days: ['SA'], opens_at: '10:00', closes_at: '14:00', note: null },
    ]);
  });

  it('keeps different times and notes apart, and several slots a day', () => {
    const s = makeService({
      schedules: [
        weekly(['MO'], '13:00', '16:00'),
        weekly(['MO'], '09:00', '12:00'),
        weekly(['WE'], '09:00', '12:00', 'Women only'),
        weekly(['FR'], null, null),
      ],
    });
    expect(weeklySummary(s)).toEqual([
      { days: ['MO'], opens_at: '09:00', closes_at: '12:00', note: null },
      { days: ['MO'], opens_at: '13:00', closes_at: '16:00', note: null },
      { days: ['WE'], opens_at: '09:00', closes_at: '12:00', note: 'Women only' },
      { days: ['FR'], opens_at: null, closes_at: null, note: null },
    ]);
  });

  it('no schedule → empty', () => {
    expect(weeklySummary(makeService({ schedules: null }))).toEqual([]);
  });
});

describe('nextOccurrences', () => {
  it('lists the regular dates, holiday closures included and marked', () => {
    const s = makeService({
      schedules: [weekly(['MO', 'TH'], '10:00', '14:00')],
      holiday_schedules: [holiday('2026-06-18', '2026-06-18', true, null, null, 'Closed for training')],
    });
    // from Monday 2026-06-15 23:30 BST (22:30Z) for 14 days
    const list = nextOccurrences(s, new Date('2026-06-15T22:30:00Z'), 14);
    expect(list.map((o) => [o.date, o.weekday, o.closed])).toEqual([
      ['2026-06-15', 'MO', false],
      ['2026-06-18', 'TH', true],
      ['2026-06-22', 'MO', false],
      ['2026-06-25', 'TH', false],
    ]);
    expect(list[1].holidayNote).toBe('Closed for training');
    expect(list[1].slots).toEqual([]);
    expect(list[0].slots).toEqual([{ opens_at: '10:00', closes_at: '14:00', note: null }]);
  });

  it('starts from the London date of `from`', () => {
    const s = makeService({ schedules: [weekly(['FR'], '10:00', '13:00')] });
    // Thursday 23:30Z in summer is Friday in London
    expect(nextOccurrences(s, new Date('2026-07-02T23:30:00Z'), 1).map((o) => o.date)).toEqual(['2026-07-03']);
    expect(nextOccurrences(s, new Date('2026-12-03T23:30:00Z'), 1)).toEqual([]);
  });
});
