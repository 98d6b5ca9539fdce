// The signature check's fast path (one HMAC over exactly PUBLIC_BASE_URL)
// must accept and refuse exactly what twilio's validateRequest does.
import { describe, expect, it } from 'vitest';
import webhooks from 'twilio/lib/webhooks/webhooks.js';
import { signatureValid } from '../../src/channels/twilio/verify-signature.ts';

const TOKEN = '12345678901234567890123456789012';
const URL = 'https://waymark.example.org/twilio/messages';
const params = { MessageSid: 'SM' + 'a'.repeat(32), From: '+447700900123', To: '+447700900000', Body: 'FOOD ☕ مرحبا', NumMedia: '0' };
const sign = (url: string, p: Record<string, string> = params, token = TOKEN) => webhooks.getExpectedTwilioSignature(token, url, p);

describe('X-Twilio-Signature', () => {
  it('accepts the signature Twilio makes over the public URL and every field', () => {
    expect(signatureValid(TOKEN, sign(URL), URL, params)).toBe(true);
  });

  it("accepts what twilio's own check accepts: the URL signed with its default port", () => {
    const withPort = 'https://waymark.example.org:443/twilio/messages';
    expect(webhooks.validateRequest(TOKEN, sign(withPort), URL, params)).toBe(true);
    expect(signatureValid(TOKEN, sign(withPort), URL, params)).toBe(true);
  });

  it('refuses another token, another URL, a changed or added field, and a mangled signature', () => {
    expect(signatureValid(TOKEN, sign(URL, params, 'x'.repeat(32)), URL, params)).toBe(false);
    expect(signatureValid(TOKEN, sign('https://elsewhere.example.org/twilio/messages'), URL, params)).toBe(false);
    expect(signatureValid(TOKEN, sign(URL), URL, { ...params, Body: 'FORGET YES' })).toBe(false);
    expect(signatureValid(TOKEN, sign(URL), URL, { ...params, Extra: '1' })).toBe(false);
    const good = sign(URL);
    expect(signatureValid(TOKEN, good.slice(0, -2) + (good.endsWith('A=') ? 'B=' : 'A='), URL, params)).toBe(false);
    expect(signatureValid(TOKEN, good + good, URL, params)).toBe(false);
    expect(signatureValid(TOKEN, '', URL, params)).toBe(false);
    expect(signatureValid(TOKEN, undefined, URL, params)).toBe(false);
  });

  it("a repeated field (an array) is judged by twilio's rules", () => {
    const p = { ...params, MediaUrl: ['https://a.example/1', 'https://a.example/2'] } as unknown as Record<string, string>;
    const sig = webhooks.getExpectedTwilioSignature(TOKEN, URL, p);
    expect(signatureValid(TOKEN, sig, URL, p)).toBe(webhooks.validateRequest(TOKEN, sig, URL, p));
    expect(signatureValid(TOKEN, sig, URL, p)).toBe(true);
  });
});
