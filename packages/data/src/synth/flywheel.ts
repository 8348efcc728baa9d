import { readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DataError } from '../errors.js';
import { dpoLine, writeLines, xtunerLine } from '../export/exports.js';
import { loadPipeline } from '../pipeline/config.js';
import { runPipelineConfig } from '../pipeline/runPipeline.js';
import { generateSynthetic, type SyntheticKind } from './generate.js';
import { preferencePairs } from './preferencePairs.js';

export interface FlywheelResult {
  report: string;
  corpusKept: number;
  corpusRead: number;
  sft: number;
  dpo: number;
  accuracy: number;
}

/**
 * One round of the data flywheel from one recipe:
 *   1. score and filter the corpus with the current model (a `puyu data run` pipeline whose steps
 *      use `perplexity: { model }` and/or `quality_classifier`),
 *   2. generate rule-based SFT data (`sft.jsonl`, XTuner; calculator transcripts as OpenAI messages),
 *   3. sample the current model on the checkable prompts, rank by the arithmetic checker and
 *      write DPO pairs (`dpo.jsonl`) — the sets `puyu train sft` / `puyu train dpo` read next.
 *
 * ```yaml
 * model: http://127.0.0.1:8000/v1@internlm2     # the current model (any OpenAI-compatible endpoint, or local:PATH.gguf)
 * pipeline: data-score.yaml                      # a puyu data run pipeline (relative to this file)
 * out: ../runs/flywheel/round-1
 * synth: { kinds: [arithmetic, calculator, unit_conversion, formula, function], count: 1000, seed: 1 }
 * pairs: { prompts: 200, samples: 4, temperature: 0.8 }
 * ```
 */
export async function runFlywheel(recipePath: string, o: { silent?: boolean } = {}): Promise<FlywheelResult> {
  const { parse } = await import('yaml');
  const base = dirname(resolve(recipePath));
  const r = parse(await readFile(recipePath, 'utf8')) as Record<string, unknown>;
  const abs = (p: unknown) => (isAbsolute(String(p)) ? String(p) : resolve(base, String(p)));
  if (typeof r.model !== 'string')
    throw new DataError('DATA_BAD_PIPELINE', `${recipePath}: "model" (URL@model or local:PATH.gguf) is required.`);
  if (typeof r.pipeline !== 'string')
    throw new DataError('DATA_BAD_PIPELINE', `${recipePath}: "pipeline" (a puyu data run YAML) is required.`);
  const out = abs(r.out ?? 'flywheel');
  const synth = (r.synth ?? {}) as { kinds?: SyntheticKind[]; count?: number; seed?: number };
  const pairsCfg = (r.pairs ?? {}) as { prompts?: number; samples?: number; temperature?: number };

  // 1. Score and filter: the pipeline's own output folder moves under this round's folder.
  const cfg = await loadPipeline(abs(r.pipeline));
  const run = await runPipelineConfig({ ...cfg, output: { ...cfg.output, dir: join(out, 'corpus') } }, { silent: o.silent });
  const corpusRead = run.units.reduce((s, u) => s + u.read, 0);
  const corpusKept = run.units.reduce((s, u) => s + u.kept, 0);

  // 2. Generate.
  const recs = generateSynthetic({
    kinds: synth.kinds ?? ['arithmetic', 'calculator', 'unit_conversion', 'formula', 'function'],
    count: synth.count ?? 1000,
    seed: synth.seed ?? 1,
  });
  const sft = await writeLines(
    join(out, 'sft.jsonl'),
    recs.map((x) =>
      x.messages ? JSON.stringify({ id: x.id, tools: x.tools, messages: x.messages }) : xtunerLine(x.conversation ?? { turns: [] }),
    ),
  );

  // 3. Rank the current model's answers.
  const { openModel } = await import('@puyu/client');
  const { provider } = await openModel({ spec: r.model });
  try {
    const prompts = recs
      .filter((x) => x.answer !== undefined && x.kind !== 'calculator')
      .slice(0, pairsCfg.prompts ?? 200)
      .map((x) => ({ prompt: x.question, answer: x.answer as number }));
    const pr = await preferencePairs(provider, prompts, { samples: pairsCfg.samples ?? 4, temperature: pairsCfg.temperature ?? 0.8 });
    const dpo = await writeLines(
      join(out, 'dpo.jsonl'),
      pr.pairs.map((p) => dpoLine(p)),
    );
    const report = join(out, 'flywheel.md');
    await writeFile(
      report,
      [
        `# Flywheel round (${r.model})`,
        '',
        `- corpus: kept ${corpusKept} of ${corpusRead} documents (${run.reportPath})`,
        `- SFT: ${sft} generated records → sft.jsonl`,
        `- DPO: ${dpo} pairs from ${prompts.length} prompts (model accuracy ${(100 * pr.accuracy).toFixed(1)}%, ${pr.noContrast} prompts without a right and a wrong answer, ${pr.failedRequests} failed requests) → dpo.jsonl`,
        '',
      ].join('\n'),
    );
    return { report, corpusKept, corpusRead, sft, dpo, accuracy: pr.accuracy };
  } finally {
    await provider.close?.();
  }
}
