// Drafts (imported from HSDS) are kept for staff and reach nobody: not the
// people texting, not the Open Referral feed, until a person publishes them.
import { describe, expect, it } from 'vitest';
import type { Catalogue, Service } from '../../src/catalogue/types.ts';
import { validateCatalogue } from '../../src/catalogue/schema.ts';
import { hsdsId } from '../../src/openreferral/ids.ts';
import { content, makeApp, messages, signed, sms } from '../helpers.ts';

function withDraft(draft: boolean, categories = ['food']): { catalogue: Catalogue; service: Service } {
  const c = structuredClone(content().catalogue);
  const base = c.services.find((s) => s.area === 'southampton' && s.categories.includes('food') && s.status === 'active')!;
  const service: Service = { ...structuredClone(base), id: 'draft-kitchen', name: 'Draft Kitchen Test', categories, ...(draft ? { draft: true as const } : {}) };
  c.services.push(service);
  return { catalogue: c, service };
}

async function foodReply(catalogue: Catalogue): Promise<{ text: string; feed: string; one: number }> {
  const { app } = await makeApp({ catalogue });
  const res = await app.inject(signed(sms('+447700900123', 'FOOD southampton')));
  const feed = (await app.inject({ method: 'GET', url: '/openreferral/services?per_page=200' })).body;
  const one = (await app.inject({ method: 'GET', url: `/openreferral/services/${hsdsId.service('draft-kitchen')}` })).statusCode;
  await app.close();
  return { text: messages(res.body).join('\n'), feed, one };
}

describe('drafts', () => {
  it('are never offered to a person texting, nor published in the feed', async () => {
    const draft = await foodReply(withDraft(true).catalogue);
    expect(draft.text).not.toContain('Draft Kitchen Test');
    expect(draft.feed).not.toContain('Draft Kitchen Test');
    expect(draft.one).toBe(404);
    // The same service published is offered and in the feed: the test can tell them apart.
    const published = await foodReply(withDraft(false).catalogue);
    expect(published.text).toContain('Draft Kitchen Test');
    expect(published.feed).toContain('Draft Kitchen Test');
    expect(published.one).toBe(200);
  });

  it('may wait without a category; a published service may not', () => {
    expect(validateCatalogue(withDraft(true, []).catalogue, 'data/services.json')).toEqual([]);
    const c = withDraft(false, []).catalogue;
    expect(validateCatalogue(c, 'data/services.json')).toEqual([
      `data/services.json: services[${c.services.length - 1}].categories: expected at least one category id [service "draft-kitchen"]`,
    ]);
  });
});
