import type { GgmlFunctions } from './native/ggml-lib.js';
import { asPtr, type ContextPtr, type GraphPtr, type TensorPtr } from './native/pointers.js';
import { header, OFF_OP, OFF_SRC, ops } from './outProdToMulMat.js';

/** ggml's enum value for bfloat16 tensors. */
export const GGML_TYPE_BF16 = 30;
const GGML_TYPE_F32 = 0;
const OFF_TYPE = 0;

const src = (h: DataView, i: number) => asPtr<'ggml_tensor'>(h.getBigUint64(OFF_SRC + 8 * i, true));
const typeOf = (t: TensorPtr) => header(t).getInt32(OFF_TYPE, true);

/**
 * Mixed precision for the matrix products that involve `weights` (the master copies, f32 and
 * trained in f32): after ggml's autograd has built the backward, every such product reads its
 * first operand in `type` (bf16) instead — the forward `W·x`, the input gradient `Wᵀ·dy`
 * (OUT_PROD with src0 = W) and the weight gradient `x·dyᵀ` (OUT_PROD with src0 = x and
 * src1 = the forward product's gradient). ggml's CPU mul_mat then converts the second operand
 * to the same type and accumulates in f32, so every product runs as a bf16 GEMM while its
 * result, and with it each weight's gradient, stays f32.
 *
 * The casts are added after autograd because ggml's autograd refuses a bf16 tensor on a
 * gradient path (it asserts F32/F16); the products are the same tensor objects with a new
 * first source, so `graph`'s gradient bookkeeping (get_grad, graph_reset) stays valid. Each
 * weight is cast once per compute and shared by its forward and input-gradient products.
 * Returns a new graph holding `graph`'s nodes plus the casts. CPU OUT_PROD has no bf16
 * kernel, so run outProdToMulMat on the result. A forward-only graph gets the forward casts.
 */
export function castWeightProducts(
  f: GgmlFunctions,
  ctx: ContextPtr,
  graph: GraphPtr,
  graphSize: number,
  opts: {
    type: number;
    weights: ReadonlySet<TensorPtr>;
    /**
     * Also the products of two activations (attention's scores q·kᵀ, its weighted sum of values,
     * and their gradients): every remaining f32 MUL_MAT / OUT_PROD reads its first operand in
     * `type`, cast per node (an activation has one product per use). Default false.
     */
    activations?: boolean;
  },
): { graph: GraphPtr; cast: number } {
  const { outProd, mulMat } = ops(f, ctx);
  const n = f.ggml_graph_n_nodes(graph);
  const nodes: TensorPtr[] = [];
  const casts = new Map<TensorPtr, TensorPtr>();
  const castOf = (t: TensorPtr) => {
    let c = casts.get(t);
    if (!c) {
      c = f.ggml_cast(ctx, t, opts.type);
      casts.set(t, c);
    }
    return c;
  };
  // weight-gradient products are out_prod(x, dy) for a forward y = W·x with gradient dy
  const weightGradInputs = new Map<TensorPtr, Set<TensorPtr>>();
  let cast = 0;
  for (let i = 0; i < n; i++) {
    const node = f.ggml_graph_node(graph, i);
    nodes.push(node);
    const h = header(node);
    const op = h.getInt32(OFF_OP, true);
    if (op !== mulMat && op !== outProd) continue;
    const a = src(h, 0);
    const b = src(h, 1);
    let replacement: TensorPtr | undefined;
    if (opts.weights.has(a) && typeOf(a) === GGML_TYPE_F32) {
      replacement = castOf(a);
      const dy = op === mulMat ? f.ggml_graph_get_grad(graph, node) : null;
      if (dy) weightGradInputs.set(dy, (weightGradInputs.get(dy) ?? new Set()).add(b));
    } else if (op === outProd && typeOf(a) === GGML_TYPE_F32 && weightGradInputs.get(b)?.has(a)) replacement = castOf(a);
    else if (opts.activations && typeOf(a) === GGML_TYPE_F32 && typeOf(b) === GGML_TYPE_F32) replacement = castOf(a);
    if (!replacement) continue;
    h.setBigUint64(OFF_SRC, BigInt(replacement), true);
    cast++;
  }
  const out = f.ggml_new_graph_custom(ctx, graphSize, false);
  for (const node of nodes) f.ggml_build_forward_expand(out, node);
  return { graph: out, cast };
}
