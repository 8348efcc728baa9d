import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Provider } from '@puyu/client';
import { DataError } from '../errors.js';
import { dpoLine, type PreferencePair, writeLines, xtunerLine } from '../export/exports.js';
import { loadPipeline } from '../pipeline/config.js';
import { runPipelineConfig } from '../pipeline/runPipeline.js';
import { generateSynthetic, type SyntheticKind } from './generate.js';
import { labelPairs } from './labelPairs.js';
import { preferencePairs, type RankedPrompt } from './preferencePairs.js';

export interface FlywheelResult {
  report: string;
  corpusKept: number;
  corpusRead: number;
  sft: number;
  dpo: number;
  accuracy: number;
  ranker: Ranking['kind'];
  /** Judge ranking: prompts whose best and worst answers scored the same. */
  ties?: number;
  /** Judge ranking: replies without a parseable score. */
  failedJudgements?: number;
}

/**
 * One round of the data flywheel from one recipe:
 *   1. score and filter the corpus with the current model (a `puyu data run` pipeline whose steps
 *      use `perplexity: { model }` and/or `quality_classifier`),
 *   2. generate rule-based SFT data (`sft.jsonl`, XTuner; calculator transcripts as OpenAI messages),
 *   3. sample the current model on the checkable prompts, rank the answers (arithmetic checker,
 *      judge model or human labels) and write DPO pairs (`dpo.jsonl`) — the sets
 *      `puyu train sft` / `puyu train dpo` read next.
 *
 * ```yaml
 * model: http://127.0.0.1:8000/v1@internlm2     # the current model (any OpenAI-compatible endpoint, or local:PATH.gguf)
 * pipeline: data-score.yaml                      # a puyu data run pipeline (relative to this file)
 * out: ../runs/flywheel/round-1
 * synth: { kinds: [arithmetic, calculator, unit_conversion, formula, function], count: 1000, seed: 1 }
 * pairs: { prompts: 200, samples: 4, temperature: 0.8 }   # ranker: checker (default)
 * # or rank by a judge model:   pairs: { ranker: judge, judge: { model: http://127.0.0.1:8001/v1@judge, max_tokens: 256 } }
 * # or by @puyu/label labels:  pairs: { ranker: labels, labels: labels/round-1.audits.jsonl }
 * ```
 * With `ranker: labels` the round also writes `to-label.jsonl` (the sampled answers as candidates
 * for `puyu label import`); the DPO pairs come from the export file once it exists.
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
  const ranking = parseRanking(pairsCfg as Record<string, unknown>, abs, recipePath);

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
  let judge: Provider | undefined;
  try {
    if (ranking.kind === 'judge') judge = (await openModel({ spec: ranking.model })).provider;
    const prompts = recs
      .filter((x) => x.answer !== undefined && x.kind !== 'calculator')
      .slice(0, pairsCfg.prompts ?? 200)
      .map((x): RankedPrompt => ({ prompt: x.question, answer: x.answer as number }));
    const samples: { prompt: string; texts: string[] }[] = new Array(prompts.length);
    const index = new Map(prompts.map((p, i) => [p, i]));
    const pr = await preferencePairs(provider, prompts, {
      samples: pairsCfg.samples ?? 4,
      temperature: pairsCfg.temperature ?? 0.8,
      ranker:
        judge && ranking.kind === 'judge' ? { kind: 'judge', judge, maxTokens: ranking.maxTokens, template: ranking.template } : undefined,
      onSamples: (p, texts) => {
        samples[index.get(p) as number] = { prompt: p.prompt, texts };
      },
    });
    let pairs: PreferencePair[] = pr.pairs;
    let rankLine: string;
    if (ranking.kind === 'labels') {
      // The sampled answers in @puyu/label's import shape (OpenAI messages + candidates to rank).
      await writeLines(
        join(out, 'to-label.jsonl'),
        samples.map((x, i) =>
          JSON.stringify({ id: `flywheel-${i + 1}`, messages: [{ role: 'user', content: x.prompt }], candidates: x.texts }),
        ),
      );
      const lp = existsSync(ranking.file)
        ? await labelPairs(
            ranking.file,
            prompts.map((p) => p.prompt),
          )
        : undefined;
      pairs = lp?.pairs ?? [];
      rankLine = lp
        ? `ranked by labels in ${ranking.file}: ${lp.matchedPrompts} of ${prompts.length} prompts labelled, ${lp.unmatched} lines for other prompts, ${lp.unlabelled} without an accepted ranking, ${lp.ties} ties, ${lp.malformed} malformed lines`
        : `no labels yet: ${ranking.file} does not exist — import to-label.jsonl into puyu label, rank the candidates, export with --format audits to that path and rerun`;
    } else if (ranking.kind === 'judge')
      rankLine = `ranked by the judge ${ranking.model}: mean score ${(pr.meanScore ?? 0).toFixed(2)}, ${pr.ties} ties skipped, ${pr.noContrast} prompts with fewer than two judged answers, ${pr.failedJudgements} failed judgements${pr.failedJudgementExamples.map((e) => `\n  - ${e.reason}: ${JSON.stringify(e.reply)} (prompt ${JSON.stringify(e.prompt.slice(0, 80))})`).join('')}`;
    else rankLine = `ranked by the arithmetic checker: ${pr.noContrast} prompts without a right and a wrong answer`;
    const dpo = await writeLines(
      join(out, 'dpo.jsonl'),
      pairs.map((p) => dpoLine(p)),
    );
    const report = join(out, 'flywheel.md');
    await writeFile(
      report,
      [
        `# Flywheel round (${r.model})`,
        '',
        `- corpus: kept ${corpusKept} of ${corpusRead} documents (${run.reportPath})`,
        `- SFT: ${sft} generated records → sft.jsonl`,
        `- DPO: ${dpo} pairs from ${prompts.length} prompts (model accuracy ${(100 * pr.accuracy).toFixed(1)}%, ${pr.failedRequests} failed requests) → dpo.jsonl`,
        `- ${rankLine}`,
        '',
      ].join('\n'),
    );
    return {
      report,
      corpusKept,
      corpusRead,
      sft,
      dpo,
      accuracy: pr.accuracy,
      ranker: ranking.kind,
      ties: ranking.kind === 'judge' ? pr.ties : undefined,
      failedJudgements: ranking.kind === 'judge' ? pr.failedJudgements : undefined,
    };
  } finally {
    await provider.close?.();
    await judge?.close?.();
  }
}

type Ranking =
  | { kind: 'checker' }
  | { kind: 'judge'; model: string; maxTokens?: number; template?: string }
  | { kind: 'labels'; file: string };

/** `pairs.ranker` and its settings: `judge: {model, max_tokens, template}` or `labels: FILE`. */
function parseRanking(pairs: Record<string, unknown>, abs: (p: unknown) => string, where: string): Ranking {
  const kind = pairs.ranker ?? 'checker';
  const bad = (m: string) => new DataError('DATA_BAD_PIPELINE', `${where}: ${m}`);
  if (kind === 'checker') return { kind };
  if (kind === 'judge') {
    const j = pairs.judge;
    if (j === null || typeof j !== 'object' || typeof (j as { model?: unknown }).model !== 'string')
      throw bad('pairs.ranker judge needs pairs.judge.model (URL@model of an OpenAI-compatible endpoint, or local:PATH.gguf).');
    const { model, max_tokens, template } = j as { model: string; max_tokens?: unknown; template?: unknown };
    if (max_tokens !== undefined && !(Number.isInteger(max_tokens) && (max_tokens as number) > 0))
      throw bad('pairs.judge.max_tokens must be a positive integer.');
    if (template !== undefined && (typeof template !== 'string' || !template.includes('{question}') || !template.includes('{answer}')))
      throw bad('pairs.judge.template must be a string with {question} and {answer} in it.');
    return { kind, model, maxTokens: max_tokens as number | undefined, template: template as string | undefined };
  }
  if (kind === 'labels') {
    if (typeof pairs.labels !== 'string')
      throw bad('pairs.ranker labels needs pairs.labels: the path of a puyu label export (labels, audits or dpo JSONL).');
    return { kind, file: abs(pairs.labels) };
  }
  throw bad(`pairs.ranker must be checker, judge or labels, got "${String(kind)}".`);
}
