// The texts to providers and how their answers are read.
import { describe, expect, it } from 'vitest';
import { ASK, isYes, requestText } from '../../src/freshness/messages.ts';
import { segmentInfo } from '../../src/text/segments.ts';
import { content } from '../helpers.ts';

describe('texts to providers', () => {
  it('every service\'s request and reminder say its name, times, place and phone and the question, within 3 segments', () => {
    const { flow, catalogue } = content();
    for (const s of catalogue.services) {
      for (const kind of ['request', 'reminder'] as const) {
        const t = requestText(flow, s, kind);
        expect(segmentInfo(t).segments, `${s.id}: ${t}`).toBeLessThanOrEqual(3);
        expect(t).toContain(s.name);
        expect(t).toMatch(/\nOpen: .+\nWhere: .+\nPhone: .+\n/);
        expect(t.endsWith(ASK)).toBe(true);
        expect(t.startsWith('Reminder: ')).toBe(kind === 'reminder');
      }
    }
  });

  it('reads YES, Y, "YES." and "yes it is" as yes, case and punctuation ignored; anything more is for staff', () => {
    for (const yes of ['YES', 'Y', 'YES.', 'yes it is', 'Yes!', ' y ', "Yes, it's still right, thanks"]) expect(isYes(yes), yes).toBe(true);
    for (const other of ['Yes but we moved', 'no', 'We close at 2 now', 'yesterday', 'YES 11:00', '', 'ok']) expect(isYes(other), other).toBe(false);
  });
});
