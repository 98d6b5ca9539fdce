// Builds the dispatcher from configuration: Twilio when credentials are set,
// else a sender that only logs what it would send (masked numbers).
import os from 'node:os';
import type { Runtime } from '../runtime.ts';
import { Dispatcher } from './dispatcher.ts';
import { LogSender, TwilioSender, type Sender } from './sender.ts';

export function makeSender(rt: Runtime): Sender {
  const { config, logger } = rt;
  if (config.remindersLive) {
    return new TwilioSender({
      accountSid: config.twilio.accountSid!,
      authToken: config.twilioAuthToken!,
      messagingServiceSid: config.twilio.messagingServiceSid,
      smsFrom: config.twilio.smsFrom,
      whatsappFrom: config.twilio.whatsappFrom,
      apiBaseUrl: config.twilio.apiBaseUrl,
    });
  }
  return new LogSender((line, fields) => logger.info(fields, line));
}

export function makeDispatcher(rt: Runtime, sender: Sender = makeSender(rt)): Dispatcher {
  const { config } = rt;
  return new Dispatcher({
    store: rt.store,
    sender,
    flow: rt.flow,
    catalogue: rt.catalogue,
    logger: rt.logger,
    mps: config.reminderMps,
    worker: `${os.hostname()}:${process.pid}`,
    whatsappContentSid: config.twilio.whatsappReminderContentSid,
    statusCallbackUrl: config.publicBaseUrl ? `${config.publicBaseUrl}/twilio/status` : null,
  });
}
