// X-Twilio-Signature: HMAC-SHA1 of the public URL plus the sorted POST fields.
// The URL comes from PUBLIC_BASE_URL, not from the request, because behind a
// TLS proxy the app sees http:// (twilio-node#321).
import crypto from 'node:crypto';
import webhooks from 'twilio/lib/webhooks/webhooks.js';

/**
 * Twilio's own signature (getExpectedTwilioSignature) over exactly this URL
 * and these fields, one HMAC, compared in constant time. This is the first
 * thing twilio's
 * validateRequest tries, and what every genuine request matches; only a
 * mismatch goes on to twilio's validateRequest, which also tries the URL with
 * and without its port and normalised (up to six HMACs, and a URL parse).
 */
function exactMatch(authToken: string, signature: string, publicUrl: string, params: Record<string, string>): boolean {
  const expected = Buffer.from(webhooks.getExpectedTwilioSignature(authToken, publicUrl, params));
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
