import { readFile } from 'node:fs/promises';
import { ConfigError } from '@puyu/core/errors';
import type { Command } from 'commander';
import { JSON_HELP, printJson } from '../json.js';
import { intOption, numberOption } from '../options.js';

const KINDS = ['arithmetic', 'unit_conversion', 'formula', 'calculator', 'function'] as const;

/** `puyu data synth` (rule-based generators) and `puyu data pairs` (feedback-based DPO pairs from a served model). */
export function registerDataSynthCommands(data: Command): void {
  data
    .command('synth')
    .description('Rule-based synthetic SFT data: arithmetic, units, formulas, calculator calls, Python functions (en + zh)')
    .requiredOption('--out <path>', 'JSONL to write (XTuner conversations; calculator records as OpenAI messages + tools)')
    .option('--kinds <list>', `comma-separated: ${KINDS.join(', ')}`, 'arithmetic,calculator,unit_conversion,formula,function')
    .option('--count <n>', 'records', intOption('--count'), 1000)
    .option('--seed <n>', 'seed', intOption('--seed', { min: 0 }), 1)
    .option('--zh-share <x>', 'share of Chinese records', numberOption('--zh-share', { min: 0, max: 1 }), 0.4)
    .option('--json', JSON_HELP)
    .action(async (o: { out: string; kinds: string; count: number; seed: number; zhShare: number; json?: boolean }) => {
      const kinds = o.kinds.split(',').map((k) => k.trim());
      for (const k of kinds)
        if (!(KINDS as readonly string[]).includes(k))
          throw new ConfigError('CLI_BAD_OPTION', `--kinds: unknown kind "${k}"; use ${KINDS.join(', ')}.`);
      const { generateSynthetic, writeLines, xtunerLine } = await import('@puyu/data');
      const recs = generateSynthetic({ kinds: kinds as (typeof KINDS)[number][], count: o.count, seed: o.seed, zhShare: o.zhShare });
      const n = await writeLines(
        o.out,
        recs.map((r) =>
          r.messages
            ? JSON.stringify({ id: r.id, lang: r.lang, answer: r.answer, tools: r.tools, messages: r.messages })
            : JSON.stringify({
                id: r.id,
                lang: r.lang,
                answer: r.answer,
                question: r.question,
                ...JSON.parse(xtunerLine(r.conversation ?? { turns: [] })),
              }),
        ),
      );
      if (o.json) return printJson({ out: o.out, records: n });
      process.stdout.write(`${o.out}: ${n} records\n`);
    });
  data
    .command('pairs')
    .description('DPO pairs from feedback: sample a served model, rank its answers by checker or judge, write {prompt, chosen, rejected}')
    .requiredOption('--model <spec>', 'URL@model or local:PATH.gguf')
    .requiredOption(
      '--prompts <path>',
      'JSONL with "question" (or "prompt") and a numeric "answer" per line (puyu data synth output works)',
    )
    .requiredOption('--out <path>', 'DPO JSONL to write')
    .option('--samples <n>', 'answers sampled per prompt', intOption('--samples', { min: 2 }), 4)
    .option('--temperature <t>', 'sampling temperature', numberOption('--temperature', { min: 0, max: 2 }), 0.8)
    .option('--limit <n>', 'first N prompts only', intOption('--limit'))
    .option('--judge <spec>', "rank by this model's 1–10 scores instead of the checker (URL@model or local:PATH.gguf)")
    .option('--json', JSON_HELP)
    .action(
      async (o: {
        model: string;
        prompts: string;
        out: string;
        samples: number;
        temperature: number;
        limit?: number;
        judge?: string;
        json?: boolean;
      }) => {
        const [{ openModel }, { dpoLine, preferencePairs, writeLines }] = await Promise.all([import('@puyu/client'), import('@puyu/data')]);
        const rows = (await readFile(o.prompts, 'utf8'))
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as { question?: string; prompt?: string; answer?: number })
          // The checker needs each prompt's known answer; a judge needs only the prompt.
          .filter((r) => (o.judge || typeof r.answer === 'number') && typeof (r.question ?? r.prompt) === 'string')
          .slice(0, o.limit)
          .map((r) => ({ prompt: (r.question ?? r.prompt) as string, answer: r.answer }));
        const { provider } = await openModel({ spec: o.model });
        const judge = o.judge ? (await openModel({ spec: o.judge })).provider : undefined;
        try {
          const ranker = judge ? { kind: 'judge' as const, judge } : { kind: 'checker' as const };
          const r = await preferencePairs(provider, rows, { samples: o.samples, temperature: o.temperature, ranker });
          await writeLines(
            o.out,
            r.pairs.map((p) => dpoLine(p)),
          );
          const { pairs, ...stats } = r;
          // The sampled model and judge are endpoints, not files: the prompts are the recorded parent.
          const { writeLineage } = await import('@puyu/core/lineage');
          await writeLineage(o.out, {
            kind: 'preference-set',
            config: { model: o.model, judge: o.judge, samples: o.samples, temperature: o.temperature },
            parents: [o.prompts],
            metrics: { pairs: pairs.length, prompts: rows.length },
          });
          if (o.json) return printJson({ out: o.out, pairs: pairs.length, prompts: rows.length, ...stats });
          process.stdout.write(
            judge
              ? `${o.out}: ${r.pairs.length} pairs from ${rows.length} prompts (judge ${o.judge}: mean score ${(r.meanScore ?? 0).toFixed(2)}, ${r.ties} ties, ${r.failedJudgements} failed judgements, ${r.failedRequests} failed requests)\n`
              : `${o.out}: ${r.pairs.length} pairs from ${rows.length} prompts (accuracy ${(100 * r.accuracy).toFixed(1)}%, ${r.noContrast} without contrast, ${r.failedRequests} failed requests)\n`,
          );
        } finally {
          await provider.close?.();
          await judge?.close?.();
        }
      },
    );
  data
    .command('flywheel')
    .description('One flywheel round from a recipe: score and filter the corpus, generate SFT data, rank answers into DPO pairs')
    .argument('<recipe>', 'flywheel YAML (see recipes/data-flywheel.yaml)')
    .option('--json', JSON_HELP)
    .action(async (recipe: string, o: { json?: boolean }) => {
      const { runFlywheel } = await import('@puyu/data');
      const r = await runFlywheel(recipe);
      if (o.json) return printJson(r);
      process.stdout.write(
        `${r.report}: corpus kept ${r.corpusKept}/${r.corpusRead}, ${r.sft} SFT records, ${r.dpo} DPO pairs (model accuracy ${(100 * r.accuracy).toFixed(1)}%)\n`,
      );
    });
}
