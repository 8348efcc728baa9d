import { describe, expect, it } from 'vitest';
import { SFT_PAD_DOC_ID, SftBatcher } from './SftBatcher.js';
import type { SftExample } from './tokenizeSftDialogue.js';

/** Example d: tokens 100·d + i, the second half trained (an answer after its prompt). */
function example(d: number, len: number): SftExample {
  const ids = Int32Array.from({ length: len }, (_, i) => 100 * d + i);
  const mask = Uint8Array.from({ length: len }, (_, i) => (i >= len / 2 ? 1 : 0));
  return { line: d + 1, ids, mask, truncated: false };
}
const EXAMPLES = [5, 3, 7, 2, 9, 4, 6, 3, 8, 5].map((len, d) => example(d, len));

describe('SftBatcher', () => {
  it('packs whole dialogues per row with next-token targets weighted by the target mask', () => {
    const T = 12;
    const b = new SftBatcher(EXAMPLES, { batchSize: 4, seqLen: T, seed: 1, shuffle: false, padId: 0 });
    const batch = b.next();
    // Row 0 holds dialogues 0 (5) and 1 (3) and 2 doesn't fit (5 + 3 + 7 > 13): padded.
    expect(batch.rows[0]).toEqual([0, 1, 2, 3, 4, 100, 101, 102, 0, 0, 0, 0]);
    expect(Array.from(batch.docIds.subarray(0, T))).toEqual([0, 0, 0, 0, 0, 1, 1, 1, -1, -1, -1, -1]);
    expect(Array.from(batch.targets.subarray(0, T))).toEqual([1, 2, 3, 4, 100, 101, 102, 0, 0, 0, 0, 0]);
    // Masks: dialogue 0 [0,0,0,1,1], dialogue 1 [0,0,1]. A weight is the mask of its target
    // token; none across the boundary (4 → 100) or on padding.
    expect(Array.from(batch.weights.subarray(0, T))).toEqual([0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0]);
    // A dialogue of exactly seqLen + 1 tokens fills a row: its last token is only a target.
    const full = new SftBatcher([example(0, T + 1)], { batchSize: 1, seqLen: T, seed: 0 }).next();
    expect(full.targets.at(-1)).toBe(T);
    expect(full.weights.at(-1)).toBe(1);
    expect(Array.from(full.docIds).includes(SFT_PAD_DOC_ID)).toBe(false);
  });

  it('sees every dialogue once per epoch, in a seeded order that changes by epoch', () => {
    const b = new SftBatcher(EXAMPLES, { batchSize: 1, seqLen: 12, seed: 7 });
    const seen: number[][] = [[], []];
    while (b.state.epoch < 2) {
      const epoch = b.state.cursor === EXAMPLES.length ? b.state.epoch + 1 : b.state.epoch;
      const batch = b.next();
      if (epoch > 1) break;
      for (const d of new Set(batch.docIds)) if (d !== SFT_PAD_DOC_ID) seen[epoch].push(d);
    }
    expect([...seen[0]].sort((x, y) => x - y)).toEqual(EXAMPLES.map((_, i) => i));
    expect([...seen[1]].sort((x, y) => x - y)).toEqual(EXAMPLES.map((_, i) => i));
    expect(seen[0]).not.toEqual(seen[1]);
  });

  it('resumes from a saved state to exactly the batches of an uninterrupted run', () => {
    const opts = { batchSize: 3, seqLen: 10, seed: 42 };
    const straight = new SftBatcher(EXAMPLES, opts);
    const batches = Array.from({ length: 12 }, () => straight.next());
    for (const stopAt of [1, 4, 7]) {
      const first = new SftBatcher(EXAMPLES, opts);
      for (let i = 0; i < stopAt; i++) first.next();
      const saved = JSON.parse(JSON.stringify(first.state));
      const resumed = new SftBatcher(EXAMPLES, opts);
      resumed.restore(saved);
      for (let i = stopAt; i < batches.length; i++) expect(resumed.next()).toEqual(batches[i]);
    }
  });

  it('refuses bad options, no examples, too-long examples and foreign states', () => {
    expect(() => new SftBatcher([], { batchSize: 1, seqLen: 8, seed: 0 })).toThrow(
      expect.objectContaining({ code: 'TRAIN_SFT_NO_EXAMPLES' }),
    );
    expect(() => new SftBatcher(EXAMPLES, { batchSize: 0, seqLen: 8, seed: 0 })).toThrow(
      expect.objectContaining({ code: 'TRAIN_SFT_BAD_OPTIONS' }),
    );
    expect(() => new SftBatcher(EXAMPLES, { batchSize: 1, seqLen: 7, seed: 0 })).toThrow(/line 5 has 9 tokens/);
    const b = new SftBatcher(EXAMPLES, { batchSize: 1, seqLen: 9, seed: 0 });
    expect(() => b.restore({ epoch: 0, cursor: 11 })).toThrow(expect.objectContaining({ code: 'TRAIN_SFT_BAD_OPTIONS' }));
  });
});
