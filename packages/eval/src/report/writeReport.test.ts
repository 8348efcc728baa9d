import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenAIPeer, startOpenAIPeer } from '@puyu/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { emEvaluator } from '../evaluators/evaluators.js';
import { runConfigSchema } from '../runner/RunConfig.js';
import { runEval } from '../runner/runEval.js';
import type { DatasetDef, EvalSample, ReportArtifactsInput } from '../types.js';

const peers: OpenAIPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

const samples: EvalSample[] = ['red', 'green', 'blue'].map((colour, i) => ({
  id: `colours/${i}`,
  dataset: 'colours',
  question: `Name colour ${i}.`,
  gold: colour,
  meta: {},
}));

/** A dataset the report has never heard of, with its own artefact hook. */
function coloursDataset(calls: ReportArtifactsInput[]): DatasetDef {
  return {
    name: 'colours',
    kind: 'gen',
    description: 'three colours',
    dirName: 'colours',
    howToObtain: 'inline',
    load: async () => samples,
    template: { id: 'colours-v1', render: ({ sample }) => ({ style: 'chat', messages: [{ role: 'user', content: sample.question }] }) },
    fewShot: { retriever: 'zero', k: 0 },
    evaluator: emEvaluator,
    reportArtifacts(input) {
      calls.push(input);
      const right = input.units.map((u) => `${u.model}:${input.scored(u).filter((s) => s.correct).length}`).join(',');
      writeFileSync(join(input.outDir, 'colours-extra.txt'), right);
      return { title: 'Colour wheel', html: `<p id="colour-wheel">${right}</p>`, files: ['colours-extra.txt'] };
    },
  };
}

describe('dataset report artefacts', () => {
  it("embeds a custom dataset's reportArtifacts section and files in report.html, calling the hook once with its units", async () => {
    const peer = await startOpenAIPeer((r) => (r.prompt.includes('0') ? 'red' : 'purple'));
    peers.push(peer);
    const calls: ReportArtifactsInput[] = [];
    const def = coloursDataset(calls);
    const outDir = join(mkdtempSync(join(tmpdir(), 'puyu-report-hook-')), 'run');
    await runEval(runConfigSchema.parse({ models: [`${peer.url}@painter`], datasets: ['colours'], outDir }), {
      resolveDataset: () => def,
      progress: { silent: true },
    });
    expect(calls).toHaveLength(1);
    expect(calls[0].units.map((u) => [u.model, u.dataset])).toEqual([['painter', 'colours']]);
    expect(calls[0].scored(calls[0].units[0]).map((s) => s.correct)).toEqual([true, false, false]);
    const html = readFileSync(join(outDir, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Colour wheel</h2><p id="colour-wheel">painter:1</p>');
    expect(html).toContain('<a href="colours-extra.txt">');
    expect(existsSync(join(outDir, 'colours-extra.txt'))).toBe(true);
  });
});
