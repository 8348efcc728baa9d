import type { Command } from 'commander';
import { JSON_HELP, printJson } from '../json.js';
import { intOption, numberOption } from '../options.js';
import { registerDataRunCommand } from './data-run.js';
import { registerDataSynthCommands } from './data-synth.js';

interface DedupFlags {
  input: string;
  output: string;
  ngram: number;
  permutations: number;
  threshold: number;
  bands?: number;
  rows?: number;
  seed: number;
  textField: string;
  verify: boolean;
  removed?: string;
  force?: boolean;
  json?: boolean;
}

/** `puyu data dedup` (MinHash-LSH on its own) and `puyu data run PIPELINE.yaml`. */
export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('Corpus pipeline: readers → operators → writers, MinHash-LSH dedup, synthetic data');
  data
    .command('dedup')
    .description('MinHash-LSH near-dedup of a JSONL file: keeps the first document of each cluster, writes kept lines unchanged')
    .requiredOption('--input <path>', 'JSONL input ({"id", "text", …} per line; .gz and .zst read too)')
    .requiredOption('--output <path>', 'JSONL output (the kept lines, byte for byte)')
    .option('--ngram <n>', 'words per shingle', intOption('--ngram', { min: 1, max: 64 }), 5)
    .option('--permutations <n>', 'MinHash permutations', intOption('--permutations', { min: 2, max: 4096 }), 128)
    .option('--threshold <j>', 'Jaccard threshold', numberOption('--threshold', { above: 0, max: 0.999 }), 0.7)
    .option('--bands <n>', 'LSH bands (default: optimal for the threshold, as datasketch chooses)', intOption('--bands'))
    .option('--rows <n>', 'rows per band (with --bands)', intOption('--rows'))
    .option('--seed <n>', 'seed of the hash family', intOption('--seed', { min: 0 }), 1)
    .option('--text-field <name>', 'field holding the text', 'text')
    .option('--no-verify', 'remove every LSH candidate without checking its estimated Jaccard')
    .option('--removed <path>', 'also write {id, duplicate_of, similarity} per removed line')
    .option('--force', 'overwrite the output')
    .option('--json', JSON_HELP)
    .action(async (o: DedupFlags) => {
      const { dedupJsonl } = await import('@puyu/data');
      const s = await dedupJsonl(o.input, o.output, {
        ngram: o.ngram,
        permutations: o.permutations,
        threshold: o.threshold,
        bands: o.bands,
        rows: o.rows,
        seed: o.seed,
        textField: o.textField,
        verify: o.verify,
        removedPath: o.removed,
        force: o.force,
      });
      if (o.json) return printJson({ output: o.output, ...s });
      const mb = s.bytesIn / 1e6;
      const bad = Object.entries(s.malformed.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      process.stdout.write(
        `${o.output}: kept ${s.kept} of ${s.read} (${s.removed} near-duplicates; ${s.bands} bands × ${s.rows} rows) ` +
          `in ${s.seconds.toFixed(1)} s, ${(mb / s.seconds).toFixed(1)} MB/s${bad ? `; skipped: ${bad}` : ''}\n`,
      );
    });
  registerDataRunCommand(data);
  registerDataSynthCommands(data);
}
