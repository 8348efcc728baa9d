import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { intOption } from '../options.js';
import type { QuickstartOptions } from '../quickstart/runQuickstart.js';

export function registerQuickstartCommand(program: Command): void {
  program
    .command('quickstart')
    .description('Run the whole chain on embedded defaults: data → tokenizer → pretrain → SFT → quantize → eval → serve + Studio → agent')
    .option('--out <dir>', 'output folder', 'runs/quickstart')
    .option('--fast', 'every stage at toy size (under 3 minutes); the model is not expected to be useful')
    .option('--threads <n>', 'CPU threads', intOption('--threads'), 1)
    .option(
      '--replicas <n>',
      'data-parallel model copies for pretraining and SFT, one thread each (default: one per core, at most 4)',
      intOption('--replicas'),
      defaultReplicas(),
    )
    .option('--port <port>', 'API port (any free port when taken)', intOption('--port', { min: 0, max: 65535 }), 8000)
    .option('--studio-port <port>', 'Studio port (any free port when taken)', intOption('--studio-port', { min: 0, max: 65535 }), 7860)
    .option('--wait', 'keep serving until Ctrl-C (the default on a terminal)')
    .option('--no-wait', 'stop serving after the agent question')
    .option('--json', 'print the summary (scores, URLs, stage times) as one JSON object')
    .action(async (o: QuickstartOptions) => {
      const { runQuickstart } = await import('../quickstart/runQuickstart.js');
      await runQuickstart(o);
    });
}

/**
 * One replica per core, up to 4 (the quickstart's pretraining batch is 8 rows: 2 per replica).
 * Replicas, not ggml threads: on its 1.3M-parameter model ggml's per-op barrier makes 2 threads
 * slower than 1, while 2 replicas train ~1.6× faster (packages/train/src/loop/dataParallel.ts).
 */
function defaultReplicas(): number {
  return Math.max(1, Math.min(availableParallelism(), 4));
}
