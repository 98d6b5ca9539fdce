// Builds the freshness parts from the runtime: the answers the webhook (and
// the simulator) read first, and the verifier the server runs every minute.
import os from 'node:os';
import type { Runtime } from '../runtime.ts';
import type { Pacer } from '../reminders/pacer.ts';
import type { Sender } from '../reminders/sender.ts';
import { ProviderAnswers } from './answers.ts';
import { confirmer } from './confirm.ts';
import { Verifier } from './verifier.ts';

export function providerAnswers(rt: Pick<Runtime, 'freshness' | 'live' | 'subjects' | 'logger'>): ProviderAnswers {
  return new ProviderAnswers({ store: rt.freshness, confirm: confirmer(rt.live), subjects: rt.subjects, logger: rt.logger });
}

export function makeVerifier(rt: Runtime, sender: Sender, pacer?: Pacer): Verifier {
  return new Verifier({
    store: rt.freshness,
    sender,
    flow: rt.flow,
    live: rt.live,
    subjects: rt.subjects,
    logger: rt.logger,
    worker: `${os.hostname()}:${process.pid}`,
    verifyAfterDays: rt.config.verifyAfterDays,
    mps: rt.config.reminderMps,
    pacer,
  });
}
