import type { Command } from 'commander';
import { intOption } from '../options.js';

/** `puyu train pretrain CONFIG` (InternEvo's stage); fine-tuning commands join here. */
export function registerTrainCommands(program: Command): void {
  const train = program.command('train').description('Train InternLM2 models on ggml (pretraining; fine-tuning to come)');
  train
    .command('pretrain')
    .description('Pretrain from a JSON config (see recipes/); resumable, checkpointed, exports HF + GGUF')
    .argument('<config>', 'pretraining config (JSON)')
    .option('--resume', 'continue from the newest checkpoint in output.dir')
    .option('--threads <n>', 'CPU threads for ggml (overrides train.threads)', intOption('--threads'))
    .action(async (config: string, o: { resume?: boolean; threads?: number }) => {
      const { runPretrain } = await import('@puyu/train');
      const r = await runPretrain(config, { resume: o.resume, threads: o.threads });
      const lines = [
        `steps ${r.steps}  final train loss ${r.finalLoss.toFixed(4)}${r.valLoss !== undefined ? `  held-out ${r.valLoss.toFixed(4)}` : ''}  unigram baseline ${r.unigramLoss.toFixed(4)}`,
        `HF model   ${r.outputs.hf}`,
        ...r.outputs.gguf.map((g) => `GGUF       ${g}`),
        `metrics    ${r.outputs.metrics}`,
        `loss curve ${r.outputs.curve}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
