import { describe, expect, it } from 'vitest';
import { categoriesFor, offeredServices } from '../../src/catalogue/offered.ts';
import type { Catalogue, CityId } from '../../src/catalogue/types.ts';
import { newSession, reviveSession, step } from '../../src/conversation/step.ts';
import type { Session } from '../../src/conversation/types.ts';
import { segmentInfo } from '../../src/text/segments.ts';
import { content } from '../helpers.ts';

const NOW = new Date('2026-12-04T10:30:00Z');
const { flow, catalogue } = content();

function talk(texts: string[], opts: { catalogue?: Catalogue; now?: Date; session?: Session | null } = {}) {
  let session = opts.session ?? null;
  const all: string[][] = [];
  for (const text of texts) {
    const out = step(flow, session, { text, channel: 'sms' }, { catalogue: opts.catalogue ?? catalogue, now: opts.now ?? NOW });
    session = out.session;
    all.push(out.replies);
  }
  return { session: session!, replies: all };
}

describe('step()', () => {
  it('is pure: the same session, message, catalogue and time give the same answer, and the input is not changed', () => {
    const { session } = talk(['hi', '1', 'FOOD']);
    const frozen = structuredClone(session);
    const a = step(flow, session, { text: '1', channel: 'sms' }, { catalogue, now: NOW });
    const b = step(flow, session, { text: '1', channel: 'sms' }, { catalogue, now: NOW });
    expect(a).toEqual(b);
    expect(session).toEqual(frozen);
  });

  it('remembers what a first-time texter asked for and answers it once they pick a city', () => {
    const { replies, session } = talk(['LEGAL', '2']);
    expect(replies[0][0]).toContain('Which city');
    expect(replies[1][0]).toMatch(/^Legal advice in Portsmouth:/);
    expect(session.city).toBe('portsmouth');
  });

  it('forgives one wrong letter in words of four letters or more, not in shorter ones', () => {
    const base = talk(['hi', '1']).session;
    const answer = (text: string) => talk([text], { session: base }).replies[0][0];
    expect(answer('foood')).toMatch(/^Food in Southampton/);
    expect(answer('doctr')).toMatch(/^Doctor \(GP\) in Southampton/);
    expect(answer('Engilsh')).toMatch(/^English classes in Southampton/);
    expect(answer('fod')).toMatch(/did not understand/);
  });

  it('prefers an exact keyword to a near one, and a service word to HELP', () => {
    const base = talk(['hi', '1']).session;
    expect(talk(['can you find me food'], { session: base }).replies[0][0]).toMatch(/^Food in/);
    expect(talk(['I need help with a lawyer'], { session: base }).replies[0][0]).toMatch(/^Legal advice in/);
    expect(talk(['mental health'], { session: base }).replies[0][0]).toMatch(/^Mental health in/);
  });

  it('puts the crisis numbers first in every state', () => {
    const states = [[], ['hi'], ['hi', '1'], ['hi', '1', 'FOOD'], ['hi', '1', 'FOOD', '1']];
    for (const before of states) {
      const { session } = before.length ? talk(before) : { session: null };
      const out = step(flow, session, { text: 'I want to kill myself', channel: 'sms' }, { catalogue, now: NOW });
      expect(out.replies[0]).toMatch(/999.*111, option 2.*116 123/s);
      // The first contact also gets the line on how to choose another language.
      expect(out.replies.length).toBe(before.length ? 2 : 3);
    }
  });

  it('pages a reply that does not fit 3 segments, and MORE gives the rest', () => {
    // A catalogue with many food services in Southampton.
    const big: Catalogue = structuredClone(catalogue);
    const template = offeredServices(catalogue, 'southampton', 'food')[0];
    const own = offeredServices(catalogue, 'southampton', 'food').length;
    for (let i = 0; i < 30; i++) {
      big.services.push({ ...structuredClone(template), id: `extra-${i}`, name: `Community food project number ${i + 1}` });
    }
    const { replies } = talk(['hi', '1', 'FOOD', 'MORE', 'MORE', 'MORE', 'MORE'], { catalogue: big });
    const pages = replies.slice(2).map((r) => r[0]);
    expect(pages[0]).toMatch(/Reply MORE for more$/);
    for (const p of pages) expect(segmentInfo(p).segments).toBeLessThanOrEqual(3);
    const listed = pages.join('\n').match(/^\d+ /gm)!.length;
    expect(listed).toBe(own + 30);
    expect(pages.at(-1)).toBe('That is all. Reply MENU for the list.');
    // The whole list was shown; a number from its last page still works.
    const after = talk([String(own + 30)], { catalogue: big, session: talk(['hi', '1', 'FOOD'], { catalogue: big }).session });
    expect(after.replies[0][0]).toMatch(/^Community food project number 30/);
  });

  it('welcomes someone whose first message was STOP once they text again (regression: an empty reply)', () => {
    const { replies } = talk(['STOP', '0']);
    expect(replies[0]).toEqual([]);
    expect(replies[1][0]).toContain('Welcome to Waymark');
  });

  it('mends a stored session that no longer fits the flow or the catalogue', () => {
    const s = reviveSession(flow, { ...newSession(flow), state: 'gone', city: 'southampton', service: 'no-such' }, { catalogue, now: NOW });
    expect(s.state).toBe('categories');
    expect(s.service).toBeNull();
  });

  it('never offers a closed service or one for professionals', () => {
    for (const city of ['southampton', 'portsmouth'] as CityId[]) {
      for (const c of categoriesFor(catalogue, city)) {
        for (const svc of offeredServices(catalogue, city, c.id)) {
          expect(svc.status).toBe('active');
          expect(svc.audience).toBe('public');
        }
      }
    }
    const { replies } = talk(['hi', '1', 'DROPIN']);
    expect(replies[2][0]).not.toMatch(/City of Sanctuary Southampton/);
  });
});

describe('every reply fits 3 SMS segments', () => {
  // Walk every menu and every service's details, in both cities, at several
  // moments of the week (the "now" line changes the length).
  const moments = ['2026-12-04T10:30:00Z', '2026-12-06T23:00:00Z', '2026-07-06T09:00:00Z'].map((d) => new Date(d));
  for (const [i, city] of (['southampton', 'portsmouth'] as CityId[]).entries()) {
    it(`in ${city}`, () => {
      let checked = 0;
      for (const now of moments) {
        const start = talk(['hi', String(i + 1)], { now });
        const check = (rs: string[]) => {
          for (const r of rs) {
            checked++;
            expect(segmentInfo(r).segments, r).toBeLessThanOrEqual(3);
            expect(r).not.toMatch(/\{[a-z_]+\}|undefined|null|NaN/);
          }
        };
        start.replies.forEach(check);
        categoriesFor(catalogue, city).forEach((c, ci) => {
          const list = talk(['MENU', String(ci + 1)], { session: start.session, now });
          list.replies.forEach(check);
          offeredServices(catalogue, city, c.id).forEach((_, si) => {
            const details = talk([String(si + 1), 'MORE'], { session: list.session, now });
            details.replies.forEach(check);
          });
        });
      }
      expect(checked).toBeGreaterThan(50);
    });
  }
});
