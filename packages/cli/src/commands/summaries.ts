import { join } from 'node:path';
import type { RunSummary } from '@puyu/eval';

/**
 * The objects `--json` prints for the commands whose work is native or long (train, quantize,
 * eval runs): built here by pure functions from the stage's result, so the default suite checks
 * their shape without running the stage (summaries.test.ts). Only type imports: nothing loads.
 */

/** What every training command returns (PretrainResult, SftResult, DpoResult, LoraResult of @puyu/train). */
export interface TrainResultFields {
  steps: number;
  finalLoss: number;
  valLoss?: number;
  /** Every file the run wrote (HF folder, GGUF files, metrics, curve, …), by kind. */
  outputs: object;
  unigramLoss?: number;
  examples?: { train: number; val: number; truncated?: number };
  pairs?: { train: number; val: number };
  skipped?: number;
  adapterParams?: number;
  heldOut?: unknown;
}

export type TrainCommand = 'pretrain' | 'sft' | 'dpo' | 'lora';

/** The fields each training command reports beyond steps, losses and outputs. */
const TRAIN_EXTRAS: Record<TrainCommand, readonly (keyof TrainResultFields)[]> = {
  pretrain: ['unigramLoss'],
  sft: ['examples', 'skipped'],
  dpo: ['heldOut', 'pairs', 'skipped'],
  lora: ['adapterParams', 'examples', 'skipped'],
};

/** `puyu train pretrain|sft|dpo|lora --json`: the final summary (losses, counts, every file written). */
export function trainSummary(command: TrainCommand, r: TrainResultFields): Record<string, unknown> {
  const extras = Object.fromEntries(TRAIN_EXTRAS[command].map((k) => [k, r[k] ?? null]));
  return {
    command: `train ${command}`,
    steps: r.steps,
    finalLoss: r.finalLoss,
    valLoss: r.valLoss ?? null,
    ...extras,
    outputs: r.outputs,
  };
}

/** `puyu quantize --json`: sizes in bytes, the ratio and the wall time. */
export function quantizeSummary(q: {
  input: string;
  output: string;
  type: string;
  inputBytes: number;
  outputBytes: number;
  seconds: number;
}) {
  return { ...q, ratio: q.outputBytes > 0 ? q.inputBytes / q.outputBytes : null };
}

/** `puyu eval run|needlebench --json`: status, every model × dataset result and the files written. */
export function evalRunSummary(s: Pick<RunSummary, 'status' | 'outDir' | 'results' | 'requests' | 'wallMs' | 'phases'>) {
  return {
    status: s.status,
    outDir: s.outDir,
    report: s.status === 'done' ? join(s.outDir, 'report.html') : null,
    requests: s.requests,
    wallMs: s.wallMs,
    phases: s.phases,
    results: s.results,
  };
}
