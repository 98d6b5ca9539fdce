// Builds the dispatcher from configuration, with the sender it is given
// (Twilio's, or one that only logs: see src/channels/twilio/index.ts).
import os from 'node:os';
import type { Runtime } from '../runtime.ts';
import { Dispatcher } from './dispatcher.ts';
import type { Pacer } from './pacer.ts';
import type { Sender } from './sender.ts';

export function makeDispatcher(rt: Runtime, sender: Sender, pacer?: Pacer): Dispatcher {
  const { config } = rt;
  return new Dispatcher({
    store: rt.store,
    sender,
    flow: rt.flow,
    catalogue: rt.catalogue,
    live: rt.live,
    staffMessageText: (id) => rt.catalogueStore.staffMessageText(id),
    whatsappMessageContentSid: config.twilio.whatsappMessageContentSid,
    logger: rt.logger,
    mps: config.reminderMps,
    pacer,
    worker: `${os.hostname()}:${process.pid}`,
    whatsappContentSid: config.twilio.whatsappReminderContentSid,
    statusCallbackUrl: config.publicBaseUrl ? `${config.publicBaseUrl}/twilio/status` : null,
  });
}
