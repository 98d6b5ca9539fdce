// The group commit both stores use: one write per pass of the event loop,
// every caller settled by it, nothing left hanging.
import { describe, expect, it } from 'vitest';
import { GroupCommit, type Waiting } from '../../src/store/group-commit.ts';

describe('GroupCommit', () => {
  it('writes what is saved in one pass of the event loop together, and a later save in a batch of its own', async () => {
    const batches: number[][] = [];
    const g = new GroupCommit<number, string>(async (batch: Array<Waiting<number, string>>) => {
      batches.push(batch.map((w) => w.item));
      await new Promise((r) => setTimeout(r, 5));
      for (const w of batch) w.resolve(`saved ${w.item}`);
    });
    const first = await Promise.all([g.add(1), g.add(2), g.add(3)]);
    const later = await g.add(4);
    expect(first).toEqual(['saved 1', 'saved 2', 'saved 3']);
    expect(later).toBe('saved 4');
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('a write that fails without answering fails every save in its batch (none hangs)', async () => {
    const g = new GroupCommit<number, string>(async (batch) => {
      batch[0].resolve('answered before the failure');
      throw new Error('disk gone');
    });
    const results = await Promise.allSettled([g.add(1), g.add(2)]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'answered before the failure' });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: new Error('disk gone') });
  });

  it('drain() writes what waits at once and returns when every batch is written', async () => {
    let written = 0;
    const g = new GroupCommit<number, number>(async (batch) => {
      await new Promise((r) => setTimeout(r, 20));
      written += batch.length;
      for (const w of batch) w.resolve(w.item);
    });
    const saves = [g.add(1), g.add(2)];
    await g.drain();
    expect(written).toBe(2);
    expect(await Promise.all(saves)).toEqual([1, 2]);
  });
});
