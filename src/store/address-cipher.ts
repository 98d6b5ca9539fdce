// Reminders need the number to text, so subscriptions keep it — encrypted
// with AES-256-GCM under a key derived from WAYMARK_SECRET, never in clear.
import crypto from 'node:crypto';

export class AddressCipher {
  private readonly key: Buffer;
  constructor(secret: Buffer) {
    this.key = Buffer.from(crypto.hkdfSync('sha256', secret, Buffer.alloc(0), 'waymark address encryption v1', 32));
  }

  encrypt(address: string): string {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([c.update(address, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  }

  decrypt(sealed: string): string {
    const [v, iv, tag, data] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || data === undefined) throw new Error('not an encrypted address');
    const d = crypto.createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(data, 'base64url')), d.final()]).toString('utf8');
  }
}
