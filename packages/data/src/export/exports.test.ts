import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SentencePieceTokenizer } from '@puyu/formats/tokenizer';
import { readTokenShard } from '@puyu/formats/tokens';
import { REPO_ROOT } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import type { Doc } from '../io/jsonlDocs.js';
import { dpoLine, writeInternEvoBin, writePtok, xtunerLine } from './exports.js';
import { npyInt32 } from './npyInt32.js';

const tok = SentencePieceTokenizer.load(readFileSync(join(REPO_ROOT, 'packages', 'model', 'assets', 'puyu-tiny.model')));
const docs: Doc[] = [
  'The river runs past the old mill.',
  '春眠不觉晓，处处闻啼鸟。',
  'A third, longer document about the library and its new books.',
].map((text, i) => ({
  id: String(i),
  text,
  meta: {},
}));
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe('training exports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'puyu-export-'));

  it('writes .npy exactly as numpy.save does (golden from numpy)', () => {
    const golden = readFileSync(new URL('./fixtures/meta-3x2.numpy.npy', import.meta.url));
    expect(
      npyInt32(
        [
          [0, 5],
          [31, 3],
          [55, 70000],
        ],
        2,
      ).equals(golden),
    ).toBe(true);
  });

  it('writes InternEvo .bin + .bin.meta that its loader logic reads back', async (ctx) => {
    const path = join(dir, 'train-00000.bin');
    const s = await writeInternEvoBin(path, docs, tok);
    expect(s.docs).toBe(3);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0] as string).tokens).toEqual(tok.encode(docs[0]!.text, { addBos: true, addEos: true }));
    if (!hasNumpy) {
      console.log('skipped the numpy read-back: python3 with numpy is not installed');
      ctx.skip();
    }
    // internlm/data/tokenized/single_dataset.py: np.load the meta, offsets = meta[:, 0], lengths = meta[:, -1],
    // then mmap the .bin, read the line at each offset and json.loads it.
    const py = `
import json, mmap, sys, numpy as np
meta = np.load(open(sys.argv[1] + ".meta", "rb"))
assert meta.dtype == np.int32 and meta.shape[1] == 2
f = open(sys.argv[1], "rb"); mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
out = []
for off, n in zip(meta[:, 0], meta[:, -1]):
    mm.seek(int(off)); item = json.loads(mm.readline())
    assert len(item["tokens"]) == int(n)
    out.append(item["tokens"])
print(json.dumps(out))`;
    const got = JSON.parse(execFileSync('python3', ['-c', py, path], { encoding: 'utf8' })) as number[][];
    expect(got).toEqual(docs.map((d) => tok.encode(d.text, { addBos: true, addEos: true })));
  });

  it('writes .ptok shards puyu train reads', async () => {
    const path = join(dir, 'a.ptok');
    const s = await writePtok(path, docs, tok);
    const shard = await readTokenShard(path);
    expect(shard.docStarts.length - 1).toBe(3);
    expect(shard.tokens.length).toBe(s.tokens);
    expect(shard.eosId).toBe(tok.eosId);
  });

  it('formats XTuner and DPO lines', () => {
    expect(
      JSON.parse(
        xtunerLine({
          system: 'S',
          turns: [
            { input: 'q', output: 'a' },
            { input: 'q2', output: 'a2' },
          ],
        }),
      ),
    ).toEqual({
      conversation: [
        { system: 'S', input: 'q', output: 'a' },
        { input: 'q2', output: 'a2' },
      ],
    });
    expect(JSON.parse(dpoLine({ prompt: 'p', chosen: 'c', rejected: 'r' }))).toEqual({ prompt: 'p', chosen: 'c', rejected: 'r' });
  });
});
