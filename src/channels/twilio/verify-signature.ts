// X-Twilio-Signature: HMAC-SHA1 of the public URL plus the sorted POST fields,
// checked with twilio's own function. The URL comes from PUBLIC_BASE_URL, not
// from the request, because behind a TLS proxy the app sees http:// (twilio-node#321).
import webhooks from 'twilio/lib/webhooks/webhooks.js';

export function signatureValid(
  authToken: string,
  signature: string | undefined,
  publicUrl: string,
  params: Record<string, string>,
): boolean {
  if (!signature || signature.length > 200) return false;
  return webhooks.validateRequest(authToken, signature, publicUrl, params);
}

export function signRequest(authToken: string, publicUrl: string, params: Record<string, string>): string {
  return webhooks.getExpectedTwilioSignature(authToken, publicUrl, params);
}
