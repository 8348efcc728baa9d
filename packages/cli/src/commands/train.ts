import type { Command } from 'commander';
import { JSON_HELP, printJson } from '../json.js';
import { choiceOption, intOption } from '../options.js';
import { trainSummary } from './summaries.js';
import { registerLoraCommands } from './train-lora.js';

// @puyu/train's TRAIN_PRECISIONS, repeated so `puyu --help` loads no training code
const PRECISIONS = ['fp32', 'bf16'] as const;
type Precision = (typeof PRECISIONS)[number];
const REPLICAS_HELP = 'data-parallel model copies, one thread each (overrides train.replicas; pretrain and SFT)';
const PRECISION_HELP = 'fp32, or bf16 mixed precision (overrides train.precision; default bf16 on AVX512-BF16 CPUs)';

/** `puyu train pretrain CONFIG` (InternEvo's stage) and `puyu train sft CONFIG` (XTuner's). */
export function registerTrainCommands(program: Command): void {
  const train = program.command('train').description('Train InternLM2 models on ggml (pretraining, full-parameter SFT, LoRA, DPO)');
  train
    .command('pretrain')
    .description('Pretrain from a JSON config (see recipes/); resumable, checkpointed, exports HF + GGUF')
    .argument('<config>', 'pretraining config (JSON)')
    .option('--resume', 'continue from the newest checkpoint in output.dir')
    .option('--threads <n>', 'CPU threads for ggml (overrides train.threads)', intOption('--threads'))
    .option('--replicas <n>', REPLICAS_HELP, intOption('--replicas'))
    .option('--precision <p>', PRECISION_HELP, choiceOption('--precision', PRECISIONS))
    .option('--json', JSON_HELP)
    .action(async (config: string, o: { resume?: boolean; threads?: number; replicas?: number; precision?: Precision; json?: boolean }) => {
      const { runPretrain } = await import('@puyu/train');
      const r = await runPretrain(config, { resume: o.resume, threads: o.threads, replicas: o.replicas, precision: o.precision });
      if (o.json) return printJson(trainSummary('pretrain', r));
      const lines = [
        `steps ${r.steps}  final train loss ${r.finalLoss.toFixed(4)}${r.valLoss !== undefined ? `  held-out ${r.valLoss.toFixed(4)}` : ''}  unigram baseline ${r.unigramLoss.toFixed(4)}`,
        `HF model   ${r.outputs.hf}`,
        ...r.outputs.gguf.map((g) => `GGUF       ${g}`),
        `metrics    ${r.outputs.metrics}`,
        `loss curve ${r.outputs.curve}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  train
    .command('sft')
    .description('Full-parameter SFT of an HF InternLM2 folder on chat JSONL (see recipes/sft-calculator.json); prints the GGUF path last')
    .argument('<config>', 'SFT config (JSON)')
    .option('--resume', 'continue from the newest checkpoint in output.dir')
    .option('--threads <n>', 'CPU threads for ggml (overrides train.threads)', intOption('--threads'))
    .option('--replicas <n>', REPLICAS_HELP, intOption('--replicas'))
    .option('--precision <p>', PRECISION_HELP, choiceOption('--precision', PRECISIONS))
    .option('--json', JSON_HELP)
    .action(async (config: string, o: { resume?: boolean; threads?: number; replicas?: number; precision?: Precision; json?: boolean }) => {
      const { runSft } = await import('@puyu/train');
      const r = await runSft(config, { resume: o.resume, threads: o.threads, replicas: o.replicas, precision: o.precision });
      if (o.json) return printJson(trainSummary('sft', r));
      const lines = [
        `steps ${r.steps}  final train loss ${r.finalLoss.toFixed(4)}${r.valLoss !== undefined ? `  held-out ${r.valLoss.toFixed(4)}` : ''}  (assistant tokens)`,
        `dialogues  ${r.examples.train} train, ${r.examples.val} held-out, ${r.skipped} line(s) skipped → ${r.outputs.skipped}`,
        `HF model   ${r.outputs.hf}`,
        `metrics    ${r.outputs.metrics}`,
        `loss curve ${r.outputs.curve}`,
        // last, alone, so scripts can take the model with `| tail -n 1`
        ...r.outputs.gguf,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  train
    .command('dpo')
    .description('Sigmoid DPO of an HF InternLM2 folder on {prompt, chosen, rejected} JSONL; prints the GGUF path last')
    .argument('<config>', 'DPO config (JSON; see recipes/dpo-calculator.json)')
    .option('--resume', 'continue from the newest checkpoint in output.dir (reference log-probs are read from its cache)')
    .option('--threads <n>', 'CPU threads for ggml (overrides train.threads)', intOption('--threads'))
    .option('--json', JSON_HELP)
    .action(async (config: string, o: { resume?: boolean; threads?: number; json?: boolean }) => {
      const { runDpo } = await import('@puyu/train');
      const r = await runDpo(config, { resume: o.resume, threads: o.threads });
      if (o.json) return printJson(trainSummary('dpo', r));
      const h = r.heldOut;
      const lines = [
        `steps ${r.steps}  final DPO loss ${r.finalLoss.toFixed(4)}${r.valLoss !== undefined ? `  held-out ${r.valLoss.toFixed(4)}` : ''}`,
        ...(h
          ? [
              `held-out   reward accuracy ${h.reward_accuracy.toFixed(3)}  margin ${h.reward_margin.toFixed(4)} (${h.pairs} pairs)` +
                Object.entries(h.byKind ?? {})
                  .map(([k, v]) => `  ${k} ${v.reward_accuracy.toFixed(3)}`)
                  .join(''),
            ]
          : []),
        `pairs      ${r.pairs.train} train, ${r.pairs.val} held-out, ${r.skipped} line(s) skipped → ${r.outputs.skipped}`,
        `HF model   ${r.outputs.hf}`,
        `metrics    ${r.outputs.metrics}`,
        `loss curve ${r.outputs.curve}  rewards ${r.outputs.rewards}`,
        ...r.outputs.gguf,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  registerLoraCommands(train);
}
