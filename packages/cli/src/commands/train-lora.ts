import { ConfigError } from '@puyu/core';
import type { Command } from 'commander';
import { JSON_HELP, printJson } from '../json.js';
import { intOption } from '../options.js';
import { trainSummary } from './summaries.js';

const GGUF_TYPES = ['f32', 'f16', 'bf16', 'q8_0', 'q4_0'] as const;
type GgufType = (typeof GGUF_TYPES)[number];

/** `--gguf f16,q8_0`: a comma list of GGUF types, each checked. */
function ggufList(v: string): GgufType[] {
  return v.split(',').map((s) => {
    const t = GGUF_TYPES.find((x) => x === s.trim().toLowerCase());
    if (!t) throw new ConfigError('CLI_BAD_OPTION', `--gguf takes a comma list of ${GGUF_TYPES.join(', ')}; got "${s}".`);
    return t;
  });
}

/** `puyu train lora CONFIG` and `puyu train merge` (XTuner's LoRA and its merge step). */
export function registerLoraCommands(train: Command): void {
  train
    .command('lora')
    .description('LoRA on a frozen HF InternLM2 (an SFT config plus a lora block); prints the GGUF adapter path last')
    .argument('<config>', 'LoRA config (JSON; see recipes/lora-calculator.json)')
    .option('--resume', 'continue from the newest checkpoint in output.dir')
    .option('--threads <n>', 'CPU threads for ggml (overrides train.threads)', intOption('--threads'))
    .option('--json', JSON_HELP)
    .action(async (config: string, o: { resume?: boolean; threads?: number; json?: boolean }) => {
      const { runLora } = await import('@puyu/train');
      const r = await runLora(config, { resume: o.resume, threads: o.threads });
      if (o.json) return printJson(trainSummary('lora', r));
      const lines = [
        `steps ${r.steps}  final train loss ${r.finalLoss.toFixed(4)}${r.valLoss !== undefined ? `  held-out ${r.valLoss.toFixed(4)}` : ''}  (assistant tokens)`,
        `dialogues  ${r.examples.train} train, ${r.examples.val} held-out, ${r.skipped} line(s) skipped → ${r.outputs.skipped}`,
        `adapter    ${r.outputs.adapter} (PEFT, ${r.adapterParams} values)`,
        `metrics    ${r.outputs.metrics}`,
        `loss curve ${r.outputs.curve}`,
        // last, alone, so scripts can take the adapter with `| tail -n 1`
        ...r.outputs.gguf,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  train
    .command('merge')
    .description('Fold a LoRA adapter (PEFT folder) into its HF base; writes an HF folder (+ GGUF files)')
    .requiredOption('--base <dir>', 'the HF InternLM2 folder the adapter was trained on')
    .requiredOption('--adapter <dir>', "the adapter folder (a LoRA run's adapter/)")
    .requiredOption('--out <dir>', 'the merged HF folder to write')
    .option('--gguf <types>', `also convert to GGUF, a comma list of ${GGUF_TYPES.join('|')}`, ggufList)
    .option('--json', JSON_HELP)
    .action(async (o: { base: string; adapter: string; out: string; gguf?: GgufType[]; json?: boolean }) => {
      const { mergeLoraAdapter } = await import('@puyu/train');
      const r = await mergeLoraAdapter(o);
      if (o.json) return printJson({ command: 'train merge', adapted: r.adapted, hf: r.hf, gguf: r.gguf });
      process.stdout.write(`${[`merged ${r.adapted} adapted layer(s) → ${r.hf}`, ...r.gguf].join('\n')}\n`);
    });
}
