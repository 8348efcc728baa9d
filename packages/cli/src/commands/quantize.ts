import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ConfigError } from '@puyu/core/errors';
import type { LLAMA_FTYPE } from '@puyu/ggml';
import type { Command } from 'commander';
import { JSON_HELP, printJson } from '../json.js';
import { intOption } from '../options.js';
import { quantizeSummary } from './summaries.js';

type QuantType = keyof typeof LLAMA_FTYPE;

/** `puyu quantize in.gguf out.gguf --type q4_k_m` through libllama's own llama_model_quantize. */
export function registerQuantizeCommand(program: Command): void {
  program
    .command('quantize')
    .description('Quantize a GGUF model with llama.cpp (q8_0, q4_0, q4_k_m, q5_k_m, q6_k, …)')
    .argument('<input>', 'GGUF model (f32/f16/bf16)')
    .argument('<output>', 'GGUF file to write')
    .requiredOption('--type <type>', 'target type: q8_0, q4_0, q4_k_m, q5_k_m, q6_k, … (any llama.cpp ftype; a wrong one lists them all)')
    .option('--threads <n>', 'CPU threads', intOption('--threads'), 1)
    .option('--force', 'overwrite the output file')
    .option('--json', JSON_HELP)
    .action(async (input: string, output: string, o: { type: string; threads: number; force?: boolean; json?: boolean }) => {
      // libllama loads only here, so `puyu --help` and the pure-TS commands stay free of native code.
      const { LLAMA_FTYPE, quantizeGgufModel } = await import('@puyu/ggml');
      const type = o.type.toLowerCase();
      if (!(type in LLAMA_FTYPE)) {
        throw new ConfigError('CLI_BAD_OPTION', `--type must be one of ${Object.keys(LLAMA_FTYPE).join(', ')}, got "${o.type}".`);
      }
      if (!existsSync(input)) throw new ConfigError('CLI_INPUT_NOT_FOUND', `${input} does not exist.`);
      if (existsSync(output) && !o.force) throw new ConfigError('CLI_OUTPUT_EXISTS', `${output} exists; pass --force to overwrite it.`);
      const t0 = performance.now();
      quantizeGgufModel(input, output, type as QuantType, { threads: o.threads });
      const { writeLineage } = await import('@puyu/core/lineage');
      await writeLineage(output, { kind: 'gguf', config: { type }, parents: [input] });
      const [a, b] = await Promise.all([stat(input), stat(output)]);
      const seconds = (performance.now() - t0) / 1000;
      if (o.json) return printJson(quantizeSummary({ input, output, type, inputBytes: a.size, outputBytes: b.size, seconds }));
      const mb = (n: number) => (n / 1024 / 1024).toFixed(2);
      process.stdout.write(
        `${output}: ${type}, ${mb(b.size)} MiB (from ${mb(a.size)} MiB, ×${(a.size / b.size).toFixed(2)} smaller) in ${seconds.toFixed(1)} s\n`,
      );
    });
}
