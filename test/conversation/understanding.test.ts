// People as they actually text: a city's name or postcode instead of a
// number, a need and a place in one message, "what's open today", thanks,
// LANG as a first message, and a near miss offered back.
import { describe, expect, it } from 'vitest';
import type { Catalogue, Service } from '../../src/catalogue/types.ts';
import { step } from '../../src/conversation/step.ts';
import type { Session } from '../../src/conversation/types.ts';
import { findPlace } from '../../src/conversation/places.ts';
import { normalizeText, tokenize } from '../../src/text/normalize.ts';
import { segmentInfo } from '../../src/text/segments.ts';
import { content } from '../helpers.ts';

const { flow, catalogue } = content();
const MONDAY = new Date('2026-12-07T10:00:00Z'); // Mon 10:00 London (GMT)

function talk(texts: string[], opts: { catalogue?: Catalogue; now?: Date; session?: Session | null } = {}) {
  let session = opts.session ?? null;
  const all: string[][] = [];
  for (const text of texts) {
    const out = step(flow, session, { text, channel: 'sms' }, { catalogue: opts.catalogue ?? catalogue, now: opts.now ?? MONDAY });
    for (const r of out.replies) expect(segmentInfo(r).segments, `"${text}": ${r}`).toBeLessThanOrEqual(3);
    session = out.session;
    all.push(out.replies);
  }
  return { session: session!, replies: all };
}

const place = (text: string) => {
  const norm = normalizeText(text);
  return findPlace(flow.places, norm, tokenize(norm));
};

/** A catalogue of our own: three services in Southampton with known weekly times. */
function timedCatalogue(): Catalogue {
  const c: Catalogue = structuredClone(catalogue);
  const base = c.services.find((s) => s.id === 'st-marys-surgery')!;
  const make = (id: string, name: string, category: string, days: Service['schedules']): Service => ({
    ...structuredClone(base),
    id,
    name,
    categories: [category],
    schedules: days,
    holiday_schedules: [],
    always_open: false,
  });
  const week = (byday: string[], opens_at: string | null, closes_at: string | null) =>
    [{ byday, opens_at, closes_at, note: null }] as unknown as Service['schedules'];
  c.services = c.services.filter((s) => s.area !== 'southampton');
  c.services.push(
    make('morning-food', 'Morning food bank', 'food', week(['MO', 'WE'], '09:00', '12:00')),
    make('afternoon-food', 'Afternoon food bank', 'food', week(['MO'], '14:00', '16:00')),
    make('evening-class', 'Evening English', 'english', week(['MO'], '18:00', '20:00')),
    make('unknown-time', 'Monday drop-in', 'dropin', week(['MO'], null, null)),
    make('thursday-only', 'Thursday advice', 'legal', week(['TH'], '10:00', '12:00')),
  );
  return c;
}

describe('places', () => {
  it('reads city names in any case, with one typo, with "in", in every language file, and short forms', () => {
    for (const text of ['Portsmouth', 'PORTSMOUTH', 'portsmuth', 'in portsmouth', 'pompey', 'پورتسموث', 'بورتسموث', 'ፖርትስማውዝ', '朴茨茅斯']) {
      expect(place(text), text).toMatchObject({ city: 'portsmouth' });
    }
    for (const text of ['southampton', 'Southamton', 'soton', 'ساوتهمپتون', '南安普顿']) expect(place(text), text).toMatchObject({ city: 'southampton' });
  });

  it('maps postcodes and districts SO14-SO19 to Southampton and PO1-PO6 to Portsmouth, anything else to neither', () => {
    for (const d of ['SO14', 'so15 2ab', 'SO16', 'SO17 1BJ', 'SO18', 'SO19 9AA', 'so141lt']) expect(place(d), d).toMatchObject({ city: 'southampton' });
    for (const d of ['PO1', 'po2 9aa', 'PO3', 'PO4 0AB', 'PO5', 'po6 3lx', 'PO40AB']) expect(place(d), d).toMatchObject({ city: 'portsmouth' });
    for (const d of ['SO50 1AA', 'SO30', 'PO7', 'PO12 1AA', 'M1 1AA', 'SW1A 1AA', 'SO13']) expect(place(d), d).toEqual(expect.objectContaining({ outside: true }));
    // Not postcodes: a menu number, a time, an everyday word.
    for (const t of ['2', '10:30', 'hello', 'I need vitamin b12 tablets']) expect(place(t), t).toBeNull();
  });
});

describe('understanding people', () => {
  it('at the city question, a city name or a postcode chooses the city; the postcode is not kept', () => {
    for (const text of ['Portsmouth', 'portsmouth', 'PO4 0AB', 'in Portsmouth please']) {
      const { replies, session } = talk(['hello', text]);
      expect(replies[1][0], text).toMatch(/^Portsmouth: what do you need\?/);
      expect(session.city).toBe('portsmouth');
      expect(JSON.stringify(session)).not.toMatch(/po4|0ab/i);
    }
    expect(talk(['hello', 'southampton']).replies[1][0]).toMatch(/^Southampton: what do you need\?/);
  });

  it('a postcode of neither city says where Waymark works, with 999, and guesses nothing', () => {
    const { replies, session } = talk(['hello', 'SO50 1AA']);
    expect(replies[1][0]).toBe('Waymark covers Southampton and Portsmouth only. Text SOUTHAMPTON or PORTSMOUTH. In danger: call 999.');
    expect(session.city).toBeNull();
    expect(talk(['hello', '1', 'food M1 1AA']).replies[2][0]).toMatch(/^Waymark covers Southampton and Portsmouth only/);
  });

  it('a need and a place in one message answers the need in that city at once and remembers the city', () => {
    for (const [text, head] of [
      ['food portsmouth', /^Food in Portsmouth:/],
      ['FOOD PO1', /^Food in Portsmouth:/],
      ['doctor in southampton', /^Doctor \(GP\) in Southampton:/],
    ] as const) {
      const { replies, session } = talk([text]);
      expect(replies[0][0], text).toMatch(head);
      expect(session.city).not.toBeNull();
    }
    // Persian, from a person who greeted in Persian.
    const fa = talk(['سلام', '2', 'غذا پورتسموث']);
    expect(fa.session.lang).toBe('fa');
    expect(fa.session.city).toBe('portsmouth');
    expect(fa.replies[2][0]).toContain(flow.languages.fa.categories!.food);
    // A need alone still asks the city first, then answers it.
    const only = talk(['food', '1']);
    expect(only.replies[0][0]).toContain('Which city');
    expect(only.replies[1][0]).toMatch(/^Food in Southampton:/);
  });

  it('TODAY lists open now (until), then later today (from), then times not confirmed, and a number opens one', () => {
    const c = timedCatalogue();
    const at = new Date('2026-12-07T10:30:00Z'); // Monday 10:30
    const { replies, session } = talk(['hi', '1', 'TODAY', '2', '0'], { catalogue: c, now: at });
    expect(replies[2][0]).toBe(
      'Open today in Southampton:\n1 Morning food bank, until 12:00\n2 Afternoon food bank, from 14:00\n3 Evening English, from 18:00\n4 Monday drop-in, times not confirmed today\nReply with a number. 0 back',
    );
    expect(replies[3][0]).toMatch(/^Afternoon food bank\n/);
    expect(replies[4][0]).toMatch(/^Open today in Southampton:/);
    expect(session.state).toBe('today');
    // OPEN NOW and NOW say the same; FOOD TODAY only food.
    expect(talk(['hi', '1', 'open now'], { catalogue: c, now: at }).replies[2][0]).toBe(replies[2][0]);
    expect(talk(['hi', '1', 'FOOD TODAY'], { catalogue: c, now: at }).replies[2][0]).toBe(
      'Food open today in Southampton:\n1 Morning food bank, until 12:00\n2 Afternoon food bank, from 14:00\nReply with a number. 0 back',
    );
  });

  it('TODAY leaves out what has closed and lines always open, except under CRISIS', () => {
    const c = timedCatalogue();
    const evening = new Date('2026-12-07T17:00:00Z');
    const list = talk(['hi', '1', 'TODAY'], { catalogue: c, now: evening }).replies[2][0];
    expect(list).not.toMatch(/Morning food bank|Samaritans|999/);
    expect(list).toContain('Evening English, from 18:00');
    // "crisis" is also a danger word: the crisis numbers come first, then the list.
    expect(talk(['hi', '1', 'CRISIS TODAY'], { catalogue: c, now: evening }).replies[2][1]).toMatch(/Samaritans, open now/);
  });

  it('TODAY on a Sunday, with nothing open, says so and gives the next opening', () => {
    const c = timedCatalogue();
    const sunday = new Date('2026-12-06T11:00:00Z');
    expect(talk(['hi', '1', 'TODAY'], { catalogue: c, now: sunday }).replies[2][0]).toBe(
      'Nothing is known to be open today in Southampton. Next: Morning food bank, Monday 09:00. Reply MENU for all.',
    );
  });

  it('TODAY respects a closure date', () => {
    const c = timedCatalogue();
    c.services.find((s) => s.id === 'morning-food')!.holiday_schedules = [
      { closed: true, start_date: '2026-12-07', end_date: '2026-12-07', opens_at: null, closes_at: null, note: 'staff training' },
    ];
    const list = talk(['hi', '1', 'FOOD TODAY'], { catalogue: c, now: new Date('2026-12-07T10:30:00Z') }).replies[2][0];
    expect(list).not.toContain('Morning food bank');
    expect(list).toContain('Afternoon food bank, from 14:00');
  });

  it('TODAY in London time on both clock-change days', () => {
    const c = timedCatalogue();
    for (const s of c.services) if (s.schedules?.length) for (const r of s.schedules) (r as { byday: string[] }).byday = ['SU'];
    // 29 March 2026: clocks go forward at 01:00 GMT. 08:30 UTC is 09:30 BST.
    expect(talk(['hi', '1', 'FOOD TODAY'], { catalogue: c, now: new Date('2026-03-29T08:30:00Z') }).replies[2][0]).toMatch(
      /1 Morning food bank, until 12:00\n2 Afternoon food bank, from 14:00/,
    );
    // 25 October 2026: clocks go back. 11:30 UTC is 11:30 GMT: still open; at 12:30 UTC it has closed.
    expect(talk(['hi', '1', 'FOOD TODAY'], { catalogue: c, now: new Date('2026-10-25T11:30:00Z') }).replies[2][0]).toMatch(/Morning food bank, until 12:00/);
    expect(talk(['hi', '1', 'FOOD TODAY'], { catalogue: c, now: new Date('2026-10-25T12:30:00Z') }).replies[2][0]).not.toMatch(/Morning food bank/);
  });

  it('thanks, ok and bye get a short friendly reply with MENU, never "did not understand"', () => {
    const base = talk(['hi', '1']).session;
    for (const text of ['thanks', 'thank you', 'Thank you!', 'ok', 'bye', 'merci']) {
      const reply = talk([text], { session: base }).replies[0][0];
      expect(reply, text).toContain('MENU');
      expect(reply, text).not.toMatch(/did not understand|pas compris/);
    }
  });

  it('LANG as a first message lists the languages; the English welcome says how to get another one', () => {
    const first = talk(['LANG']).replies[0][0];
    for (const name of ['English', 'العربية', 'فارسی', 'ትግርኛ', 'Soomaali']) expect(first).toContain(name);
    const welcome = talk(['hello']).replies[0];
    expect(welcome[1]).toMatch(/LANG/);
    expect(welcome[1]).toMatch(/العربية/);
  });

  it('asked which language, a city named in one language\'s spelling picks that language and the city', () => {
    const asked = talk(['غذا']).session; // Persian and Pashto both have the word: both are offered
    expect(asked.state).toBe('choose_lang');
    const offered = { ...asked, langOffer: ['fa', 'ur'] };
    const { replies, session } = talk(['پورٹسمتھ'], { session: offered }); // Urdu's spelling (ٹ)
    expect(session.city).toBe('portsmouth');
    expect(session.lang).toBe('ur');
    expect(replies[0][0]).toContain(flow.languages.ur.categories!.food);
    // A spelling two offered languages share keeps asking, with the city remembered.
    const shared = talk(['ዝርዝር', 'ፖርትስማውዝ']);
    expect(shared.session.city).toBe('portsmouth');
    expect(shared.session.state).toBe('choose_lang');
  });

  it('a near miss is offered back ("Did you mean FOOD?"), otherwise the usual hint', () => {
    const base = talk(['hi', '1']).session;
    expect(talk(['fod'], { session: base }).replies[0][0]).toBe('Sorry, I did not understand. Did you mean FOOD? Text FOOD, or MENU for a list.');
    expect(talk(['doktor'], { session: base }).replies[0][0]).toMatch(/^Doctor|Did you mean DOCTOR/);
    expect(talk(['xylophone'], { session: base }).replies[0][0]).toMatch(/^Sorry, I did not understand. Text one word/);
  });
});
