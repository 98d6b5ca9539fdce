// The texts to providers and how their answers are read. Providers are the
// organisations' own staff in England: in English. Pure.
import type { Service } from '../catalogue/types.ts';
import { Texts, weeklyText, whereText } from '../conversation/render.ts';
import type { Flow } from '../conversation/types.ts';
import { fitsBudget } from '../text/segments.ts';
import { normalizeText, tokenize } from '../text/normalize.ts';

export const ASK = 'Still right? Reply YES, or tell us what changed.';
export const THANKS_YES = 'Thank you: we have marked it as confirmed today.';
export const THANKS_OTHER = 'Thank you, we will update it.';

/**
 * What Waymark tells people about the service (name, weekly times, place,
 * phone) and the question; within 3 segments: the place, then the times,
 * are shortened when it would not fit. A reminder starts "Reminder:".
 */
export function requestText(flow: Flow, service: Service, kind: 'request' | 'reminder' = 'request'): string {
  const tx = new Texts(flow, flow.defaultLang);
  const intro = `${kind === 'reminder' ? 'Reminder: ' : ''}Waymark tells people who text us about ${service.name}:`;
  const phone = service.phones?.length ? service.phones.map((p) => p.number).join(', ') : 'no phone listed';
  const times = weeklyText(tx, service);
  const place = whereText(tx, service);
  const build = (t: string, p: string) => `${intro}\nOpen: ${t}\nWhere: ${p}\nPhone: ${phone}\n${ASK}`;
  let text = build(times, place);
  if (fitsBudget(text)) return text;
  const postcode = service.location?.postcode;
  text = build(times, postcode ?? cut(place, 40));
  if (fitsBudget(text)) return text;
  text = build(cut(times, 60), postcode ?? cut(place, 30));
  if (fitsBudget(text)) return text;
  return `${intro}\n${ASK}`.slice(0, 400);
}

function cut(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Words that may follow YES and still mean only yes ("yes it is", "yes, all correct, thanks"). */
const AFFIRM = new Set(['it', 'is', 'its', 's', 'that', 'thats', 'still', 'right', 'correct', 'all', 'good', 'ok', 'okay', 'fine', 'thanks', 'thank', 'you', 'thx', 'ta', 'yes', 'y', 'confirmed', 'true', 'same']);

/**
 * YES, Y, "YES.", "yes it is": case and punctuation ignored. Anything that
 * adds more than that ("yes but we moved") is not a plain yes: it goes to
 * staff, who read it.
 */
export function isYes(text: string): boolean {
  const tokens = tokenize(normalizeText(text));
  if (tokens.length === 0 || (tokens[0] !== 'yes' && tokens[0] !== 'y')) return false;
  return tokens.slice(1).every((t) => AFFIRM.has(t));
}
