import type { ContextPtr, GgmlFunctions, TensorPtr } from '@puyu/ggml';
import { FINAL_NORM, type InternLM2Config, internLM2Dims, layerTensorNames, OUTPUT, TOK_EMBEDDINGS } from '@puyu/model';
import type { InternLM2Params } from './InternLM2Params.js';

const GGML_ROPE_TYPE_NEOX = 2; // HF InternLM2 rotates halves (rotate_half), which ggml calls NEOX
const F32 = 4;

/** Graph inputs, all allocated by the caller: token ids, their positions, and the attention mask. */
export interface InternLM2GraphInputs {
  /** I32 [T·B], batch-major: index b·T + t. */
  tokens: TensorPtr;
  /** I32 [T·B], the RoPE position of each token (restarts at 0 for each packed document). */
  positions: TensorPtr;
  /** F32 [T, T, nHeads·B]: 0 where query t may attend key s, −∞ elsewhere (causal, inside one document); see packedCausalMask. */
  mask: TensorPtr;
}

/** The linear layers of an InternLM2 block, by their HF module names (LoRA's target modules). */
export const LINEAR_MODULES = ['wqkv', 'wo', 'w1', 'w2', 'w3'] as const;
export type LinearModule = (typeof LINEAR_MODULES)[number];

/**
 * Called once for each linear layer while a graph is built, with its input x and output
 * y = W x; returns what the layer outputs instead (LoRA adds scale·B·A·x). The hook is how
 * an adapter enters the one graph builder rather than a copy of it.
 */
export type LinearHook = (layer: number, module: LinearModule, x: TensorPtr, y: TensorPtr) => TensorPtr;

/**
 * RoPE base for a call whose longest sequence is `seqLen`, as HF's dynamic NTK
 * scaling recomputes it (the reference forward does the same).
 */
export function ropeFreqBase(c: InternLM2Config, seqLen: number): number {
  const dim = c.hidden_size / c.num_attention_heads;
  const s = c.rope_scaling;
  if (s?.type === 'dynamic' && seqLen > c.max_position_embeddings) {
    return c.rope_theta * ((s.factor * seqLen) / c.max_position_embeddings - (s.factor - 1)) ** (dim / (dim - 2));
  }
  return c.rope_theta;
}

/**
 * Builds the InternLM2 forward pass from ggml ops on the HF weight layout and
 * returns the final hidden states, ne [hidden, T·B] (apply `lmHead` for logits).
 * Every op used here has a ggml backward, so the same graph trains. `hook` (optional) adds
 * an adapter's term to each linear layer.
 */
export function buildInternLM2Hidden(
  f: GgmlFunctions,
  ctx: ContextPtr,
  p: InternLM2Params,
  inputs: InternLM2GraphInputs,
  B: number,
  T: number,
  hook?: LinearHook,
): TensorPtr {
  const c = p.config;
  const d = internLM2Dims(c);
  const { headDim: hd, nHeads: nH, nKvHeads: nKv, qPerKv } = d;
  const h = c.hidden_size;
  const N = B * T;
  const eps = c.rms_norm_eps;
  const freqBase = ropeFreqBase(c, T);
  const freqScale = c.rope_scaling?.type === 'linear' ? 1 / c.rope_scaling.factor : 1;
  const norm = (x: TensorPtr, w: string) => f.ggml_mul(ctx, f.ggml_rms_norm(ctx, x, eps), p.get(w));
  const rope = (x: TensorPtr) =>
    f.ggml_rope_ext(ctx, x, inputs.positions, null, hd, GGML_ROPE_TYPE_NEOX, c.max_position_embeddings, freqBase, freqScale, 0, 1, 32, 1);

  let x = f.ggml_get_rows(ctx, p.get(TOK_EMBEDDINGS), inputs.tokens); // [h, N]
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const n = layerTensorNames(l);
    const linear = (module: LinearModule, input: TensorPtr) => {
      const y = f.ggml_mul_mat(ctx, p.get(n[module]), input);
      return hook ? hook(l, module, input, y) : y;
    };
    const a = norm(x, n.attentionNorm);
    // wqkv rows are packed per KV group: (nKv, qPerKv + 2, hd) → slice Q, K, V as strided views
    const qkv = linear('wqkv', a); // [qkvRows, N]
    const nb1 = hd * F32;
    const nb2 = (qPerKv + 2) * hd * F32;
    const nb3 = d.qkvRows * F32;
    const slice = (from: number, count: number, heads: number) =>
      f.ggml_reshape_3d(ctx, f.ggml_cont(ctx, f.ggml_view_4d(ctx, qkv, hd, count, nKv, N, nb1, nb2, nb3, from * hd * F32)), hd, heads, N);
    const q = rope(slice(0, qPerKv, nH)); // [hd, nH, N]; head index = kv·qPerKv + j, as HF orders them
    const k = rope(slice(qPerKv, 1, nKv)); // [hd, nKv, N]
    const v = slice(qPerKv + 1, 1, nKv);

    // Batch and heads share one dimension (index b·heads + head) so every mul_mat is 3-D:
    // ggml's mul_mat backward cannot un-broadcast a 4-D product. Broadcasting K/V over the
    // query heads of a group still works: query head i·qPerKv + j reads KV head i.
    const heads3 = (x3: TensorPtr, heads: number) =>
      f.ggml_reshape_3d(
        ctx,
        f.ggml_cont(ctx, f.ggml_permute(ctx, f.ggml_reshape_4d(ctx, x3, hd, heads, T, B), 0, 2, 1, 3)),
        hd,
        T,
        heads * B,
      );
    const q3 = heads3(q, nH); // [hd, T, nH·B]
    const k3 = heads3(k, nKv); // [hd, T, nKv·B]
    const vT = f.ggml_reshape_3d(
      ctx,
      f.ggml_cont(ctx, f.ggml_permute(ctx, f.ggml_reshape_4d(ctx, v, hd, nKv, T, B), 1, 2, 0, 3)),
      T,
      hd,
      nKv * B,
    ); // [T, hd, nKv·B]
    const kq = f.ggml_mul_mat(ctx, k3, q3); // [Tk, Tq, nH·B]
    const probs = f.ggml_soft_max_ext(ctx, kq, inputs.mask, 1 / Math.sqrt(hd), 0);
    const ctxv = f.ggml_reshape_4d(ctx, f.ggml_mul_mat(ctx, vT, probs), hd, T, nH, B); // [hd, Tq, nH, B]
    const merged = f.ggml_reshape_2d(ctx, f.ggml_cont(ctx, f.ggml_permute(ctx, ctxv, 0, 2, 1, 3)), h, N); // [h, N]
    x = f.ggml_add(ctx, x, linear('wo', merged));

    const m = norm(x, n.ffnNorm);
    const gate = f.ggml_silu(ctx, linear('w1', m));
    const up = linear('w3', m);
    x = f.ggml_add(ctx, x, linear('w2', f.ggml_mul(ctx, gate, up)));
  }
  return norm(x, FINAL_NORM);
}

/** Logits ne [vocab, rows] for hidden states ne [hidden, rows]. */
export function lmHead(f: GgmlFunctions, ctx: ContextPtr, p: InternLM2Params, hidden: TensorPtr): TensorPtr {
  return f.ggml_mul_mat(ctx, p.get(p.config.tie_word_embeddings ? TOK_EMBEDDINGS : OUTPUT), hidden);
}

/**
 * The F32 [T, T, heads·B] attention mask for batches of packed documents:
 * `docIds[b·T + t]` names the document of each token. It is repeated per head
 * because batch and heads share the graph's third dimension.
 */
export function packedCausalMask(B: number, T: number, heads: number, docIds?: ArrayLike<number>): Float32Array {
  const plane = T * T;
  const m = new Float32Array(B * heads * plane);
  for (let b = 0; b < B; b++) {
    const first = b * heads * plane;
    for (let q = 0; q < T; q++)
      for (let k = 0; k < T; k++) {
        const same = !docIds || docIds[b * T + q] === docIds[b * T + k];
        m[first + q * T + k] = k <= q && same ? 0 : Number.NEGATIVE_INFINITY;
      }
    for (let h = 1; h < heads; h++) m.copyWithin(first + h * plane, first, first + plane);
  }
  return m;
}

/** Positions that restart at 0 at each document boundary. */
export function packedPositions(B: number, T: number, docIds?: ArrayLike<number>): Int32Array {
  const pos = new Int32Array(B * T);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      pos[i] = t > 0 && (!docIds || docIds[i] === docIds[i - 1]) ? pos[i - 1] + 1 : 0;
    }
  return pos;
}
