// Verification contacts as staff type them: a UK mobile or an international
// number, checked and written the one way Twilio sends from (E.164).

/** "07700 900555", "+44 7700 900555" → "+447700900555"; null if it is not a phone number we can text. */
export function contactNumber(input: string): string | null {
  const t = input.replace(/[\s().-]/g, '');
  if (/^07\d{9}$/.test(t)) return `+44${t.slice(1)}`;
  if (/^\+[1-9]\d{7,14}$/.test(t)) return t;
  return null;
}

/** A name for the contact: one line, short. */
export function contactName(input: string): string | null {
  const t = input.replace(/\s+/g, ' ').trim();
  return t.length >= 1 && t.length <= 80 ? t : null;
}
