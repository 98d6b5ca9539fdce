import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('configuration', () => {
  it('has safe defaults for local use', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.localMode).toBe(true);
    expect(c.dataDir).toMatch(/var$/);
  });

  it('in production, names each missing variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (e) {
      expect((e as Error).message).toContain('TWILIO_AUTH_TOKEN: required when NODE_ENV=production');
      expect((e as Error).message).toContain('PUBLIC_BASE_URL: required when NODE_ENV=production');
    }
  });

  it('names a wrong value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT: expected a port number/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL: expected one of/);
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'waymark.org' })).toThrow(/PUBLIC_BASE_URL: expected a URL/);
  });

  it('refuses unsigned local mode on a public interface', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/HOST: without TWILIO_AUTH_TOKEN/);
    expect(loadConfig({ HOST: '0.0.0.0', TWILIO_AUTH_TOKEN: 'x' }).localMode).toBe(false);
  });
});
