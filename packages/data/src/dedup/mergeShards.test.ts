import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../pipeline/runPipeline.js';
import { dedupJsonl } from './dedupJsonl.js';
import { mergeMinhashShards } from './mergeShards.js';
import { nearDuplicateCorpus } from './nearDupFixture.js';

describe('global MinHash dedup across shards', () => {
  it('clusters the signatures of all shards and keeps what one dedup over the whole corpus keeps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'puyu-merge-'));
    mkdirSync(join(dir, 'in'));
    const docs = nearDuplicateCorpus({ families: 30, words: 100, rates: [0, 0.01, 0.05], seed: 9 });
    // Spread each family over different shards, so most duplicates cross shard boundaries.
    const shards: string[][] = [[], [], []];
    for (const [i, d] of docs.entries()) shards[i % 3]?.push(JSON.stringify({ id: d.id, text: d.text }));
    for (const [k, lines] of shards.entries()) writeFileSync(join(dir, 'in', `s${k}.jsonl`), `${lines.join('\n')}\n`);
    writeFileSync(
      join(dir, 'p.yaml'),
      'name: g\ninput: { paths: [in] }\noutput: { dir: out }\nsteps:\n  - exact_dedup: {}\n  - minhash_dedup: { scope: global }\n',
    );
    // Two --shard tasks, as two machines would run them.
    await runPipeline(join(dir, 'p.yaml'), { silent: true, shard: { index: 0, count: 2 } });
    await runPipeline(join(dir, 'p.yaml'), { silent: true, shard: { index: 1, count: 2 } });
    const m = await mergeMinhashShards(join(dir, 'out'));
    expect(m.shards).toBe(3);
    // The reference: one dedup over the per-shard outputs concatenated in shard order.
    const concat = [0, 1, 2].map((k) => readFileSync(join(dir, 'out', `shard-0000${k}`, 'part-00000.jsonl'), 'utf8')).join('');
    writeFileSync(join(dir, 'all.jsonl'), concat);
    const ref = await dedupJsonl(join(dir, 'all.jsonl'), join(dir, 'ref.jsonl'), { silent: true });
    const merged = readdirSync(join(dir, 'out', 'dedup'))
      .filter((d) => d.startsWith('shard-'))
      .sort()
      .map((d) => readFileSync(join(dir, 'out', 'dedup', d, 'part-00000.jsonl'), 'utf8'))
      .join('');
    expect(merged).toBe(readFileSync(join(dir, 'ref.jsonl'), 'utf8'));
    expect(m.kept).toBe(ref.kept);
    expect(m.removed).toBeGreaterThan(20);
  });
});
