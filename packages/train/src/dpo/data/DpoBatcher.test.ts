import { describe, expect, it } from 'vitest';
import { DpoBatcher } from './DpoBatcher.js';
import type { DpoExample } from './tokenizeDpoPair.js';

const seq = (n: number, k: number) => ({
  ids: Int32Array.from({ length: n }, (_, i) => (i * 7 + k) % 50),
  mask: Uint8Array.from({ length: n }, (_, i) => (i >= 3 ? 1 : 0)),
});
const examples: DpoExample[] = Array.from({ length: 7 }, (_, i) => ({ line: i + 1, chosen: seq(6 + i, i), rejected: seq(5 + i, i + 1) }));

describe('DpoBatcher', () => {
  it('restoring a state replays exactly the batches of an uninterrupted run, across epochs', () => {
    const opts = { pairs: 3, seqLen: 16, seed: 5 };
    const a = new DpoBatcher(examples, opts);
    const straight = Array.from({ length: 6 }, () => a.next());
    const b = new DpoBatcher(examples, opts);
    b.next();
    b.next();
    const c = new DpoBatcher(examples, opts);
    c.restore(b.state);
    for (let i = 2; i < 6; i++) expect(c.next()).toEqual(straight[i]);
    // every pair is seen once per epoch
    const firstEpoch = [...straight[0].index, ...straight[1].index, ...straight[2].index.slice(0, 1)];
    expect(new Set(firstEpoch).size).toBe(7);
  });

  it('refuses a state from other data and an example longer than a row', () => {
    const b = new DpoBatcher(examples, { pairs: 2, seqLen: 16, seed: 0 });
    expect(() => b.restore({ epoch: 0, cursor: 8 })).toThrow(expect.objectContaining({ code: 'TRAIN_DPO_BAD_OPTIONS' }));
    expect(() => new DpoBatcher(examples, { pairs: 2, seqLen: 8, seed: 0 })).toThrow(
      expect.objectContaining({ code: 'TRAIN_DPO_BAD_OPTIONS' }),
    );
    expect(() => new DpoBatcher([], { pairs: 2, seqLen: 8, seed: 0 })).toThrow(expect.objectContaining({ code: 'TRAIN_DPO_NO_PAIRS' }));
  });
});
