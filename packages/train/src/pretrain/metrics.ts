import { open, readFile, rename } from 'node:fs/promises';
import { PuyuError } from '@puyu/core';
import { z } from 'zod';

/** One line of `metrics.jsonl`. */
export interface StepMetrics {
  step: number;
  loss: number;
  lr: number;
  grad_norm: number;
  tokens: number;
  tokens_per_s: number;
  val_loss?: number;
  /** A method's own figures (DPO: reward_accuracy, reward_margin and their held-out val_ twins). */
  [metric: string]: number | undefined;
}

// JSON has no NaN: a diverged loss is written as null, and read back as NaN.
const num = z.union([z.number(), z.null().transform(() => Number.NaN)]);
const stepMetricsSchema = z
  .object({
    step: z.number().int().positive(),
    loss: num,
    lr: num,
    grad_norm: num,
    tokens: z.number().nonnegative(),
    tokens_per_s: num,
    val_loss: num.optional(),
  })
  .catchall(num);

export interface MetricsRead {
  metrics: StepMetrics[];
  /** 1-based numbers of the lines that were not a whole record (a write cut short by a kill). */
  skipped: number[];
}

/**
 * Reads `metrics.jsonl`, skipping lines that are not a whole record: a process killed
 * mid-append leaves its last line torn, and one torn line must not cost the rest of the
 * history (a resume rewrites the file from what this returns). A missing file is empty.
 */
export async function readMetrics(path: string): Promise<MetricsRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { metrics: [], skipped: [] };
    throw new PuyuError('TRAIN_METRICS_UNREADABLE', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  const metrics: StepMetrics[] = [];
  const skipped: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      skipped.push(i + 1);
      return;
    }
    const r = stepMetricsSchema.safeParse(raw);
    if (r.success) metrics.push(r.data);
    else skipped.push(i + 1);
  });
  return { metrics, skipped };
}

/**
 * Replaces `metrics.jsonl` with `metrics`, crash-safely: written to a temp file, fsynced,
 * then renamed over the old one, so a kill mid-rewrite leaves the old history, not half of it.
 */
export async function writeMetrics(path: string, metrics: readonly StepMetrics[]): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(metrics.map((m) => `${JSON.stringify(m)}\n`).join(''));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
