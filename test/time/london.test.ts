import { describe, it, expect } from 'vitest';
import {
  addDays,
  compareTime,
  londonParts,
  londonToInstant,
  parseWhen,
  toMinutes,
  weekdayOf,
} from '../../src/time/london.ts';

const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

describe('londonParts', () => {
  it('winter (GMT): London shows UTC', () => {
    expect(londonParts(at('2026-12-03T08:00:00Z'))).toEqual({
      date: '2026-12-03',
      time: '08:00',
      minutes: 480,
      weekday: 'TH',
    });
  });

  it('summer (BST): London is an hour ahead', () => {
    expect(londonParts(at('2026-07-01T07:00:00Z'))).toEqual({
      date: '2026-07-01',
      time: '08:00',
      minutes: 480,
      weekday: 'WE',
    });
  });

  it('summer: 23:30 UTC on a Thursday is already Friday in London', () => {
    expect(londonParts(at('2026-07-02T23:30:00Z'))).toMatchObject({
      date: '2026-07-03',
      time: '00:30',
      minutes: 30,
      weekday: 'FR',
    });
    // ...but not in winter
    expect(londonParts(at('2026-12-03T23:30:00Z'))).toMatchObject({
      date: '2026-12-03',
      time: '23:30',
      weekday: 'TH',
    });
  });

  it('drops seconds (time is HH:MM)', () => {
    expect(londonParts(at('2026-12-03T08:00:59.999Z')).time).toBe('08:00');
  });

  it('spring forward 2026-03-29: 00:59 GMT then 02:00 BST', () => {
    expect(londonParts(at('2026-03-29T00:59:00Z')).time).toBe('00:59');
    expect(londonParts(at('2026-03-29T01:00:00Z')).time).toBe('02:00');
    expect(londonParts(at('2026-03-29T08:30:00Z')).time).toBe('09:30');
  });

  it('fall back 2026-10-25: 01:30 happens twice', () => {
    expect(londonParts(at('2026-10-25T00:30:00Z')).time).toBe('01:30'); // BST
    expect(londonParts(at('2026-10-25T00:59:00Z')).time).toBe('01:59');
    expect(londonParts(at('2026-10-25T01:00:00Z')).time).toBe('01:00'); // GMT
    expect(londonParts(at('2026-10-25T01:30:00Z')).time).toBe('01:30');
    expect(londonParts(at('2026-10-25T09:30:00Z')).time).toBe('09:30');
  });

  it('2027 changes: 2027-03-28 and 2027-10-31', () => {
    expect(londonParts(at('2027-03-28T00:59:00Z')).time).toBe('00:59');
    expect(londonParts(at('2027-03-28T01:00:00Z')).time).toBe('02:00');
    expect(londonParts(at('2027-10-31T00:30:00Z')).time).toBe('01:30');
    expect(londonParts(at('2027-10-31T01:30:00Z')).time).toBe('01:30');
    expect(londonParts(at('2027-10-31T02:00:00Z')).time).toBe('02:00');
  });

  it('agrees with Intl every 91 minutes through 2026–2027', () => {
    const fmt = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/London',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const start = Date.UTC(2026, 0, 1);
    const end = Date.UTC(2028, 0, 1);
    for (let t = start; t < end; t += 91 * 60_000) {
      const p = londonParts(new Date(t));
      const expected = fmt.format(new Date(t)).replace(', ', ' ');
      expect(`${p.date} ${p.time}`).toBe(expected);
    }
  });
});

describe('londonToInstant', () => {
  it('winter and summer', () => {
    expect(iso(londonToInstant('2026-12-03', '08:00'))).toBe('2026-12-03T08:00:00.000Z');
    expect(iso(londonToInstant('2026-07-01', '08:00'))).toBe('2026-07-01T07:00:00.000Z');
    expect(iso(londonToInstant('2026-07-03', '00:30'))).toBe('2026-07-02T23:30:00.000Z');
  });

  it('spring-forward gap 2026-03-29: a skipped time is the moment the clocks jump', () => {
    expect(iso(londonToInstant('2026-03-29', '00:30'))).toBe('2026-03-29T00:30:00.000Z');
    expect(iso(londonToInstant('2026-03-29', '01:00'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(londonToInstant('2026-03-29', '01:30'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(londonToInstant('2026-03-29', '01:59'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(londonToInstant('2026-03-29', '02:00'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(londonToInstant('2026-03-29', '03:00'))).toBe('2026-03-29T02:00:00.000Z');
    expect(iso(londonToInstant('2026-03-29', '09:30'))).toBe('2026-03-29T08:30:00.000Z');
  });

  it('autumn overlap 2026-10-25: a doubled time is its first (BST) occurrence', () => {
    expect(iso(londonToInstant('2026-10-25', '00:30'))).toBe('2026-10-24T23:30:00.000Z');
    expect(iso(londonToInstant('2026-10-25', '01:00'))).toBe('2026-10-25T00:00:00.000Z');
    expect(iso(londonToInstant('2026-10-25', '01:30'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(londonToInstant('2026-10-25', '01:59'))).toBe('2026-10-25T00:59:00.000Z');
    expect(iso(londonToInstant('2026-10-25', '02:00'))).toBe('2026-10-25T02:00:00.000Z');
    expect(iso(londonToInstant('2026-10-25', '09:30'))).toBe('2026-10-25T09:30:00.000Z');
  });

  it('2027-03-28 gap and 2027-10-31 overlap', () => {
    expect(iso(londonToInstant('2027-03-28', '01:30'))).toBe('2027-03-28T01:00:00.000Z');
    expect(iso(londonToInstant('2027-03-28', '09:30'))).toBe('2027-03-28T08:30:00.000Z');
    expect(iso(londonToInstant('2027-03-29', '09:30'))).toBe('2027-03-29T08:30:00.000Z');
    expect(iso(londonToInstant('2027-10-31', '01:30'))).toBe('2027-10-31T00:30:00.000Z');
    expect(iso(londonToInstant('2027-10-31', '09:30'))).toBe('2027-10-31T09:30:00.000Z');
    expect(iso(londonToInstant('2027-11-01', '09:30'))).toBe('2027-11-01T09:30:00.000Z');
  });

  it('round-trips with londonParts on the change days (except skipped times)', () => {
    for (const date of ['2026-03-29', '2026-10-25', '2027-03-28', '2027-10-31']) {
      for (let m = 0; m < 24 * 60; m += 5) {
        const time = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        const p = londonParts(londonToInstant(date, time));
        if (date.endsWith('03-29') || date.endsWith('03-28')) {
          if (m >= 60 && m < 120) {
            expect(p.time).toBe('02:00');
            continue;
          }
        }
        expect({ date: p.date, time: p.time }).toEqual({ date, time });
      }
    }
  });

  it('24:00 is midnight at the end of the day', () => {
    expect(iso(londonToInstant('2026-07-01', '24:00'))).toBe('2026-07-01T23:00:00.000Z');
  });

  it('rejects malformed input', () => {
    expect(() => londonToInstant('2026-02-30', '10:00')).toThrow(/invalid date/);
    expect(() => londonToInstant('2026-02-01', '10:60')).toThrow(/invalid time of day/);
  });
});

describe('date helpers', () => {
  it('addDays across months, years and leap days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(addDays('2026-10-25', 14)).toBe('2026-11-08');
    expect(addDays('2026-06-15', 0)).toBe('2026-06-15');
  });

  it('weekdayOf', () => {
    expect(weekdayOf('2026-06-15')).toBe('MO');
    expect(weekdayOf('2026-03-29')).toBe('SU');
    expect(weekdayOf('2026-10-25')).toBe('SU');
    expect(weekdayOf('2027-03-28')).toBe('SU');
    expect(weekdayOf('2027-10-31')).toBe('SU');
    expect(weekdayOf('2026-07-03')).toBe('FR');
  });

  it('toMinutes and compareTime', () => {
    expect(toMinutes('00:00')).toBe(0);
    expect(toMinutes('09:30')).toBe(570);
    expect(toMinutes('24:00')).toBe(1440);
    expect(() => toMinutes('9:30')).toThrow();
    expect(() => toMinutes('25:00')).toThrow();
    expect(compareTime('09:30', '10:00')).toBeLessThan(0);
    expect(compareTime('10:00', '10:00')).toBe(0);
    expect(compareTime('18:30', '08:30')).toBeGreaterThan(0);
  });
});

describe('parseWhen', () => {
  it('ISO with Z or an offset is that instant', () => {
    expect(iso(parseWhen('2026-12-03T08:00:00Z'))).toBe('2026-12-03T08:00:00.000Z');
    expect(iso(parseWhen('2026-12-03T08:00Z'))).toBe('2026-12-03T08:00:00.000Z');
    expect(iso(parseWhen('2026-12-03T08:00+00:00'))).toBe('2026-12-03T08:00:00.000Z');
    expect(iso(parseWhen('2026-07-03T08:00+01:00'))).toBe('2026-07-03T07:00:00.000Z');
    expect(iso(parseWhen('2026-07-03T08:00:00.250-0230'))).toBe('2026-07-03T10:30:00.250Z');
  });

  it('without an offset is London local time', () => {
    expect(iso(parseWhen('2026-12-04T10:30'))).toBe('2026-12-04T10:30:00.000Z');
    expect(iso(parseWhen('2026-12-04T10:30:00'))).toBe('2026-12-04T10:30:00.000Z');
    expect(iso(parseWhen('2026-12-04 10:30'))).toBe('2026-12-04T10:30:00.000Z');
    expect(iso(parseWhen('2026-07-04T10:30'))).toBe('2026-07-04T09:30:00.000Z');
    expect(iso(parseWhen('2026-07-04T10:30:15'))).toBe('2026-07-04T09:30:15.000Z');
    expect(iso(parseWhen('2026-10-25T01:30'))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('a bare date is London midnight', () => {
    expect(iso(parseWhen('2026-12-04'))).toBe('2026-12-04T00:00:00.000Z');
    expect(iso(parseWhen('2026-07-04'))).toBe('2026-07-03T23:00:00.000Z');
  });

  it('throws a clear error on bad input', () => {
    expect(() => parseWhen('xyz')).toThrow(
      'invalid time "xyz": expected ISO 8601 such as 2026-12-03T08:00 (London time) or 2026-12-03T08:00:00Z',
    );
    for (const bad of [
      '',
      'tomorrow',
      '2026-13-01',
      '2026-02-30T10:00',
      '2026-12-03T25:00',
      '2026-12-03T10:60',
      '2026-12-03T10',
      '03/12/2026',
      '2026-12-03T08:00+25:00',
    ]) {
      expect(() => parseWhen(bad), bad).toThrow(/^invalid time ".*": expected ISO 8601/);
    }
  });
});
