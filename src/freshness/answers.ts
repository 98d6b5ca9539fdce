// A provider's answer: a text from a number with an open request, read by
// the webhook before any conversation handling. YES (Y, "YES.", "yes it is")
// confirms the service now; anything else is kept with the service for staff
// (Needs attention). Opt-out words are never answers: they stop verification
// texts to that number and go on to the conversation as from anyone.
import type { Logger } from 'pino';
import { TWILIO_OPT_OUT } from '../conversation/registry.ts';
import type { InboundMessage } from '../core/inbound.ts';
import type { Subjects } from '../store/subject.ts';
import { normalizeText, tokenize } from '../text/normalize.ts';
import type { Confirm } from './confirm.ts';
import { THANKS_OTHER, THANKS_YES, isYes } from './messages.ts';
import type { FreshnessStore } from './store.ts';

const OPT_IN = ['start', 'unstop'];

export interface AnswerDeps {
  store: FreshnessStore;
  confirm: Confirm;
  subjects: Subjects;
  logger: Logger;
}

/** How long the set of contact numbers is trusted before it is read again (contacts added elsewhere). */
const CONTACTS_TTL_MS = 30_000;

export class ProviderAnswers {
  /** Hashes of every contact's number: a text from anyone else costs no query. */
  private known: { at: number; changes: number; subjects: Set<string> } | null = null;

  constructor(private readonly o: AnswerDeps) {}

  private async isContact(subject: string): Promise<boolean> {
    const { store } = this.o;
    const t = performance.now();
    if (!this.known || t - this.known.at > CONTACTS_TTL_MS || this.known.changes !== store.contactChanges) {
      const changes = store.contactChanges;
      this.known = { at: t, changes, subjects: await store.contactSubjects() };
    }
    return this.known.subjects.has(subject);
  }

  /**
   * A text from a provider with an open request is their answer: the reply to
   * send, or null when it is not an answer (then the conversation handles it).
   * Opt-out words stop verification texts to the number and are never answers.
   */
  /** `subject`: the sender's keyed hash, when the caller has it already (the bot does). */
  async take(msg: Pick<InboundMessage, 'address' | 'text' | 'messageId'>, now: Date, subject = this.o.subjects.subject(msg.address)): Promise<string[] | null> {
    const { store, logger, subjects } = this.o;
    if (!(await this.isContact(subject))) return null;
    const tokens = tokenize(normalizeText(msg.text));
    if (tokens.length === 1 && TWILIO_OPT_OUT.includes(tokens[0])) {
      if ((await store.optOut(subject, now)) > 0) logger.info({ who: subjects.logTag(msg.address) }, 'verification contact opted out');
      return null;
    }
    if (msg.messageId) {
      const before = await store.answerReply(msg.messageId);
      if (before !== null) return [before];
    }
    const req = await store.openRequestFrom(subject);
    if (!req) {
      if (tokens.length === 1 && OPT_IN.includes(tokens[0])) await store.optIn(subject);
      return null;
    }
    const yes = isYes(msg.text);
    if (yes) {
      const saved = await this.o.confirm(req.serviceId, { how: 'provider_sms', email: null, note: req.contactName }, now);
      if (!saved.ok) {
        // Kept as a reply for staff instead: nothing is lost.
        logger.error({ service: req.serviceId, request: req.id, errors: saved.errors }, 'provider said YES but the catalogue could not be saved');
      }
      const reply = saved.ok ? THANKS_YES : THANKS_OTHER;
      await store.answer(req.id, { confirmed: saved.ok, text: saved.ok ? null : msg.text, messageId: msg.messageId, reply, now });
      logger.info({ service: req.serviceId, request: req.id, confirmed: saved.ok }, 'provider answered');
      return [reply];
    }
    const ok = await store.answer(req.id, { confirmed: false, text: msg.text, messageId: msg.messageId, reply: THANKS_OTHER, now });
    if (!ok) return null;
    logger.info({ service: req.serviceId, request: req.id, confirmed: false }, 'provider answered: changes for staff');
    return [THANKS_OTHER];
  }
}
