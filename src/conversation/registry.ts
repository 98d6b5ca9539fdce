// The names a flow may use. A flow says "action": "open_category"; the code
// that does it lives in step.ts. Loading fails on any name not listed here.

// keyword: the phrase anywhere in the message, one typo forgiven in longer words.
// whole: the message is exactly the phrase (case and punctuation aside), no typo:
// for words that erase, which must never fire inside a sentence.
export const TRIGGER_MATCHERS = ['keyword', 'whole'] as const;
export const SAFETY_MATCHERS = ['phrase'] as const;

/** Actions a trigger may run, and the fields each needs. */
export const TRIGGER_ACTIONS: Record<string, Array<'state' | 'template' | 'category'>> = {
  more: [],
  goto: ['state'],
  reply: ['template'],
  open_category: ['category'],
  remind: [],
  list_reminders: [],
  forget_ask: [],
  forget: [],
  today: [],
};

/** Minutes after FORGET in which FORGET YES erases. */
export const FORGET_CONFIRM_MINUTES = 10;

/** States the engine itself moves people to: a flow must have each. */
export const ENGINE_STATES = ['choose_city', 'choose_lang', 'categories', 'services', 'service'] as const;

/** Keyword lists that only ever match a whole message (erasing). */
export const WHOLE_MESSAGE_KEYWORDS = ['forget', 'forget_yes'];

/** Keywords the engine reads itself (REMIND OFF 2, REMIND EVENING). */
export const ENGINE_KEYWORDS = ['off', 'evening', 'today'];

/** Twilio's own opt-out and opt-in words (long codes, English only): see ../shared/sources/twilio.md. */
export const TWILIO_OPT_OUT = ['stop', 'unsubscribe', 'end', 'quit', 'stopall', 'revoke', 'optout', 'cancel'];
export const TWILIO_OPT_IN = ['start', 'yes', 'unstop'];

/** Numbered menus a state may show, and the choose-actions that fit each. */
export const MENUS: Record<string, string> = {
  cities: 'set_city',
  categories: 'open_category',
  services: 'open_service',
  languages: 'set_lang',
  today: 'open_service',
};

/** Templates the engine itself renders, beyond those the flow names. */
export const ENGINE_TEMPLATES = [
  'bad_number',
  'media_only',
  'empty',
  'no_menu',
  'more_line',
  'no_more',
  'no_services',
  'menu_item',
  'line_for',
  'line_open',
  'line_now',
  'line_where',
  'line_phone',
  'line_web',
  'line_how',
  'open_always',
  'open_now_until',
  'open_now',
  'opens_today',
  'today_times_unknown',
  'next_at',
  'next_unknown',
  'closed_for_now',
  'times_unknown',
  'times_unknown_dropin',
  'address_unconfirmed',
  'old_info',
  'old_times',
  'old_place',
  'old_times_place',
  'old_offer',
  'advice_phone',
  'advice_ask',
  'line_check',
  'weekly_times_unknown',
  'weekly_times',
  'weekly_from',
  'address_unknown',
  'phone_unknown',
  'eligibility_unknown',
  'remind_hint',
  'remind_ok',
  'when_morning',
  'when_evening',
  'remind_pick_first',
  'remind_no_schedule',
  'remind_already',
  'remind_too_many',
  'reminders_list',
  'reminders_item',
  'reminders_none',
  'remind_off_one',
  'remind_off_all',
  'remind_off_bad',
  'reminder_today',
  'reminder_tomorrow',
  'reminder_closed',
  'times_unconfirmed',
  'opted_in',
  'forget_done',
  'forget_ask',
  'crisis_abuse',
  'crisis_exploitation',
  'outside_area',
  'today_category',
  'today_until',
  'today_open',
  'today_from',
  'today_unknown',
  'today_none',
  'today_none_unknown',
  'did_you_mean',
  'welcome_lang',
  'lang_menu',
  'lang_set',
  'slow_down',
  // The freshness line (src/freshness/line.ts).
  'fresh_checked',
  'fresh_not_since',
  'fresh_never',
  'months_short',
] as const;

export { WEEKDAYS as DAY_KEYS } from '../catalogue/types.ts';
export { CITY_IDS as CITY_KEYS } from '../catalogue/types.ts';
export const ACCESS_KEYS = ['drop_in', 'self_refer', 'gp_referral', 'registration', 'phone', 'appointment'];
