import { tokenShardFromDocs } from '@puyu/formats';
import { describe, expect, it } from 'vitest';
import { PackedBatcher } from './PackedBatcher.js';

const docs = Array.from({ length: 20 }, (_, d) => Array.from({ length: 3 + (d % 7) }, (_, i) => 100 * d + i));
const shard = tokenShardFromDocs(docs, { vocabSize: 4096 });

describe('PackedBatcher', () => {
  it('packs documents, weights cross-document targets 0, and keeps targets = next token', () => {
    const b = new PackedBatcher(shard, { batchSize: 2, seqLen: 8, seed: 1 });
    for (let step = 0; step < 5; step++) {
      const batch = b.next();
      expect(batch.rows).toHaveLength(2);
      for (let i = 0; i < 16; i++) {
        const t = i % 8;
        const row = batch.rows[Math.floor(i / 8)];
        const tok = row[t];
        const doc = Math.floor(tok / 100);
        expect(batch.docIds[i]).toBe(doc);
        if (batch.weights[i] === 1)
          expect(batch.targets[i]).toBe(tok + 1); // next token of the same document
        else expect(Math.floor(batch.targets[i] / 100)).not.toBe(doc);
      }
    }
  });

  it('is reproducible from its state (what resume relies on)', () => {
    const a = new PackedBatcher(shard, { batchSize: 3, seqLen: 5, seed: 7 });
    for (let i = 0; i < 4; i++) a.next();
    const saved = a.state;
    const wantNext = [a.next(), a.next(), a.next()];
    const b = new PackedBatcher(shard, { batchSize: 3, seqLen: 5, seed: 7 });
    b.restore(saved);
    expect([b.next(), b.next(), b.next()]).toEqual(wantNext);
  });

  it('reshuffles each epoch and visits every document', () => {
    const b = new PackedBatcher(shard, { batchSize: 1, seqLen: 4, seed: 3 });
    const seen = new Set<number>();
    const total = docs.flat().length;
    for (let i = 0; i < Math.floor(total / 4) - 1; i++) for (const t of b.next().rows[0]) seen.add(Math.floor(t / 100));
    expect(seen.size).toBeGreaterThanOrEqual(19);
    expect(b.state.epoch).toBe(0);
    for (let i = 0; i < 5; i++) b.next();
    expect(b.state.epoch).toBe(1);
  });

  it('refuses data smaller than one row', () => {
    expect(() => new PackedBatcher(tokenShardFromDocs([[1, 2]], { vocabSize: 10 }), { batchSize: 1, seqLen: 8, seed: 1 })).toThrow(
      expect.objectContaining({ code: 'TRAIN_DATA_TOO_SMALL' }),
    );
  });
});
