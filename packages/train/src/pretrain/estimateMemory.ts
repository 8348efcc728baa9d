import { totalmem } from 'node:os';
import { ConfigError } from '@puyu/core';
import { type InternLM2Config, internLM2ParamCount } from '@puyu/model';

/**
 * Upper estimate of a training step's memory, in bytes. Parameters live five times
 * (host master copy, Adam m and v, ggml weights, ggml gradients) plus a host copy of
 * the gradients; activations are what ggml keeps for the backward pass, counted
 * generously (the allocator reuses some, never more). A frozen base (LoRA) lives twice
 * (`paramCopies` 2: the host copy and ggml's), its adapter being small.
 */
export function estimateTrainingBytes(
  c: InternLM2Config,
  batch: number,
  seqLen: number,
  paramCopies = 6,
): { params: number; total: number } {
  const P = internLM2ParamCount(c);
  const N = batch * seqLen;
  const h = c.hidden_size;
  const perLayer = N * (14 * h + 4 * c.intermediate_size) + 3 * batch * c.num_attention_heads * seqLen * seqLen;
  const logits = 3 * N * c.vocab_size;
  const activations = 2 * (c.num_hidden_layers * perLayer + logits) * 4;
  return { params: P, total: paramCopies * P * 4 + activations };
}

/** The replicas a run starts: no more than a batch has rows (more would sit out every step). */
export function effectiveReplicas(replicas: number | undefined, batch: number): number {
  return Math.min(replicas ?? 1, batch);
}

/**
 * The parameter copies data-parallel replicas add (loop/dataParallel.ts): each replica past the
 * first holds ggml weights, ggml gradients and a shared gradient buffer, and all of them read one
 * shared copy of the weights. Activations do not grow: the replicas split the batch's rows.
 */
export function replicaParamCopies(replicas: number, batch: number): number {
  const r = effectiveReplicas(replicas, batch);
  return r > 1 ? 3 * (r - 1) + 1 : 0;
}

/** Refuses a run that would not fit, before any work starts. */
export function checkMemory(c: InternLM2Config, batch: number, seqLen: number, limitGb?: number, paramCopies = 6): number {
  const { total } = estimateTrainingBytes(c, batch, seqLen, paramCopies);
  const limit = limitGb !== undefined ? limitGb * 2 ** 30 : 0.8 * totalmem();
  if (total > limit) {
    throw new ConfigError(
      'TRAIN_OUT_OF_MEMORY',
      `this run needs about ${(total / 2 ** 30).toFixed(1)} GiB but the limit is ${(limit / 2 ** 30).toFixed(1)} GiB; ` +
        'lower batch_size or seq_len (use grad_accum to keep the effective batch), shrink the model, or raise memory_limit_gb.',
      { details: { estimateBytes: total, limitBytes: limit } },
    );
  }
  return total;
}
