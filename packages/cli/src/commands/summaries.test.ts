import { describe, expect, it } from 'vitest';
import { evalRunSummary, quantizeSummary, trainSummary } from './summaries.js';

describe('--json summaries', () => {
  const outputs = { hf: 'runs/a/hf', gguf: ['runs/a/model-f16.gguf'], metrics: 'runs/a/metrics.jsonl', curve: 'runs/a/loss.svg' };

  it('train: steps, losses, the fields of each command, and every output', () => {
    const pre = trainSummary('pretrain', { steps: 10, finalLoss: 2.5, unigramLoss: 4, outputs, examples: { train: 1, val: 1 } });
    expect(pre).toEqual({ command: 'train pretrain', steps: 10, finalLoss: 2.5, valLoss: null, unigramLoss: 4, outputs });
    const dpo = trainSummary('dpo', { steps: 3, finalLoss: 0.6, valLoss: 0.7, pairs: { train: 8, val: 2 }, skipped: 1, outputs });
    expect(dpo).toEqual({
      command: 'train dpo',
      steps: 3,
      finalLoss: 0.6,
      valLoss: 0.7,
      heldOut: null,
      pairs: { train: 8, val: 2 },
      skipped: 1,
      outputs,
    });
    const lora = trainSummary('lora', { steps: 1, finalLoss: 1, adapterParams: 4096, examples: { train: 5, val: 1 }, skipped: 0, outputs });
    expect(Object.keys(lora)).toEqual(['command', 'steps', 'finalLoss', 'valLoss', 'adapterParams', 'examples', 'skipped', 'outputs']);
    // one line of valid JSON, NaN as null
    expect(JSON.parse(JSON.stringify(trainSummary('sft', { steps: 0, finalLoss: Number.NaN, outputs })))).toMatchObject({
      finalLoss: null,
    });
  });

  it('quantize: sizes and the ratio', () => {
    expect(quantizeSummary({ input: 'a.gguf', output: 'b.gguf', type: 'q8_0', inputBytes: 400, outputBytes: 100, seconds: 1.5 })).toEqual({
      input: 'a.gguf',
      output: 'b.gguf',
      type: 'q8_0',
      inputBytes: 400,
      outputBytes: 100,
      seconds: 1.5,
      ratio: 4,
    });
  });

  it('eval run: status, results and the report path (none when aborted)', () => {
    const base = {
      outDir: 'eval-runs/x',
      requests: { sent: 3, cached: 1 },
      wallMs: 1200,
      phases: { loadMs: 1, inferMs: 2, scoreMs: 3, writeMs: 4 },
      results: [],
    };
    expect(evalRunSummary({ ...base, status: 'done' })).toMatchObject({ status: 'done', report: 'eval-runs/x/report.html', results: [] });
    expect(evalRunSummary({ ...base, status: 'aborted' }).report).toBeNull();
  });
});
