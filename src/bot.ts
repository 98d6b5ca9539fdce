// The host around the pure engine: finds the person's session, runs step(),
// stores the outcome in one transaction, and answers a repeated MessageSid
// with the replies it had before.
import type { Logger } from 'pino';
import type { Catalogue } from './catalogue/types.ts';
import { crisisReply, newSession, reviveSession, step } from './conversation/step.ts';
import { Texts } from './conversation/render.ts';
import type { Flow } from './conversation/types.ts';
import type { InboundMessage } from './core/inbound.ts';
import type { PersonReminderStore, SessionStore } from './store/store.ts';
import { KeyedLock } from './store/keyed-lock.ts';
import type { Subjects } from './store/subject.ts';
import { FloodGuard, type FloodLimits } from './core/flood.ts';
import { reportCount } from './report/count.ts';

export interface BotDeps {
  flow: Flow;
  catalogue: Catalogue;
  /** The live catalogue (the staff desk edits it); `catalogue` when absent. */
  live?: { current(): Catalogue };
  /** Sessions and turns, and each person's reminders (given to the engine). */
  store: SessionStore & PersonReminderStore;
  subjects: Subjects;
  logger: Logger;
  /** Per-sender flood control; none if not given (the simulator). */
  flood?: FloodLimits;
  /** Providers' answers to verification requests, read before the conversation (src/freshness/answers.ts); given the sender's keyed hash, computed once. */
  providers?: { take(msg: InboundMessage, now: Date, subject: string): Promise<string[] | null> };
}

export interface Handled {
  replies: string[];
  duplicate: boolean;
  /** The sender is flooding: a single "slow down", then nothing, and nothing is recorded. */
  throttled?: boolean;
}

export class Bot {
  private readonly lock = new KeyedLock();
  /** Last language seen per person, for the reply that skips the store (flood control). Bounded. */
  private readonly langs = new Map<string, string>();
  private readonly flood: FloodGuard | null;
  private readonly reportKey: Buffer;
  constructor(readonly deps: BotDeps) {
    this.flood = deps.flood ? new FloodGuard(deps.flood) : null;
    this.reportKey = deps.subjects.reportKey();
  }

  async handle(msg: InboundMessage, now: Date): Promise<Handled> {
    const { flow, store, subjects, logger } = this.deps;
    const catalogue = this.deps.live?.current() ?? this.deps.catalogue;
    const subject = subjects.subject(msg.address);
    const verdict = this.flood?.check(subject, now.getTime()) ?? 'ok';
    if (verdict !== 'ok') {
      if (verdict === 'warn') logger.warn({ sid: msg.messageId, who: subjects.logTag(msg.address) }, 'sender flooding: throttled');
      const lang = this.langs.get(subject) ?? flow.defaultLang;
      // Even a flooding sender who speaks of danger gets the crisis numbers.
      const crisis = crisisReply(flow, lang, msg.text);
      if (crisis) return { replies: [crisis], duplicate: false, throttled: true };
      return { replies: verdict === 'warn' ? [new Texts(flow, lang).t('slow_down')] : [], duplicate: false, throttled: true };
    }
    return this.lock.run(subject, async () => {
      // A provider answering "Still right?" is not a person texting: not a conversation turn.
      // Even then, words of danger get the crisis numbers first.
      const answer = await this.deps.providers?.take(msg, now, subject);
      if (answer) {
        const crisis = crisisReply(flow, this.langs.get(subject) ?? flow.defaultLang, msg.text);
        return { replies: crisis ? [crisis, ...answer] : answer, duplicate: false };
      }
      // Another instance may change this person's session between our read
      // and our write: then the store says 'conflict' and we step again.
      for (let attempt = 1; ; attempt++) {
        // The repeat check, the session and the reminders (the store's: the
        // dispatcher may have dropped one), handed to the engine.
        const start = await store.startTurn(subject, msg.messageId);
        if (start.repeated) {
          logger.info({ sid: msg.messageId, who: subjects.logTag(msg.address) }, 'repeated delivery: same reply');
          return { replies: start.repeated, duplicate: true };
        }
        const { session: stored, reminders } = start;
        const ctx = { catalogue, now, reminders };
        const session = stored ? reviveSession(flow, stored.data, ctx) : null;
        const result = step(
          flow,
          session,
          { text: msg.text, channel: msg.channel, mediaOnly: msg.mediaCount > 0 && !msg.text.trim() },
          ctx,
        );
        const outcome = await store.saveTurn({
          subject,
          messageId: msg.messageId,
          session: result.session,
          expectedVersion: stored?.version ?? 0,
          replies: result.replies,
          at: now,
          effects: result.effects,
          contact: { address: msg.address, channel: msg.channel, lang: result.session.lang },
          count: reportCount({ result, subject, channel: msg.channel, now, key: this.reportKey }),
          reminders,
        });
        if (outcome === 'duplicate') {
          // Another instance handled the same MessageSid first: answer as it did.
          return { replies: (await store.getProcessed(msg.messageId!)) ?? result.replies, duplicate: true };
        }
        if (outcome === 'conflict') {
          if (attempt < 5) continue;
          throw new Error('session kept changing under us: gave up after 5 attempts');
        }
        this.remember(subject, result.session.lang);
        // One line per message only when debugging: at the default level a
        // message costs no log write (a write(2) on the hot path of every turn).
        if (logger.isLevelEnabled('debug')) {
          logger.debug(
            { sid: msg.messageId, who: subjects.logTag(msg.address), state: result.session.state, replies: result.replies.length },
            'message handled',
          );
        }
        return { replies: result.replies, duplicate: false };
      }
    });
  }

  private remember(subject: string, lang: string): void {
    if (lang === this.deps.flow.defaultLang) return;
    if (this.langs.size > 50_000) this.langs.clear();
    this.langs.set(subject, lang);
  }

  /** Set a person's language (the simulator's --lang), as choosing it from LANG would. */
  async setLanguage(address: string, lang: string, now: Date): Promise<void> {
    const { flow, store, subjects } = this.deps;
    const catalogue = this.deps.live?.current() ?? this.deps.catalogue;
    if (!flow.languages[lang]) {
      throw new Error(`unknown language "${lang}" (known: ${Object.keys(flow.languages).join(', ')})`);
    }
    const subject = subjects.subject(address);
    await this.lock.run(subject, async () => {
      const stored = await store.getSession(subject);
      const session = reviveSession(flow, stored?.data ?? newSession(flow), { catalogue, now });
      session.lang = lang;
      await store.saveTurn({
        subject,
        messageId: null,
        session,
        expectedVersion: stored?.version ?? 0,
        replies: [],
        at: now,
        effects: [],
        contact: { address, channel: address.startsWith('whatsapp:') ? 'whatsapp' : 'sms', lang },
      });
    });
  }

  /** Forget the person: the simulator's --fresh, and FORGET. */
  async forget(address: string): Promise<void> {
    await this.deps.store.forget(this.deps.subjects.subject(address));
  }
}
