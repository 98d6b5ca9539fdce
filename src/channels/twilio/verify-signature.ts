// X-Twilio-Signature: HMAC-SHA1 of the public URL plus the sorted POST fields.
// The URL comes from PUBLIC_BASE_URL, not from the request, because behind a
// TLS proxy the app sees http:// (twilio-node#321).
import crypto from 'node:crypto';
import webhooks from 'twilio/lib/webhooks/webhooks.js';

/**
 * Twilio's own signature over exactly this URL and these fields (one HMAC),
 * compared in constant time. This is the first thing twilio's
 * validateRequest tries, and what every genuine request matches; only a
 * mismatch goes on to twilio's validateRequest, which also tries the URL with
 * and without its port and normalised (up to six HMACs, and a URL parse).
 */
function exactMatch(authToken: string, signature: string, publicUrl: string, params: Record<string, string>): boolean {
  let data = publicUrl;
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    if (typeof value !== 'string') return false; // a repeated field: twilio's rules
    data += key + value;
  }
  const expected = Buffer.from(crypto.createHmac('sha1', authToken).update(data, 'utf8').digest('base64'));
  const given = Buffer.from(signature);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

export function signatureValid(
  authToken: string,
  signature: string | undefined,
  publicUrl: string,
  params: Record<string, string>,
): boolean {
  if (!signature || signature.length > 200) return false;
  return exactMatch(authToken, signature, publicUrl, params) || webhooks.validateRequest(authToken, signature, publicUrl, params);
}

export function signRequest(authToken: string, publicUrl: string, params: Record<string, string>): string {
  return webhooks.getExpectedTwilioSignature(authToken, publicUrl, params);
}
