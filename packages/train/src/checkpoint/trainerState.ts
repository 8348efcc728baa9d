import { formatIssues } from '@puyu/core';
import type { InternLM2Weights } from '@puyu/model';
import { z } from 'zod';
import { type CheckpointData, CheckpointError } from './Checkpoints.js';

/**
 * The trainer's resumable state in a checkpoint manifest's `extra`: AdamW's step count,
 * where the batcher is, and the tokens trained on. Read back through this schema rather
 * than cast, so a damaged or hand-edited manifest is refused by name instead of resuming
 * with, say, a string for a cursor.
 */
export const trainerStateSchema = z.object({
  adamT: z.number().int().nonnegative(),
  batcher: z.object({ epoch: z.number().int().nonnegative(), cursor: z.number().int().nonnegative() }),
  tokensSeen: z.number().int().nonnegative(),
});

export type TrainerState = z.output<typeof trainerStateSchema>;

export function parseTrainerState(extra: unknown, path: string): TrainerState {
  const r = trainerStateSchema.safeParse(extra);
  if (r.success) return r.data;
  const lines = formatIssues(r.error.issues);
  throw new CheckpointError(
    'CHECKPOINT_CORRUPT',
    `checkpoint ${path} has unusable trainer state in manifest.json (extra):\n  - ${lines.join('\n  - ')}\n` +
      'Delete that folder to resume from the previous checkpoint, or start over.',
    { details: { issues: lines } },
  );
}

function list(names: readonly string[], max = 6): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/**
 * Copies a checkpoint's weights into `weights` and returns its AdamW moments, after
 * checking both ways that the two name the same tensors with the same shapes: a tensor
 * the checkpoint lacks would otherwise keep its fresh initialisation without a word.
 * Nothing is copied unless everything matches.
 */
export function restoreTensors(
  ck: CheckpointData,
  weights: InternLM2Weights,
  path: string,
): { m: Map<string, Float32Array>; v: Map<string, Float32Array> } {
  const missing = [...weights.keys()].filter((n) => !ck.params.has(n));
  const unexpected = [...ck.params.keys()].filter((n) => !weights.has(n));
  const shapes: string[] = [];
  for (const [name, w] of weights) {
    const t = ck.params.get(name);
    if (t && (t.shape.join() !== w.shape.join() || t.data.length !== w.data.length))
      shapes.push(`${name} is [${w.shape.join(', ')}] here but [${t.shape.join(', ')}] in the checkpoint`);
  }
  const moments: string[] = [];
  for (const [name, w] of weights) {
    for (const [kind, map] of [
      ['m', ck.m],
      ['v', ck.v],
    ] as const) {
      const x = map.get(name);
      if (!x) moments.push(`${kind}.${name} is missing`);
      else if (x.length !== w.data.length) moments.push(`${kind}.${name} has ${x.length} values, not ${w.data.length}`);
    }
  }
  for (const name of new Set([...ck.m.keys(), ...ck.v.keys()]))
    if (!weights.has(name)) moments.push(`${name} has moments but is no tensor here`);
  const problems = [
    ...(missing.length ? [`it lacks ${missing.length} tensor(s) of this model: ${list(missing)}`] : []),
    ...(unexpected.length ? [`it has ${unexpected.length} tensor(s) this model does not: ${list(unexpected)}`] : []),
    ...shapes.slice(0, 6),
    ...(moments.length ? [`its optimizer state does not fit: ${list(moments, 4)}`] : []),
  ];
  if (problems.length)
    throw new CheckpointError(
      'CHECKPOINT_MISMATCH',
      `checkpoint ${path} does not match this model: ${problems.join('; ')}. ` +
        'Resume with the model config it was trained with, or start a new run in another output.dir.',
      { details: { missing, unexpected, shapes, moments } },
    );
  for (const [name, w] of weights) w.data.set((ck.params.get(name) as { data: Float32Array }).data);
  return { m: ck.m, v: ck.v };
}
