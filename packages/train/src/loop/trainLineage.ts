import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type ArtefactKind, writeLineage, writeModelCard } from '@puyu/core/lineage';

/** The fields every training config shares that name inputs and outputs. */
export interface TrainedFrom {
  tokenizer?: string;
  init_from?: string;
  data: { train?: readonly string[]; val?: readonly string[]; generate?: unknown };
  output: { dir: string };
}

export interface TrainedOutputs {
  hf?: string;
  adapter?: string;
  gguf: readonly string[];
}

/** Data a method generated into its output folder before training (SFT's dialogues, pretraining's drills). */
async function generatedFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const names = await readdir(dir);
  return names.filter((n) => /^generated-[\w-]+\.jsonl$/.test(n) || n === 'train.jsonl' || n === 'heldout.jsonl').map((n) => join(dir, n));
}

/**
 * Writes lineage manifests for what a training run made: its generated data (parent: the
 * tokenizer), the HF folder or LoRA adapter (parents: the base model, the tokenizer, every data
 * file; with the resolved config and the run's losses), and each GGUF (parent: that folder).
 * `command` is the command that reproduces the run, e.g. `puyu train sft recipes/sft.json`.
 */
export async function recordTrainingLineage(o: {
  command: string;
  config: TrainedFrom;
  outputs: TrainedOutputs;
  metrics: Record<string, number>;
}): Promise<void> {
  const { config: c } = o;
  const generated = c.data.generate ? await generatedFiles(c.output.dir) : [];
  const tokenizerPath = c.tokenizer ?? c.init_from;
  const tokenizer = c.tokenizer && c.tokenizer !== c.init_from ? [{ path: c.tokenizer, kind: 'tokenizer' as const }] : [];
  for (const g of generated) {
    // Pretraining's drills are made of the tokenizer's pieces; SFT's dialogues of the seed alone.
    const drills = g.includes(`${sep}generated-`);
    await writeLineage(g, {
      kind: drills ? 'synthetic-corpus' : 'sft-data',
      command: o.command,
      config: { generate: c.data.generate },
      parents: drills && tokenizerPath ? [{ path: tokenizerPath, kind: c.tokenizer ? 'tokenizer' : 'hf-model' }] : [],
    });
  }
  const data = [...(c.data.train ?? []), ...(c.data.val ?? [])].filter((p) => existsSync(p));
  const parents: { path: string; kind?: ArtefactKind }[] = [
    ...(c.init_from ? [{ path: c.init_from, kind: 'hf-model' as const }] : []),
    ...tokenizer,
    ...data.map((path) => ({ path })),
    ...generated.map((path) => ({ path })),
  ];
  const main = o.outputs.hf ?? o.outputs.adapter;
  if (!main) return;
  const config = JSON.parse(JSON.stringify(c, (_k, v) => (typeof v === 'string' && v.startsWith('/') ? relative(main, v) || '.' : v)));
  await writeLineage(main, { kind: o.outputs.hf ? 'hf-model' : 'lora-adapter', command: o.command, config, parents, metrics: o.metrics });
  for (const g of o.outputs.gguf)
    await writeLineage(g, { kind: o.outputs.hf ? 'gguf' : 'lora-adapter', command: o.command, parents: [main] });
  // The card holds data and training now; `puyu lineage card` adds evaluations made later.
  if (o.outputs.hf) await writeModelCard(o.outputs.hf);
}

/** The run's figures a model card shows: steps, final training and held-out loss. */
export function trainingMetrics(r: { steps: number; finalLoss: number; valLoss?: number }): Record<string, number> {
  return {
    steps: r.steps,
    final_loss: Number(r.finalLoss.toFixed(4)),
    ...(r.valLoss !== undefined ? { val_loss: Number(r.valLoss.toFixed(4)) } : {}),
  };
}

/** The command that reproduces a run, with the config path as the user would type it from here. */
export function trainCommand(method: string, configPath: string): string {
  const rel = relative(process.cwd(), configPath);
  return `puyu train ${method} ${rel.startsWith('..') ? configPath : rel}`;
}
