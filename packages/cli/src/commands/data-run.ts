import type { Command } from 'commander';
import { JSON_HELP, printJson } from '../json.js';
import { intOption, numberOption } from '../options.js';

interface RunFlags {
  shard?: string;
  workers: number;
  json?: boolean;
}

/** `puyu data run PIPELINE.yaml [--shard i/N] [--workers N]`. */
export function registerDataRunCommand(data: Command): void {
  data
    .command('run')
    .description('Run a pipeline (readers → operators → writers); finished shards are skipped, so rerunning resumes')
    .argument('<pipeline>', 'pipeline YAML (see packages/data/README.md and recipes/data-*.yaml)')
    .option('--shard <i/N>', 'run only this task’s part of the shards (Slurm array / K8s Indexed Job index of count)')
    .option('--workers <n>', 'worker threads', intOption('--workers', { min: 1, max: 256 }), 1)
    .option('--json', JSON_HELP)
    .action(async (pipeline: string, o: RunFlags) => {
      const { parseShard, runPipeline } = await import('@puyu/data');
      const r = await runPipeline(pipeline, { shard: o.shard ? parseShard(o.shard) : undefined, workers: o.workers });
      const read = r.units.reduce((s, u) => s + u.read, 0);
      const kept = r.units.reduce((s, u) => s + u.kept, 0);
      if (o.json) return printJson({ report: r.reportPath, shards: r.units.length, skipped: r.skipped, read, kept, units: r.units });
      process.stdout.write(`${r.reportPath}: ${r.units.length} shard(s) (${r.skipped} already done), kept ${kept} of ${read} documents\n`);
    });
  data
    .command('dedup-merge')
    .description('Global MinHash dedup of a sharded run (minhash_dedup with scope: global): copy the kept lines to OUT/dedup/')
    .argument('<out>', 'the pipeline’s output folder (with shard-NNNNN/ folders)')
    .option('--threshold <j>', 'Jaccard threshold', numberOption('--threshold', { above: 0, max: 0.999 }), 0.7)
    .option('--no-verify', 'remove every LSH candidate without checking its estimated Jaccard')
    .option('--json', JSON_HELP)
    .action(async (out: string, o: { threshold: number; verify: boolean; json?: boolean }) => {
      const { mergeMinhashShards } = await import('@puyu/data');
      const m = await mergeMinhashShards(out, { threshold: o.threshold, verify: o.verify });
      if (o.json) return printJson(m);
      process.stdout.write(`${m.dir}: kept ${m.kept} of ${m.docs} documents from ${m.shards} shards (${m.removed} near-duplicates)\n`);
    });
}
