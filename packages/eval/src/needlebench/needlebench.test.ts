import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { type OpenAIPeer, REPO_ROOT, sharedDataPath, startOpenAIPeer } from '@puyu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertionPoint } from './haystack.js';
import { needleBenchDataset } from './needleBenchDataset.js';
import { levenshtein, multiNeedleScore, singleNeedleScore } from './needleScore.js';
import { runNeedleBench } from './runNeedleBench.js';
import { approxTokenCount, truncateToTokens } from './tokens.js';

const essays = sharedDataPath('paulgraham-essays');
const hasEssays = existsSync(essays);
if (!hasEssays) console.warn(`skipping NeedleBench grid tests: ${essays} not found (needs ../shared/datasets)`);
const poems = join(REPO_ROOT, 'packages/model/assets/corpus/tang300-song100.txt');

/** Answers by actually reading the document in the prompt (only its first `reach` fraction). */
function reader(reach: number) {
  return (prompt: string): string => {
    const [docPart, question] = prompt.includes('\n\nQuestion: ') ? prompt.split('\n\nQuestion: ') : prompt.split('\n\n问题：');
    const doc = docPart.slice(0, Math.floor(docPart.length * reach));
    const single = /secret code of (.+?)\?/.exec(question) ?? /^(.+?)的秘密口令是什么/.exec(question);
    if (single) {
      const en = new RegExp(`The secret code of ${single[1]} is (\\S+?)\\.`).exec(doc);
      const zh = new RegExp(`${single[1]}的秘密口令是([A-Z]+-\\d+)`).exec(doc);
      const code = en?.[1] ?? zh?.[1];
      if (!code) return 'I could not find it.';
      return en ? `The secret code of ${single[1]} is ${code}.` : `${single[1]}的秘密口令是${code}。`;
    }
    const start = /ancestor of (.+?) that/.exec(question)?.[1] ?? /，(.+?)能追溯到/.exec(question)?.[1];
    const parent = new Map<string, string>();
    for (const m of doc.matchAll(/\n([A-Z][a-z]+ [A-Z][a-z]+) is the father of ([A-Z][a-z]+ [A-Z][a-z]+)\.\n/g)) parent.set(m[2], m[1]);
    for (const m of doc.matchAll(/\n(\S+?)是(\S+?)的父亲。\n/g)) parent.set(m[2], m[1]);
    let who = start!;
    while (parent.has(who)) who = parent.get(who)!;
    return who === start ? 'Unknown.' : `The most distant ancestor is ${who}.`;
  };
}

describe('NeedleBench scoring (OpenCompass rules)', () => {
  it('scores keyword hits 100, near misses by a fifth of Levenshtein similarity, multi by keyword share', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(singleNeedleScore('It is PLUM-1234, I think', 'The code is PLUM-1234.', 'PLUM-1234').score).toBe(100);
    const miss = singleNeedleScore('The code is PLUM-1243.', 'The code is PLUM-1234.', 'PLUM-1234');
    expect(miss.editDistance).toBe(2);
    expect(miss.score).toBeCloseTo(0.2 * 100 * (1 - 2 / 19), 6);
    expect(multiNeedleScore('It is avery QUILL.', 'Avery Quill').score).toBe(100);
    expect(multiNeedleScore('Avery Rowe', 'Avery Quill').score).toBe(50);
  });

  it('cuts to a token budget and inserts at sentence ends', () => {
    const text = 'One two three. Four five six. Seven eight.';
    expect(insertionPoint(text, 0)).toBe(0);
    expect(insertionPoint(text, 100)).toBe(text.length);
    expect(text.slice(0, insertionPoint(text, 50))).toBe('One two three.');
    const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
    expect(truncateToTokens(text, 4, words)).toBe('One two three. Four ');
    expect(approxTokenCount('床前明月光')).toBe(5);
    expect(approxTokenCount('a'.repeat(42))).toBe(10);
  });
});

describe.skipIf(!hasEssays)('NeedleBench grid', () => {
  let oracle: OpenAIPeer;
  let halfReader: OpenAIPeer;
  const dir = mkdtempSync(join(tmpdir(), 'puyu-needle-'));
  const grid = {
    haystacks: { en: essays, zh: poems },
    lengths: [300, 800],
    depths: [0, 50, 100],
    kinds: ['single', 'multi'] as ('single' | 'multi')[],
  };
  beforeAll(async () => {
    oracle = await startOpenAIPeer((r) => reader(1)(r.prompt));
    halfReader = await startOpenAIPeer((r) => reader(0.5)(r.prompt));
  });
  afterAll(async () => {
    await oracle.close();
    await halfReader.close();
  });

  it('builds prompts of the asked length with every needle inside, deterministically', async () => {
    const samples = await needleBenchDataset({ ...grid, hops: 3 }).load({ root: '' });
    expect(samples).toHaveLength(2 * 2 * 2 * 3);
    for (const s of samples) {
      const target = s.meta.length as number;
      expect(Math.abs((s.meta.promptTokens as number) - target)).toBeLessThanOrEqual(target * 0.02 + 5);
      for (const n of s.meta.needles as string[]) expect(s.question).toContain(`\n${n}\n`);
    }
    const again = await needleBenchDataset({ ...grid, hops: 3 }).load({ root: '' });
    expect(again.map((s) => s.question)).toEqual(samples.map((s) => s.question));
    const zh = samples.find((s) => s.id === 'needlebench/zh/single/800/50/0')!;
    expect(zh.question).toMatch(/作者：/);
  });

  it('runs the grid: a reader of the whole document scores 100 everywhere; one that reads half fails deep needles; heatmaps are written', async () => {
    const full = await runNeedleBench(
      { models: [`${oracle.url}@reader`], outDir: join(dir, 'full'), concurrency: 4, shardSize: 50, dataRoot: '' },
      grid,
      { progress: { silent: true } },
    );
    expect(full.results[0]).toMatchObject({ dataset: 'needlebench', metric: 'score', score: 100, errors: 0 });
    const half = await runNeedleBench(
      { models: [`${halfReader.url}@half`], outDir: join(dir, 'half'), concurrency: 4, shardSize: 50, dataRoot: '' },
      grid,
      { progress: { silent: true } },
    );
    const scored = readFileSync(join(dir, 'half', half.results[0].scoredFile), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const at = (depth: number, kind: string) => scored.filter((s) => s.detail.depth === depth && s.detail.kind === kind);
    expect(at(0, 'single').every((s) => s.score === 1)).toBe(true);
    expect(at(100, 'single').every((s) => s.score < 0.5)).toBe(true);
    expect(half.results[0].score).toBeLessThan(100);

    const svg = readFileSync(join(dir, 'half', 'heatmaps', 'half', 'single-en.svg'), 'utf8');
    expect(svg).toContain('<svg');
    expect(svg).toContain('100%');
    const png = readFileSync(join(dir, 'half', 'heatmaps', 'half', 'single-en.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    // Decode IDAT and read the first cell (depth 0%, 300 tokens): full score → green.
    const idat = png.subarray(33 + 8, 33 + 8 + png.readUInt32BE(33));
    const raw = inflateSync(idat);
    expect(raw.length).toBe((width * 3 + 1) * height);
    const px = (x: number, y: number) => [...raw.subarray(y * (width * 3 + 1) + 1 + x * 3, y * (width * 3 + 1) + 4 + x * 3)];
    expect(px(60 + 3, 10 + 3)).toEqual([26, 152, 80]);
    const html = readFileSync(join(dir, 'half', 'report.html'), 'utf8');
    expect(html).toContain('NeedleBench single-zh');
  });
});
