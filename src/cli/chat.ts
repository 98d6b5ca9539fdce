// npm run chat: talk to the bot in a terminal, through the same engine,
// catalogue, flows and store as the webhook, without Twilio.
//   npm run chat -- --from +447700900123 --channel sms --now 2026-12-04T10:30 --fresh --lang fa
import readline from 'node:readline';
import { Bot } from '../bot.ts';
import { loadConfig } from '../config.ts';
import { makeLogger, openRuntime } from '../runtime.ts';
import { providerAnswers } from '../freshness/setup.ts';
import { parseWhen } from '../time/london.ts';
import { parseArgs } from './args.ts';
import { segmentInfo } from '../text/segments.ts';

async function main(): Promise<void> {
  const { opts } = parseArgs(process.argv.slice(2), ['fresh', 'segments'], ['from', 'channel', 'now', 'lang']);
  const from = String(opts.from ?? '+447700900123');
  const channel = String(opts.channel ?? 'sms');
  if (channel !== 'sms' && channel !== 'whatsapp') throw new Error(`--channel must be sms or whatsapp, got "${channel}"`);
  const fixedNow = typeof opts.now === 'string' ? parseWhen(opts.now) : null;
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const rt = await openRuntime(config, makeLogger(config.logLevel));
  const bot = new Bot({ ...rt, providers: providerAnswers(rt) });
  const address = channel === 'whatsapp' ? `whatsapp:${from.replace(/^whatsapp:/, '')}` : from;
  if (opts.fresh) await bot.forget(address);
  if (typeof opts.lang === 'string') await bot.setLanguage(address, opts.lang, fixedNow ?? new Date());

  const interactive = process.stdin.isTTY;
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  if (interactive) process.stdout.write('Waymark chat. Type a message (Ctrl-D to quit). Try: FOOD\nyou> ');
  let n = 0;
  for await (const line of rl) {
    n++;
    const { replies } = await bot.handle(
      { channel, address, text: line, messageId: null, mediaCount: 0, accountSid: null },
      fixedNow ?? new Date(),
    );
    if (!interactive) process.stdout.write(`you> ${line}\n`);
    for (const r of replies) {
      const seg = opts.segments ? ` [${segmentInfo(r).segments} ${segmentInfo(r).encoding}]` : '';
      process.stdout.write(`waymark>${seg} ${r.replace(/\n/g, '\n         ')}\n`);
    }
    process.stdout.write(interactive ? 'you> ' : '\n');
  }
  if (n === 0 && !interactive) process.stderr.write('no input: pipe lines in, e.g. echo FOOD | npm run chat\n');
  await rt.store.close();
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
