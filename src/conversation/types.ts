import type { Catalogue, CityId } from '../catalogue/types.ts';
import type { CrisisKind, DangerIndex } from './danger.ts';
import type { PlaceIndex } from './places.ts';
import type { Effect, PersonReminders, Reminder } from '../core/domain.ts';

export type { Effect, PersonReminders, Reminder };

import type { Channel } from '../core/inbound.ts';

export type { Channel };

/** What the engine remembers about one person between messages. */
export interface Session {
  v: 1;
  state: string;
  city: CityId | null;
  lang: string;
  /** Category whose services list is current (state "services" and "service"). */
  category: string | null;
  /** Service whose details are current (state "service"). */
  service: string | null;
  /** Pages still to send when the person replies MORE. */
  pages: string[];
  /** What the person asked for before we knew their city: done once they choose. */
  pending: { category: string | null; today?: boolean } | null;
  /** Services of the "open today" list last shown, in its order: numbers pick from it. */
  listed: string[] | null;
  /** ISO time of their last message: WhatsApp's 24-hour window, idle expiry. */
  lastSeen: string | null;
  channel: Channel | null;
  /** Languages offered when we could not tell which one they write: listed first. */
  langOffer: string[] | null;
  /** They texted one of Twilio's opt-out words: nothing is sent until START. */
  optedOut: boolean;
  /** ISO time they asked to be forgotten: FORGET YES within 10 minutes of it erases. */
  eraseAskedAt: string | null;
}

export interface Input {
  text: string;
  channel: Channel;
  /** Media attached and nothing typed (a photo, a voice note). */
  mediaOnly?: boolean;
}

export interface StepContext {
  catalogue: Catalogue;
  now: Date;
  /**
   * The person's reminders as the store holds them (the subscriptions table
   * is their one source of truth), read by the host before the turn. None
   * when not given (transcripts and engine tests without a store).
   */
  reminders?: PersonReminders;
}

/** What a message came to, for the needs report (answered: services listed or a service's details given). */
export type Outcome = 'answered' | 'nothing_listed' | 'not_understood' | 'crisis';

export interface StepResult {
  session: Session;
  replies: string[];
  effects: Effect[];
  /** The message spoke of danger: which kind (its reply came first). */
  crisis?: CrisisKind;
  /** Set when the message reached a category or a service, was not understood, or spoke of danger. */
  outcome?: Outcome;
  /** The category it reached ('' when not understood, 'crisis' for danger). */
  category?: string;
}

// --- flow definition (flows/main.json) ---

export interface TriggerDef {
  match: string;
  keyword: string;
  action: string;
  state?: string;
  template?: string;
  category?: string;
}

export interface StateDef {
  /** Template said on entering the state (before its prompt or the next state's). */
  enter?: string;
  /** Move on at once to this state. */
  next?: string;
  prompt?: string;
  menu?: string;
  choose?: string;
  back?: string;
}

export interface FlowDef {
  start: string;
  safety: { match: string; phrases: string; template: string };
  triggers: TriggerDef[];
  states: Record<string, StateDef>;
  fallback: string;
}

export interface LanguagePack {
  language: { code: string; name: string; english_name?: string; translation: string; reviewed: boolean; review_note?: string };
  keywords: Record<string, string[]>;
  /** Self-harm and danger now: 999, NHS 111 option 2, Samaritans. */
  crisis_phrases: string[];
  /** Someone hits, hurts, threatens or rapes them: the domestic abuse line too. */
  abuse_phrases: string[];
  /** Forced work, trafficking, a passport kept: the modern slavery line too. */
  exploitation_phrases: string[];
  /** Everyday phrases holding a danger word that are not danger ("no danger", "不紧急"). */
  safe_phrases: string[];
  /** Common words and phrases of the language: what danger and erase words must never be. */
  everyday: string[];
  days: Record<string, string>;
  days_short: Record<string, string>;
  cities: Record<string, string>;
  access: Record<string, string>;
  /** More names people text for a city (short forms, other spellings), beside `cities`. */
  city_names?: Partial<Record<CityId, string[]>>;
  /** Category names for menus; the catalogue's English name where missing. */
  categories?: Record<string, string>;
  templates: Record<string, string>;
}

/** A loaded, checked flow: the definition plus its language packs, ready to run. */
export interface Flow {
  def: FlowDef;
  languages: Record<string, LanguagePack>;
  defaultLang: string;
  /** Pre-normalised keyword phrases per language, in trigger order. */
  matchers: Record<string, CompiledKeywords>;
  /** The danger phrases of every language, once each: checked on every message. */
  danger: DangerIndex;
  /** Per language: the single words that tell it apart (everyday words, keywords, days). */
  vocab: Record<string, Set<string>>;
  /** City names of every language, for "food portsmouth" and "in southampton". */
  places: PlaceIndex;
  /** FRESH_DAYS (src/freshness/line.ts's default when absent): set from the configuration. */
  freshDays?: number;
}

export interface CompiledKeywords {
  /** keyword id → list of phrases, each a list of normalised tokens. */
  keywords: Map<string, string[][]>;
  /** The same, without the English words every language also accepts: what tells this language apart. */
  own: Map<string, string[][]>;
}
