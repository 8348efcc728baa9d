import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenAIPeer, startOpenAIPeer } from '@puyu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnyPredictions, scoreDataset } from '../evaluators/scoreDataset.js';
import { topLevelKeys } from './openCompassLayout.js';
import { runConfigSchema } from './RunConfig.js';
import { runEval } from './runEval.js';

/** Three MMLU subjects; each question says what the fake model answers (`say=X`), the last column is gold. */
const FIXTURE: Record<string, string[]> = {
  anatomy: ['a1 say=A,w,x,y,z,A', 'a2 say=B,w,x,y,z,B', 'a3 say=C,w,x,y,z,D', 'a4 say=A,w,x,y,z,B', 'a5 say=D,w,x,y,z,D'],
  philosophy: ['p1 say=A,w,x,y,z,A', 'p2 say=A,w,x,y,z,C', 'p3 say=B,w,x,y,z,C'],
  virology: ['v1 say=A,w,x,y,z,B', 'v2 say=D,w,x,y,z,D'],
};

let peer: OpenAIPeer;
let root: string;
beforeAll(async () => {
  peer = await startOpenAIPeer((r) => `The answer is ${[...r.prompt.matchAll(/say=([A-D])/g)].at(-1)?.[1]}.`);
  root = mkdtempSync(join(tmpdir(), 'puyu-oc-layout-'));
  mkdirSync(join(root, 'mmlu', 'test'), { recursive: true });
  for (const [subject, rows] of Object.entries(FIXTURE))
    writeFileSync(join(root, 'mmlu', 'test', `${subject}_test.csv`), `${rows.join('\n')}\n`);
});
afterAll(async () => {
  await peer.close();
});

async function run(extra: Record<string, unknown> = {}) {
  const outDir = mkdtempSync(join(tmpdir(), 'puyu-oc-run-'));
  const s = await runEval(
    runConfigSchema.parse({
      models: [`${peer.url}@m`],
      datasets: [{ name: 'mmlu', fewShot: { retriever: 'zero', k: 0 } }],
      dataRoot: root,
      outDir,
      opencompassLayout: true,
      ...extra,
    }),
    { progress: { silent: true } },
  );
  return { s, dir: join(outDir, 'predictions', 'm') };
}

const opts = () => ({ root });

describe("OpenCompass's prediction layout", () => {
  it('a run writes predictions/<model>/<abbr>.json that score back to identical numbers (with --limit: keys are positions in the subject)', async () => {
    for (const limit of [undefined, 5]) {
      const { s, dir } = await run(limit ? { limit } : {});
      const u = s.results[0];
      expect(u.openCompassFiles?.map((f) => f.split('/').at(-1))).toEqual([
        'lukaemon_mmlu_anatomy.json',
        'lukaemon_mmlu_philosophy.json',
        'lukaemon_mmlu_virology.json',
      ]);
      const anatomy = JSON.parse(readFileSync(join(dir, 'lukaemon_mmlu_anatomy.json'), 'utf8'));
      const first = Object.values(anatomy)[0] as Record<string, unknown>;
      expect(Object.keys(first)).toEqual(['origin_prompt', 'prediction', 'gold']);
      expect(first.origin_prompt).toEqual([{ role: 'HUMAN', prompt: expect.stringContaining('say=') }]);
      const preds = await readAnyPredictions(dir, 'mmlu', opts());
      const again = await scoreDataset('mmlu', preds, opts());
      expect(again.samples).toEqual(
        readFileSync(join(dir, '..', '..', u.scoredFile), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
      );
      expect(again.metrics).toEqual(u.metrics);
      expect(again.subsets).toEqual(u.subsets);
      expect(again.groups).toEqual(u.groups);
      // One file of the folder scores just that subject.
      const one = await readAnyPredictions(join(dir, 'lukaemon_mmlu_anatomy.json'), 'mmlu', opts());
      expect(one.every((p) => p.id.startsWith('mmlu/anatomy/'))).toBe(true);
      if (limit) expect(Object.keys(anatomy).length).toBeLessThan(5);
    }
  });

  it("reads OpenCompass's split files <abbr>_0.json, <abbr>_1.json (keys restart at 0) as one file", async () => {
    const { s, dir } = await run();
    const whole = JSON.parse(readFileSync(join(dir, 'lukaemon_mmlu_anatomy.json'), 'utf8')) as Record<string, unknown>;
    const entries = Object.values(whole);
    rmSync(join(dir, 'lukaemon_mmlu_anatomy.json'));
    writeFileSync(join(dir, 'lukaemon_mmlu_anatomy_0.json'), JSON.stringify({ 0: entries[0], 1: entries[1], 2: entries[2] }));
    writeFileSync(join(dir, 'lukaemon_mmlu_anatomy_1.json'), JSON.stringify({ 0: entries[3], 1: entries[4] }));
    const preds = await readAnyPredictions(dir, 'mmlu', opts());
    expect(preds.filter((p) => p.id.startsWith('mmlu/anatomy/')).map((p) => p.id)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `mmlu/anatomy/test/${i}`),
    );
    expect((await scoreDataset('mmlu', preds, opts())).metrics).toEqual(s.results[0].metrics);
    // Naming one part reads them all (the keys of part 1 need part 0's length).
    expect(await readAnyPredictions(join(dir, 'lukaemon_mmlu_anatomy_1.json'), 'mmlu', opts())).toHaveLength(5);
    // Naming the whole file that is absent falls back to its parts, as OpenCompass does.
    expect(await readAnyPredictions(join(dir, 'lukaemon_mmlu_anatomy.json'), 'mmlu', opts())).toHaveLength(5);
  });

  it('refuses an empty file, a missing file, duplicate ids and unknown ids with coded errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'puyu-oc-bad-'));
    const f = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const fails = (p: Promise<unknown>, code: string) => expect(p).rejects.toMatchObject({ code });
    await fails(readAnyPredictions(f('lukaemon_mmlu_virology.json', ''), 'mmlu', opts()), 'EVAL_PREDICTIONS_EMPTY');
    await fails(readAnyPredictions(f('lukaemon_mmlu_virology.json', '{}'), 'mmlu', opts()), 'EVAL_PREDICTIONS_EMPTY');
    await fails(readAnyPredictions(join(dir, 'lukaemon_mmlu_anatomy.json'), 'mmlu', opts()), 'EVAL_PREDICTIONS_MISSING');
    await fails(readAnyPredictions(join(dir, 'nowhere'), 'mmlu', opts()), 'EVAL_PREDICTIONS_MISSING');
    const dup = '{"0": {"prediction": "A"}, "1": {"prediction": "B"}, "0": {"prediction": "C"}}';
    await fails(readAnyPredictions(f('lukaemon_mmlu_virology.json', dup), 'mmlu', opts()), 'EVAL_DUPLICATE_PREDICTION_IDS');
    await fails(
      readAnyPredictions(f('lukaemon_mmlu_virology.json', '{"2": {"prediction": "A"}}'), 'mmlu', opts()),
      'EVAL_UNKNOWN_PREDICTION_IDS',
    );
    await fails(
      readAnyPredictions(f('lukaemon_mmlu_virology.json', '{"x": {"prediction": "A"}}'), 'mmlu', opts()),
      'EVAL_UNKNOWN_PREDICTION_IDS',
    );
    await fails(readAnyPredictions(f('lukaemon_mmlu_virology.json', '{"0": {"gold": "A"}}'), 'mmlu', opts()), 'EVAL_BAD_PREDICTION');
    await fails(
      readAnyPredictions(f('lukaemon_mmlu_nosuch.json', '{"0": {"prediction": "A"}}'), 'mmlu', opts()),
      'EVAL_UNKNOWN_PREDICTION_FILE',
    );
    // The JSONL layout: the same four refusals.
    await fails(readAnyPredictions(f('empty.jsonl', ''), 'mmlu', opts()), 'EVAL_PREDICTIONS_EMPTY');
    await fails(readAnyPredictions(join(dir, 'missing.jsonl'), 'mmlu', opts()), 'EVAL_PREDICTIONS_MISSING');
    const line = (id: string) => `${JSON.stringify({ id, output: 'A' })}\n`;
    await fails(
      readAnyPredictions(f('dup.jsonl', line('mmlu/virology/test/0').repeat(2)), 'mmlu', opts()),
      'EVAL_DUPLICATE_PREDICTION_IDS',
    );
    const unknown = await readAnyPredictions(f('unknown.jsonl', line('mmlu/virology/test/9')), 'mmlu', opts());
    await fails(scoreDataset('mmlu', unknown, opts()), 'EVAL_UNKNOWN_PREDICTION_IDS');
  });

  it('refuses two entries of one dataset that would write the same OpenCompass files', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'puyu-oc-twin-'));
    const config = runConfigSchema.parse({
      models: [`${peer.url}@m`],
      datasets: [
        { name: 'mmlu', fewShot: { retriever: 'zero', k: 0 } },
        { name: 'mmlu', inferencer: 'ppl', fewShot: { retriever: 'zero', k: 0 } },
      ],
      dataRoot: root,
      outDir,
      opencompassLayout: true,
    });
    await expect(runEval(config, { progress: { silent: true } })).rejects.toMatchObject({ code: 'EVAL_LAYOUT_CONFLICT' });
    expect(existsSync(join(outDir, 'predictions'))).toBe(false);
  });

  it('lists top-level keys with duplicates, skipping nested objects, arrays and strings with escapes', () => {
    expect(topLevelKeys('{"0": {"a": [1, {"0": 2}], "b": "x\\"}"}, "1": 3, "0": null, "k\\"": "v"}')).toEqual(['0', '1', '0', 'k"']);
  });
});
