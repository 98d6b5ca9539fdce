// Keeping facts fresh from the command line:
// npm run freshness -- contact add SERVICE_ID NUMBER --name NAME
// npm run freshness -- contact list [SERVICE_ID]
// npm run freshness -- contact remove CONTACT_ID
// npm run freshness -- due [--at TIME]     what would be asked (numbers masked; nothing sent)
// npm run freshness -- send [--at TIME]    ask and send what is due (for cron, or a test account)
// TIME is ISO 8601: 2026-12-07T10:00:00Z, or without an offset London time.
import { loadConfig } from '../config.ts';
import { findService } from '../catalogue/offered.ts';
import { makeSender } from '../channels/twilio/index.ts';
import { contactName, contactNumber } from '../freshness/contacts.ts';
import { makeVerifier } from '../freshness/setup.ts';
import { maskNumber } from '../reminders/sender.ts';
import { makeLogger, openRuntime } from '../runtime.ts';
import { parseWhen } from '../time/london.ts';
import { parseArgs, runMain } from './args.ts';

const USAGE = [
  'usage: npm run freshness -- contact add SERVICE_ID NUMBER --name NAME',
  '       npm run freshness -- contact list [SERVICE_ID]',
  '       npm run freshness -- contact remove CONTACT_ID',
  '       npm run freshness -- due [--at TIME] | send [--at TIME]   (TIME: 2026-12-07T10:00 London, or with Z/offset)',
].join('\n');

async function main(): Promise<number> {
  const { opts, rest } = parseArgs(process.argv.slice(2), [], ['at', 'name']);
  const [command, sub] = rest;
  const known = (command === 'contact' && ['add', 'list', 'remove'].includes(sub)) || command === 'due' || command === 'send';
  if (!known) {
    console.error(USAGE);
    return 2;
  }
  const at = typeof opts.at === 'string' ? parseWhen(opts.at) : new Date();
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? (command === 'send' ? 'info' : 'warn') });
  const rt = await openRuntime(config, makeLogger(config.logLevel));
  try {
    const catalogue = rt.live.current();
    if (command === 'contact' && sub === 'add') {
      const [, , serviceId, number] = rest;
      const address = contactNumber(number ?? '');
      const name = typeof opts.name === 'string' ? contactName(opts.name) : null;
      if (!serviceId || !findService(catalogue, serviceId)) {
        console.error(`no service "${serviceId ?? ''}": see the ids with npm run freshness -- contact list, or on the desk`);
        return 2;
      }
      if (!address) {
        console.error('NUMBER: expected a mobile number such as 07700 900555 or +447700900555');
        return 2;
      }
      if (!name) {
        console.error('--name NAME: who answers at that number (up to 80 characters)');
        return 2;
      }
      const c = await rt.freshness.addContact(serviceId, name, address, at);
      await rt.catalogueStore.audit('command line (npm run freshness)', 'contact_add', `${serviceId}: contact ${c.id} (${name})`, at);
      console.log(`contact ${c.id} added to ${serviceId}: ${name}, ${maskNumber(address)}`);
      return 0;
    }
    if (command === 'contact' && sub === 'list') {
      const contacts = await rt.freshness.contacts(rest[2]);
      console.log(`${contacts.length} verification contact${contacts.length === 1 ? '' : 's'}`);
      for (const c of contacts) console.log(`  ${c.id}  ${c.serviceId}  ${c.name}  ${maskNumber(c.address)}${c.status === 'active' ? '' : `  [${c.status.replace('_', ' ')}]`}`);
      return 0;
    }
    if (command === 'contact' && sub === 'remove') {
      const id = Number(rest[2]);
      if (!Number.isInteger(id) || !(await rt.freshness.removeContact(id, at))) {
        console.error(`no contact "${rest[2] ?? ''}": see npm run freshness -- contact list`);
        return 2;
      }
      await rt.catalogueStore.audit('command line (npm run freshness)', 'contact_remove', `contact ${id}`, at);
      console.log(`contact ${id} removed`);
      return 0;
    }
    const verifier = makeVerifier(rt, makeSender(rt.config, rt.logger));
    if (command === 'due') {
      const items = await verifier.due(at);
      console.log(`${items.length} verification text${items.length === 1 ? '' : 's'} due at ${at.toISOString()} (nothing sent)`);
      for (const it of items) console.log(`  ${it.kind}  ${it.serviceId}  ${it.name}  ${it.contact}`);
      if (items.length === 0) console.log('  (requests go on weekdays from 10:00 to 13:00 London time, to services with a contact not confirmed lately)');
      return 0;
    }
    const r = await verifier.tick(at);
    console.log(
      `${config.remindersLive ? 'sent' : 'would send (no Twilio credentials)'}: ${r.sent}, asked: ${r.opened}, reminded: ${r.reminded}, unanswered now: ${r.expired}, retried later: ${r.retried}, failed: ${r.failed}, skipped: ${r.skipped}, recovered: ${r.recovered}`,
    );
    return 0;
  } finally {
    rt.live.stop();
    await rt.store.close();
  }
}

runMain(main);
