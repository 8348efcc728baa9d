import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedDataRoot } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../types.js';
import { parseCsv } from './csv.js';
import { getDataset, listDatasets } from './registry.js';
import { fixtureRoot } from './test-fixtures/fixtureRoot.js';

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, embedded commas and newlines, CRLF and a BOM', () => {
    const t = '\ufeffa,"b, c","say ""hi"""\r\n"multi\nline",2,3\n';
    expect(parseCsv(t)).toEqual([
      ['a', 'b, c', 'say "hi"'],
      ['multi\nline', '2', '3'],
    ]);
  });
  it('keeps empty fields and a last line without newline', () => {
    expect(parseCsv(',x,\n1,,2')).toEqual([
      ['', 'x', ''],
      ['1', '', '2'],
    ]);
  });
});

describe('committed fixtures in the public formats', () => {
  it('reads the original headerless MMLU CSVs (letter answers, quoted commas and newlines)', async () => {
    const root = fixtureRoot('mmlu-original');
    const s = await getDataset('mmlu').load({ root });
    expect(s.map((x) => x.id)).toEqual([
      'mmlu/astronomy/test/0',
      'mmlu/astronomy/test/1',
      'mmlu/astronomy/test/2',
      'mmlu/astronomy/test/3',
      'mmlu/virology/test/0',
      'mmlu/virology/test/1',
    ]);
    expect(s.map((x) => x.gold).join('')).toBe('BACDBC');
    expect(s[1].choices?.[0]).toBe('Mercury, Venus, Earth, Mars');
    expect(s[2].question).toBe('What does the word "light-year" measure?');
    expect(s[3].question).toContain('\n(Consider');
    expect(s[0].subset).toBe('astronomy');
    const pool = await getDataset('mmlu').loadFewShotPool!({ root });
    expect(pool.map((p) => p.gold)).toEqual(['B', 'C']); // CRLF file
    expect((await getDataset('mmlu').load({ root, subsets: ['virology'], limit: 1 })).map((x) => x.id)).toEqual(['mmlu/virology/test/0']);
  });

  it('reads C-Eval val with the Chinese subject names, dev with explanations, and refuses the answerless test split', async () => {
    const root = fixtureRoot('ceval');
    const ceval = getDataset('ceval');
    const val = await ceval.load({ root });
    expect(val.map((x) => `${x.id}=${x.gold}`)).toEqual([
      'ceval/high_school_physics/val/0=B',
      'ceval/high_school_physics/val/1=B',
      'ceval/high_school_physics/val/2=C',
      'ceval/modern_chinese_history/val/0=B',
      'ceval/modern_chinese_history/val/1=A',
    ]);
    expect(val[1].question).toBe('物体做自由落体运动时,下列说法正确的是____');
    expect(val[0].meta.subjectZh).toBe('高中物理');
    const dev = await ceval.loadFewShotPool!({ root });
    expect(dev[0].meta.explanation).toContain('矢量');
    await expect(ceval.load({ root, split: 'test' })).rejects.toMatchObject({ code: 'EVAL_NO_ANSWERS' });
    const prompt = ceval.template.render({ sample: val[0], shots: dev, style: 'base' });
    expect(prompt.style === 'base' && prompt.text).toContain('以下是中国关于高中物理考试的单项选择题');
  });

  it('names the missing path and how to get the data', async () => {
    const root = mkdtempSync(join(tmpdir(), 'puyu-nodata-'));
    for (const d of listDatasets()) {
      const err = await d.load({ root }).catch((e: unknown) => e);
      expect(err, d.name).toBeInstanceOf(DatasetError);
      expect((err as DatasetError).code).toBe('EVAL_DATA_MISSING');
      expect((err as DatasetError).message).toContain(root);
      expect((err as DatasetError).message).toMatch(/https?:\/\/|Get /);
    }
  });

  it('rejects an unknown subset with the list of available ones', async () => {
    await expect(getDataset('mmlu').load({ root: fixtureRoot('mmlu-original'), subsets: ['astrology'] })).rejects.toMatchObject({
      code: 'EVAL_UNKNOWN_SUBSET',
    });
  });
});

const shared = sharedDataRoot();
if (!shared) console.log('skipping real-data loader tests: ../shared/datasets not found (set PUYU_DATA_ROOT)');

describe.skipIf(!shared)('loaders on the real benchmark files', () => {
  const root = shared!;
  it.each([
    ['gsm8k', 1319],
    ['math', 5000],
    ['math500', 500],
    ['bbh', 6511],
    ['humaneval', 164],
    ['mmlu', 14042],
    ['cmmlu', 11582],
    ['arc-challenge', 1150],
  ])('%s has %i samples with unique ids', async (name, n) => {
    const s = await getDataset(name).load({ root });
    expect(s.length).toBe(n);
    expect(new Set(s.map((x) => x.id)).size).toBe(n);
    expect(s.every((x) => x.gold.length > 0)).toBe(true);
  });

  it('MMLU (header + 0-3 answers) has 57 subjects and the original A/B/C/D counts', async () => {
    const s = await getDataset('mmlu').load({ root });
    expect(new Set(s.map((x) => x.subset)).size).toBe(57);
    const counts = { A: 0, B: 0, C: 0, D: 0 } as Record<string, number>;
    for (const x of s) counts[x.gold]++;
    expect(counts).toEqual({ A: 3222, B: 3462, C: 3582, D: 3776 });
    expect((await getDataset('mmlu').loadFewShotPool!({ root })).length).toBe(285);
  });

  it('GSM8K gold is the #### number without commas; MATH gold is the last box', async () => {
    const g = await getDataset('gsm8k').load({ root, limit: 1 });
    expect(g[0].gold).toBe('18');
    // MATH has subjects, so a plain limit samples across them; the first of each subject is limitPerSubset.
    const m = await getDataset('math').load({ root, limit: 1, limitPerSubset: true });
    expect(m[0].gold).toBe('2');
    const m5 = await getDataset('math500').load({ root, limit: 1, limitPerSubset: true });
    expect(m5[0].gold).toBe('\\left( 3, \\frac{\\pi}{2} \\right)');
    expect(m5[0].id).toBe('math500/test/precalculus/807.json');
  });

  it('BBH has 27 tasks, each with its 3-shot CoT prompt (canary stripped)', async () => {
    const s = await getDataset('bbh').load({ root, limit: 1, limitPerSubset: true });
    expect(s.length).toBe(27);
    for (const x of s) {
      const p = String(x.meta.cotPrompt);
      expect(p).not.toContain('canary');
      expect(p.match(/^Q: /gm)?.length).toBe(3);
    }
  });

  it('subset and limit: a seeded draw within the subject, kept in file order', async () => {
    const s = await getDataset('cmmlu').load({ root, subsets: ['agronomy'], limit: 3 });
    expect(s.map((x) => x.id)).toEqual(['cmmlu/agronomy/test/61', 'cmmlu/agronomy/test/96', 'cmmlu/agronomy/test/105']);
    expect(s[0].gold).toBe('C');
    expect(s[0].meta.subjectZh).toBe('农学');
    const all = await getDataset('cmmlu').load({ root, limit: 1, limitPerSubset: true });
    expect(all.length).toBe(67);
    expect(all.filter((x) => !x.meta.subjectZh).map((x) => x.subset)).toEqual([]);
  });
});
