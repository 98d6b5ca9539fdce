// Places in a message: a city's name in any language (one typo forgiven in
// longer names), a common short form, or a UK postcode or district. Pure.
// A postcode is only ever turned into a city here: it is never stored.
import { CITY_IDS, type CityId } from '../catalogue/types.ts';
import { normalizeText, tokenize, withinOneEdit } from '../text/normalize.ts';
import type { LanguagePack } from './types.ts';

/**
 * Postcode districts that are in each city (Royal Mail districts whose post
 * towns are Southampton and Portsmouth and that lie in the city council
 * areas): Southampton SO14-SO19, Portsmouth PO1-PO6. Neighbouring districts
 * (SO30 Hedge End, SO50 Eastleigh, PO7 Waterlooville, PO12 Gosport…) are
 * outside both cities: the bot says where it works rather than guess.
 */
export const CITY_DISTRICTS: Record<CityId, string[]> = {
  southampton: ['so14', 'so15', 'so16', 'so17', 'so18', 'so19'],
  portsmouth: ['po1', 'po2', 'po3', 'po4', 'po5', 'po6'],
};

// The UK's postcode areas: a district is letters from this list, then a digit.
const AREAS = new Set(
  ('ab al b ba bb bd bh bl bn br bs bt ca cb cf ch cm co cr ct cv cw da dd de dg dh dl dn dt dy e ec eh en ex fk fy g gl gu gy ' +
    'ha hd hg hp hr hs hu hx ig im ip iv je ka kt kw ky l la ld le ll ln ls lu m me mk ml n ne ng nn np nr nw ol ox pa pe ph pl po pr ' +
    'rg rh rm s sa se sg sk sl sm sn so sp sr ss st sw sy ta td tf tn tq tr ts tw ub w wa wc wd wf wn wr ws wv yo ze').split(' '),
);

/** A full postcode ("po4 0ab", "po40ab") or a district alone ("po4", "so14"). */
const POSTCODE = /(?:^|[^\p{L}\p{N}])([a-z]{1,2})(\d[a-z\d]?)(?:\s*(\d[a-z]{2}))?(?=$|[^\p{L}\p{N}])/gu;

/** langs: the languages whose files spell the city this way (none for a postcode). */
export type Place = { city: CityId; words: number; langs: string[] } | { outside: true; words: number };

export interface PlaceIndex {
  /** Normalised name (one or more tokens) → city. */
  names: Array<{ tokens: string[]; city: CityId; fuzzy: boolean; langs: string[] }>;
}

export function compilePlaces(languages: Record<string, LanguagePack>): PlaceIndex {
  const byKey = new Map<string, PlaceIndex['names'][number]>();
  for (const [code, pack] of Object.entries(languages)) {
    for (const city of CITY_IDS) {
      for (const name of [pack.cities[city], ...(pack.city_names?.[city] ?? [])]) {
        const tokens = tokenize(normalizeText(name ?? ''));
        const key = tokens.join(' ');
        if (!tokens.length) continue;
        const known = byKey.get(key);
        if (known) {
          if (!known.langs.includes(code)) known.langs.push(code);
        } else byKey.set(key, { tokens, city, fuzzy: tokens.length === 1 && tokens[0].length >= 7, langs: [code] });
      }
    }
  }
  return { names: [...byKey.values()] };
}

function districtOf(area: string, district: string): string {
  return `${area}${district.replace(/[a-z]$/, '')}`;
}

/**
 * The place a message names, if any. `words` is how many of the message's
 * tokens the place took, so the caller can tell "portsmouth" (only a place)
 * from "food portsmouth" (a need and a place).
 */
export function findPlace(index: PlaceIndex, norm: string, tokens: string[]): Place | null {
  for (const n of index.names) {
    const len = n.tokens.length;
    for (let i = 0; i + len <= tokens.length; i++) {
      let all = true;
      for (let j = 0; j < len && all; j++) {
        const t = tokens[i + j];
        all = t === n.tokens[j] || (n.fuzzy && t.length >= 7 && withinOneEdit(t, n.tokens[j]));
      }
      if (all) return { city: n.city, words: len, langs: n.langs };
    }
  }
  for (const m of norm.matchAll(POSTCODE)) {
    const [, area, district, inward] = m;
    if (!AREAS.has(area)) continue;
    // A district alone ("b12", "m1") is read as a place only in a short message.
    if (!inward && tokens.length > 3) continue;
    const d = districtOf(area, district);
    const city = CITY_IDS.find((c) => CITY_DISTRICTS[c].includes(d));
    const words = inward && !m[0].trim().includes(' ') ? 1 : inward ? 2 : 1;
    return city ? { city, words, langs: [] } : { outside: true, words };
  }
  return null;
}
