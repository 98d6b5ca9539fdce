// Conversations as data: each file in test/conversations is a list of
// {at, send, expect} steps replayed through the pure engine. After a
// deliberate change, rewrite them with UPDATE_TRANSCRIPTS=1 npm test and
// review the diff.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { step } from '../src/conversation/step.ts';
import type { Channel, Session } from '../src/conversation/types.ts';
import { parseWhen } from '../src/time/london.ts';
import { segmentInfo } from '../src/text/segments.ts';
import { ROOT, content } from './helpers.ts';

interface Transcript {
  description: string;
  channel?: Channel;
  steps: Array<{ at: string; send: string; media?: boolean; expect?: string[] }>;
}

const dir = path.join(ROOT, 'test/conversations');
const update = process.env.UPDATE_TRANSCRIPTS === '1';

describe('conversation transcripts', () => {
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const transcript = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Transcript;
    it(`${file}: ${transcript.description}`, () => {
      const { flow, catalogue } = content();
      let session: Session | null = null;
      transcript.steps.forEach((s, i) => {
        const now = parseWhen(s.at);
        const out = step(flow, session, { text: s.send, channel: transcript.channel ?? 'sms', mediaOnly: s.media }, { catalogue, now });
        session = out.session;
        for (const r of out.replies) expect(segmentInfo(r).segments, `step ${i} reply within 3 segments`).toBeLessThanOrEqual(3);
        if (update) s.expect = out.replies;
        else expect(out.replies, `${file} step ${i}: "${s.send}" at ${s.at}`).toEqual(s.expect);
      });
      if (update) fs.writeFileSync(path.join(dir, file), JSON.stringify(transcript, null, 2) + '\n');
    });
  }
});
