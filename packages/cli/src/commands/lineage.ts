import { existsSync } from 'node:fs';
import { ConfigError } from '@puyu/core/errors';
import type { Command } from 'commander';

interface LineageFlags {
  json?: boolean;
  card?: boolean;
  runs?: string;
}

/** `puyu lineage ARTEFACT`: the chain of manifests from an artefact back to its raw inputs. */
export async function runLineage(artefact: string, o: LineageFlags): Promise<void> {
  if (!existsSync(artefact))
    throw new ConfigError('CLI_INPUT_NOT_FOUND', `${artefact} does not exist: name a file or folder a puyu command wrote.`);
  const { formatLineage, lineageProblems, readLineage, traceLineage, writeModelCard } = await import('@puyu/core/lineage');
  if (o.card) {
    if (!(await readLineage(artefact)))
      throw new ConfigError(
        'CLI_BAD_OPTION',
        `${artefact} has no lineage manifest: --card needs an HF folder exported by puyu train or puyu model convert.`,
      );
    const path = await writeModelCard(artefact, o.runs);
    process.stdout.write(o.json ? `${JSON.stringify({ card: path })}\n` : `wrote ${path}\n`);
    return;
  }
  const tree = await traceLineage(artefact);
  const problems = lineageProblems(tree);
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ lineage: tree, problems })}\n`);
    return;
  }
  process.stdout.write(`${formatLineage(tree)}\n`);
  if (!tree.manifest)
    process.stderr.write(`puyu: note: ${artefact} has no lineage manifest: it is a raw input (or was made before manifests).\n`);
  for (const p of problems) process.stderr.write(`puyu: warning: ${p}\n`);
}

export function registerLineageCommand(program: Command): void {
  program
    .command('lineage')
    .description('Print where an artefact came from: each step back to the raw text, with commands and hashes')
    .argument('<artefact>', 'a file or folder a puyu command wrote (GGUF, HF folder, tokenizer, corpus shard, eval result)')
    .option('--json', 'print the traced chain as one JSON object')
    .option('--card', 'write the model card (README.md) of an HF folder from its lineage')
    .option('--runs <dir>', 'with --card: the runs folder searched for evaluations of the model')
    .action(async (artefact: string, o: LineageFlags) => runLineage(artefact, o));
}
