// The CatalogueStore contract: the same tests against SQLite and PostgreSQL
// (catalogue-store.test.ts). The live catalogue, its revisions and revert,
// staff accounts, sessions, sign-in failures, and messages to subscribers
// through the shared outbox.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveCatalogue } from '../../src/catalogue/live.ts';
import { exportCatalogue, revertRevision, serviceRevision } from '../../src/catalogue/revisions.ts';
import type { CatalogueStore } from '../../src/catalogue/store-types.ts';
import type { Catalogue } from '../../src/catalogue/types.ts';
import { catalogueProblems } from '../../src/runtime.ts';
import type { Store } from '../../src/store/store.ts';
import { ROOT, content } from '../helpers.ts';

export interface CatalogueHarness {
  store: Store;
  catalogueStore: CatalogueStore;
  /** A second instance on the same database. */
  another(): Promise<{ store: Store; catalogueStore: CatalogueStore }>;
  cleanup(): Promise<void>;
}

const T0 = new Date('2026-12-04T10:00:00.123Z');
const HUB = 'portsmouth-refugee-hub';
const seed = () => structuredClone(content().catalogue);
const check = (c: Catalogue) => catalogueProblems(content().flow, c);

export function describeCatalogueStore(name: string, open: () => Promise<CatalogueHarness>): void {
  describe(`CatalogueStore contract: ${name}`, () => {
    let h: CatalogueHarness;
    afterEach(async () => h?.cleanup());

    it('is seeded once from data/services.json, even by two instances, and exports it byte for byte', async () => {
      h = await open();
      expect(await h.catalogueStore.catalogueVersion()).toBe(0);
      expect(await h.catalogueStore.loadCatalogue()).toBeNull();
      const other = await h.another();
      const [a, b] = await Promise.all([LiveCatalogue.open(h.catalogueStore, seed, check, { now: T0 }), LiveCatalogue.open(other.catalogueStore, seed, check, { now: T0 })]);
      expect(a.version).toBe(1);
      expect(b.version).toBe(1);
      const revs = await h.catalogueStore.revisions();
      expect(revs.map((r) => [r.action, r.who, r.version])).toEqual([['seed', 'system', 1]]);
      expect(exportCatalogue((await h.catalogueStore.loadCatalogue())!.catalogue)).toBe(fs.readFileSync(path.join(ROOT, 'data/services.json'), 'utf8'));
    });

    it('saves only over the version it read: a stale save is a conflict and writes nothing', async () => {
      h = await open();
      const live = await LiveCatalogue.open(h.catalogueStore, seed, check, { now: T0 });
      const cat = live.current();
      const changed = structuredClone(cat);
      changed.services[0].name = 'Renamed';
      const rev = serviceRevision('a@example.org', 'edit', cat.services[0], changed.services[0], 'test')!;
      expect(await h.catalogueStore.saveCatalogue(changed, 1, [rev], T0)).toBe(2);
      expect(await h.catalogueStore.saveCatalogue(cat, 1, [rev], T0)).toBe('conflict');
      expect((await h.catalogueStore.loadCatalogue())!.catalogue.services[0].name).toBe('Renamed');
      expect(await h.catalogueStore.revisions({ limit: 10 })).toHaveLength(2);
    });

    it('keeps every revision with who, when, which fields, old and new values and the note; a revert is a new revision', async () => {
      h = await open();
      const live = await LiveCatalogue.open(h.catalogueStore, seed, check, { now: T0 });
      const before = live.current().services.find((s) => s.id === HUB)!;
      const edit = await live.change((cat) => {
        const s = cat.services.find((x) => x.id === HUB)!;
        const next = structuredClone(s);
        next.url = 'https://example.org/hub';
        cat.services[cat.services.indexOf(s)] = next;
        return { catalogue: cat, revisions: [serviceRevision('editor@example.org', 'edit', s, next, 'their new leaflet')!] };
      }, T0);
      expect(edit.ok).toBe(true);
      const [rev] = await h.catalogueStore.revisions({ serviceId: HUB });
      expect(rev).toMatchObject({ who: 'editor@example.org', serviceId: HUB, action: 'edit', fields: ['url'], old: { url: before.url }, new: { url: 'https://example.org/hub' }, note: 'their new leaflet', revertOf: null, version: 2 });
      expect(rev.at.getTime()).toBe(T0.getTime());
      expect(await h.catalogueStore.revision(rev.id)).toEqual(rev);

      const undo = await live.change((cat) => {
        const out = revertRevision(cat, rev);
        if (!out.ok) return { errors: [out.error] };
        const r = serviceRevision('admin@example.org', 'revert', cat.services.find((s) => s.id === HUB)!, out.catalogue.services.find((s) => s.id === HUB)!, `revert of #${rev.id}`, rev.id)!;
        return { catalogue: out.catalogue, revisions: [r] };
      }, new Date(T0.getTime() + 1000));
      expect(undo.ok).toBe(true);
      expect(live.current().services.find((s) => s.id === HUB)).toEqual(before);
      const list = await h.catalogueStore.revisions({ serviceId: HUB });
      expect(list.map((r) => [r.action, r.revertOf])).toEqual([
        ['revert', rev.id],
        ['edit', null],
      ]);
    });

    it('refuses a change that npm run check would refuse, and writes nothing', async () => {
      h = await open();
      const live = await LiveCatalogue.open(h.catalogueStore, seed, check, { now: T0 });
      const result = await live.change((cat) => {
        const s = cat.services.find((x) => x.id === HUB)!;
        const next = structuredClone(s);
        next.schedules = [{ freq: 'WEEKLY', byday: ['MO'], opens_at: '10am', closes_at: null, note: null }];
        cat.services[cat.services.indexOf(s)] = next;
        return { catalogue: cat, revisions: [serviceRevision('e@example.org', 'edit', s, next, 'x')!] };
      }, T0);
      expect(result).toEqual({ ok: false, errors: [expect.stringContaining('opens_at: expected "HH:MM", got "10am"')] });
      expect(await h.catalogueStore.catalogueVersion()).toBe(1);
    });

    it('a save on one instance reaches another within 5 seconds', async () => {
      h = await open();
      const other = await h.another();
      const a = await LiveCatalogue.open(h.catalogueStore, seed, check, { now: T0 });
      const b = await LiveCatalogue.open(other.catalogueStore, seed, check, { now: T0 });
      b.start(200);
      try {
        await a.change((cat) => {
          const s = cat.services.find((x) => x.id === HUB)!;
          const next = { ...structuredClone(s), name: 'Hub, renamed' };
          cat.services[cat.services.indexOf(s)] = next;
          return { catalogue: cat, revisions: [serviceRevision('e@example.org', 'edit', s, next, 'x')!] };
        }, T0);
        const started = Date.now();
        while (b.current().services.find((s) => s.id === HUB)!.name !== 'Hub, renamed') {
          expect(Date.now() - started).toBeLessThan(5000);
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        b.stop();
      }
    });

    it('keeps accounts; a new password or a removal ends their sessions; sessions end after the idle time', async () => {
      h = await open();
      const cs = h.catalogueStore;
      expect(await cs.addStaff({ email: 'b@example.org', role: 'editor', passwordHash: 'h1', createdAt: T0 })).toBe(true);
      expect(await cs.addStaff({ email: 'a@example.org', role: 'admin', passwordHash: 'h2', createdAt: T0 })).toBe(true);
      expect(await cs.addStaff({ email: 'a@example.org', role: 'editor', passwordHash: 'h3', createdAt: T0 })).toBe(false);
      expect((await cs.listStaff()).map((a) => [a.email, a.role])).toEqual([
        ['a@example.org', 'admin'],
        ['b@example.org', 'editor'],
      ]);
      await cs.createSession('tok-a', 'a@example.org', T0);
      const later = new Date(T0.getTime() + 60_000);
      expect(await cs.touchSession('tok-a', later, 3600_000)).toMatchObject({ email: 'a@example.org', role: 'admin' });
      expect(await cs.touchSession('tok-a', new Date(later.getTime() + 3600_001), 3600_000)).toBeNull();
      expect(await cs.touchSession('tok-a', later, 3600_000)).toBeNull(); // deleted, not just refused
      await cs.createSession('tok-b', 'b@example.org', T0);
      expect(await cs.setPassword('b@example.org', 'h4')).toBe(true);
      expect(await cs.touchSession('tok-b', T0, 3600_000)).toBeNull();
      expect((await cs.getStaff('b@example.org'))!.passwordHash).toBe('h4');
      await cs.createSession('tok-b2', 'b@example.org', T0);
      expect(await cs.removeStaff('b@example.org')).toBe(true);
      expect(await cs.touchSession('tok-b2', T0, 3600_000)).toBeNull();
      expect(await cs.getStaff('b@example.org')).toBeNull();
    });

    it('counts sign-in failures by account and by address, and keeps a lock until cleared', async () => {
      h = await open();
      const cs = h.catalogueStore;
      for (let i = 0; i < 3; i++) await cs.recordLoginFailure('a@example.org', '10.0.0.1', new Date(T0.getTime() + i * 1000));
      await cs.recordLoginFailure(null, '10.0.0.1', T0);
      expect(await cs.loginFailures('a@example.org', new Date(T0.getTime() - 1))).toBe(3);
      expect(await cs.loginFailures('a@example.org', new Date(T0.getTime() + 500))).toBe(2);
      expect(await cs.addressFailures('10.0.0.1', new Date(T0.getTime() - 1))).toBe(4);
      const until = new Date(T0.getTime() + 900_000);
      await cs.lockAccount('a@example.org', until);
      expect((await cs.lockedUntil('a@example.org'))!.getTime()).toBe(until.getTime());
      await cs.clearLoginFailures('a@example.org');
      expect(await cs.lockedUntil('a@example.org')).toBeNull();
      expect(await cs.loginFailures('a@example.org', new Date(0))).toBe(0);
      await cs.audit('a@example.org', 'signed in', '', T0);
      expect((await cs.auditLog()).map((a) => [a.who, a.action])).toEqual([['a@example.org', 'signed in']]);
    });

    it('queues a message once for each subscriber who has not opted out, in the shared outbox, and counts how it went', async () => {
      h = await open();
      const subscribe = (subject: string, address: string) =>
        h.store.saveTurn({
          subject,
          messageId: null,
          session: {},
          expectedVersion: 0,
          replies: [],
          at: T0,
          effects: [{ type: 'subscribe', service: HUB, timing: 'morning' }],
          contact: { address, channel: 'sms', lang: 'en' },
        });
      await subscribe('s1', '+447700900701');
      await subscribe('s2', '+447700900702');
      await subscribe('s3', '+447700900703');
      await h.store.markOptedOut('s3');
      expect(await h.catalogueStore.subscriberCount(HUB)).toBe(2);
      const m = await h.catalogueStore.createStaffMessage({ serviceId: HUB, body: 'Closed today.', who: 'e@example.org', at: T0, sendAt: T0, validUntil: '2026-12-05' });
      expect(m.recipients).toBe(2);
      expect(await h.catalogueStore.staffMessageText(m.id)).toEqual({ body: 'Closed today.', serviceId: HUB });
      const rows = (await h.store.outboxRows()).filter((r) => r.kind === 'staff_message');
      expect(rows.map((r) => r.subject).sort()).toEqual(['s1', 's2']);
      const claimed = await h.store.claim(10, T0, 'w');
      expect(claimed).toHaveLength(2);
      await h.store.markSent(claimed[0].id, 'SM1', T0);
      await h.store.markFailed(claimed[1].id, '30003', T0);
      const [listed] = await h.catalogueStore.staffMessages(HUB);
      expect(listed).toMatchObject({ id: m.id, recipients: 2, body: 'Closed today.', who: 'e@example.org', counts: { sent: 1, failed: 1, queued: 0, notSent: 0 } });
      // FORGET takes a person's rows with it.
      await h.store.forget('s1');
      expect((await h.store.outboxRows()).filter((r) => r.kind === 'staff_message').map((r) => r.subject)).toEqual(['s2']);
    });
  });
}
