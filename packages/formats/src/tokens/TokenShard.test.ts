import { mkdtemp, readFile, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTokenShard, TokenShardWriter, tokenShardFromDocs, writeTokenShard } from './TokenShard.js';

describe('token shards (.ptok)', () => {
  it('round-trips documents, u16 and u32', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-ptok-'));
    for (const vocabSize of [2048, 92544]) {
      const docs = [[1, 5, 9, 2], [], [1, vocabSize - 1, 2]];
      const p = join(dir, `s${vocabSize}.ptok`);
      await writeTokenShard(p, tokenShardFromDocs(docs, { vocabSize, eosId: 2 }));
      const s = await readTokenShard(p);
      expect(s.tokens.BYTES_PER_ELEMENT).toBe(vocabSize > 65536 ? 4 : 2);
      expect(Array.from(s.docStarts)).toEqual([0, 4, 4, 7]);
      expect(Array.from(s.tokens)).toEqual(docs.flat());
      expect(s.vocabSize).toBe(vocabSize);
      expect(s.eosId).toBe(2);
    }
  });

  it('rejects truncated, corrupt and out-of-vocabulary shards with codes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'puyu-ptok-'));
    const p = join(dir, 'a.ptok');
    await writeTokenShard(p, tokenShardFromDocs([[1, 2, 3]], { vocabSize: 10 }));
    const good = await readFile(p);
    await truncate(p, good.length - 3);
    await expect(readTokenShard(p)).rejects.toMatchObject({ code: 'TOKENS_CORRUPT' });
    const bad = Buffer.from(good);
    bad.write('NOTATOK!', 0, 'ascii');
    await writeFile(p, bad);
    await expect(readTokenShard(p)).rejects.toMatchObject({ code: 'TOKENS_CORRUPT' });
    const big = Buffer.from(good);
    big.writeUInt16LE(50, 64); // token 50 ≥ vocab 10
    await writeFile(p, big);
    await expect(readTokenShard(p)).rejects.toThrow(/outside the vocabulary/);
    await expect(readTokenShard(join(dir, 'missing.ptok'))).rejects.toMatchObject({ code: 'TOKENS_NOT_FOUND' });
    const w = await TokenShardWriter.create(join(dir, 'b.ptok'), { vocabSize: 10 });
    await expect(w.addDocument([11])).rejects.toMatchObject({ code: 'TOKENS_BAD_ID' });
    await w.abort();
  });
});
