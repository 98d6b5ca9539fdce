// npm run reminders -- due --at TIME    what would be sent at that moment (nothing is sent)
// npm run reminders -- send [--at TIME] send what is due and unsent (for cron, or a test account)
// TIME is ISO 8601: 2026-12-03T08:00:00Z, 2026-12-03T08:00+00:00, or without an offset London time.
import { loadConfig } from '../config.ts';
import { findService } from '../catalogue/offered.ts';
import { due } from '../reminders/due.ts';
import { maskNumber } from '../reminders/sender.ts';
import { makeDispatcher } from '../reminders/setup.ts';
import { makeSender } from '../channels/twilio/index.ts';
import { makeLogger, openRuntime } from '../runtime.ts';
import { parseWhen } from '../time/london.ts';
import { parseArgs, runMain } from './args.ts';

const USAGE = 'usage: npm run reminders -- due --at TIME | send [--at TIME]   (TIME: 2026-12-03T08:00 London, or with Z/offset)';

async function main(): Promise<number> {
  const { opts, rest } = parseArgs(process.argv.slice(2), [], ['at']);
  const command = rest[0];
  if (command !== 'due' && command !== 'send') {
    console.error(USAGE);
    return 2;
  }
  if (command === 'due' && typeof opts.at !== 'string') {
    console.error('due needs --at TIME\n' + USAGE);
    return 2;
  }
  const at = typeof opts.at === 'string' ? parseWhen(opts.at) : new Date();
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? (command === 'due' ? 'warn' : 'info') });
  const rt = await openRuntime(config, makeLogger(config.logLevel));
  try {
    if (command === 'due') {
      const items = due(rt.catalogue, await rt.store.activeSubscriptions(), at);
      const contacts = await rt.store.subscriptionContacts(items.map((i) => i.subscriptionId));
      console.log(`${items.length} reminder${items.length === 1 ? '' : 's'} due at ${at.toISOString()} (nothing sent)`);
      for (const it of items) {
        const c = contacts.get(it.subscriptionId);
        const service = findService(rt.catalogue, it.serviceId)?.name ?? it.serviceId;
        let note = '';
        if (c?.channel === 'whatsapp') {
          const inWindow = c.lastInboundAt && at.getTime() - c.lastInboundAt.getTime() <= 24 * 3600_000;
          if (!inWindow) note = config.twilio.whatsappReminderContentSid ? ' [WhatsApp template]' : ' [NOT SENT: outside WhatsApp 24h window and no TWILIO_WHATSAPP_REMINDER_CONTENT_SID]';
        }
        console.log(`  ${it.sendAt.toISOString()}  ${it.kind === 'closed_notice' ? 'closed notice' : 'reminder'}  ${service} (${it.occurrenceDate})  ${c ? maskNumber(c.address) : '?'}  ${c?.channel ?? ''}${note}`);
      }
      const pending = (await rt.store.outboxRows()).filter((r) => r.status === 'pending' && r.sendAt <= at);
      if (pending.length) console.log(`${pending.length} already in the outbox, waiting to be sent or retried`);
      return 0;
    }
    const report = await makeDispatcher(rt, makeSender(rt.config, rt.logger)).tick(at);
    console.log(
      `${config.remindersLive ? 'sent' : 'would send (no Twilio credentials)'}: ${report.sent}, retried later: ${report.retried}, failed: ${report.failed}, skipped: ${report.skipped}, newly due: ${report.enqueued}, recovered: ${report.recovered}`,
    );
    return 0;
  } finally {
    await rt.store.close();
  }
}

runMain(main);
