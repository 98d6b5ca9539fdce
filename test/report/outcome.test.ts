// What the engine says a message came to, for the needs report: data in its
// result (outcome, category), decided without I/O.
import { describe, expect, it } from 'vitest';
import { step } from '../../src/conversation/step.ts';
import type { Session, StepResult } from '../../src/conversation/types.ts';
import { content } from '../helpers.ts';

const NOW = new Date('2026-12-04T10:30:00Z');
const { flow, catalogue } = content();

/** Each message's (outcome, category), or null when it is not counted. */
function heard(texts: string[]): Array<[string, string] | null> {
  let session: Session | null = null;
  return texts.map((text) => {
    const out: StepResult = step(flow, session, { text, channel: 'sms' }, { catalogue, now: NOW });
    session = out.session;
    return out.outcome ? [out.outcome, out.category ?? '(none)'] : null;
  });
}

describe('the outcome of a message', () => {
  it('is answered when services are listed or a service is shown, in the category they are in', () => {
    expect(heard(['hi', '1', 'FOOD', '1', '0', 'MORE'])).toEqual([null, null, ['answered', 'food'], ['answered', 'food'], ['answered', 'food'], null]);
  });

  it('is counted once the city is known, for a first message that named a need', () => {
    expect(heard(['LEGAL', '2'])).toEqual([null, ['answered', 'legal']]);
  });

  it('is nothing listed for a need with no service in the city', () => {
    expect(heard(['hi', '2', 'DOCTOR'])).toEqual([null, null, ['nothing_listed', 'doctor']]);
  });

  it('counts the "open today" list of a need as answered, and a need with nothing in the city as nothing listed', () => {
    expect(heard(['hi', '2', 'DOCTOR TODAY', 'FOOD TODAY', '1', 'TODAY'])).toEqual([null, null, ['nothing_listed', 'doctor'], ['answered', 'food'], ['answered', 'food'], null]);
  });

  it('counts a need named with its city at once', () => {
    expect(heard(['food portsmouth'])).toEqual([['answered', 'food']]);
  });

  it('is not understood, with no category, for words the bot does not know; menus and HELP are not counted', () => {
    expect(heard(['hi', '1', 'MENU', 'HELP', 'zzgrq wibble'])).toEqual([null, null, null, null, ['not_understood', '']]);
  });

  it('is crisis for danger words, whatever else the message did', () => {
    expect(heard(['hi', '1', 'FOOD I want to kill myself', 'I am in danger'])).toEqual([null, null, ['crisis', 'crisis'], ['crisis', 'crisis']]);
  });
});
