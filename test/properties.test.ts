// Property-based: any text, any sequence of messages, any state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reviveSession, step } from '../src/conversation/step.ts';
import type { Session } from '../src/conversation/types.ts';
import { segmentInfo } from '../src/text/segments.ts';
import { content, makeApp, messages, signed, sms } from './helpers.ts';

const { flow, catalogue } = content();
const keywords = Object.values(flow.languages).flatMap((p) => Object.values(p.keywords).flat());

// Messages people might send: keywords of every language, numbers, Eastern
// digits, emoji, right-to-left text, control characters, long junk.
const message = fc.oneof(
  fc.constantFrom(...keywords),
  fc.constantFrom('0', '1', '2', '3', '9', '99', '١', '۲', 'MORE', 'REMIND', 'REMIND OFF 1', 'REMIND EVENING', 'STOP', 'START', 'LANG', 'FORGET', 'CITY'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ maxLength: 3000 }),
);
const moment = fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2028-12-31T23:59:59Z'), noInvalidDate: true });

describe('the engine, for any messages', () => {
  it('never throws, answers within 3 segments, and leaves a valid session', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(message, moment, fc.boolean()), { minLength: 1, maxLength: 12 }), (turns) => {
        let session: Session | null = null;
        for (const [text, now, whatsapp] of turns) {
          const out = step(flow, session, { text, channel: whatsapp ? 'whatsapp' : 'sms' }, { catalogue, now });
          for (const r of out.replies) {
            expect(segmentInfo(r).segments).toBeLessThanOrEqual(3);
            expect(r.length).toBeGreaterThan(0);
          }
          // The session survives a round trip through storage unchanged.
          const stored = JSON.parse(JSON.stringify(out.session));
          expect(reviveSession(flow, stored, { catalogue, now })).toEqual(out.session);
          session = out.session;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the webhook, for any body', () => {
  it('answers 200 with TwiML within the budget, never a 500', async () => {
    const { app, store } = await makeApp();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 20 }), async (texts, who) => {
          for (const text of texts) {
            const res = await app.inject(signed(sms(`+4477009${String(who).padStart(5, '0')}`, text)));
            expect(res.statusCode).toBe(200);
            expect(res.headers['content-type']).toMatch(/text\/xml/);
            for (const m of messages(res.body)) expect(segmentInfo(m).segments).toBeLessThanOrEqual(3);
          }
        }),
        { numRuns: 60 },
      );
    } finally {
      await app.close();
      await store.close();
    }
  });
});
