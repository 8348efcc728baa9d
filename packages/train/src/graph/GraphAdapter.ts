import type { ContextPtr, GgmlFunctions, TensorPtr } from '@puyu/ggml';
import type { LinearHook } from './buildInternLM2Graph.js';

/** An adapter built into one graph: its linear hook, and how to fill the graph inputs it added. */
export interface AttachedAdapter {
  hook: LinearHook;
  /** Fills the adapter's own inputs (dropout masks) before each compute; `seed` picks them. */
  setInputs(seed: number): void;
}

/**
 * Trainable tensors added to a frozen InternLM2 (LoRA). The base weights are not ggml
 * params, so the backward pass computes gradients for these tensors only.
 */
export interface GraphAdapter {
  /** The adapter's ggml tensors (params), keyed by the names the trainer uses for them. */
  readonly tensors: ReadonlyMap<string, TensorPtr>;
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** Builds the adapter into a graph of N tokens; `training` adds dropout. */
  attach(f: GgmlFunctions, ctx: ContextPtr, N: number, training: boolean): AttachedAdapter;
  /** Frees the adapter's ggml memory (its model calls this). */
  free(): void;
}
