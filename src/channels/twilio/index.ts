// The Twilio edge: the webhook plugin (inbound messages, delivery updates)
// and the REST sender reminders go out through.
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { LogSender, type Sender } from '../../reminders/sender.ts';
import { TwilioSender } from './sender.ts';

export { twilioEdge, type TwilioEdgeOptions } from './plugin.ts';
export { TwilioSender } from './sender.ts';

/** Twilio's REST API when credentials are set, else a sender that only logs what it would send (masked numbers). */
export function makeSender(config: Config, logger: Logger): Sender {
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
