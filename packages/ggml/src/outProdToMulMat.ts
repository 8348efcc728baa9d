import koffi from 'koffi';
import type { GgmlFunctions } from './native/ggml-lib.js';
import { asPtr, type ContextPtr, type GraphPtr, type TensorPtr } from './native/pointers.js';
import { type TransposeKernel, transposeKernel } from './transposeKernel/transposeKernel.js';

// Field offsets in struct ggml_tensor (ggml.h of the bundled llama.cpp, x86_64/arm64 LP64):
// type@0, buffer@8, ne[4]@16, nb[4]@48, op@80, op_params[16]@84, flags@148, src[10]@152.
const OFF_NE = 16;
const OFF_NB = 48;
export const OFF_OP = 80;
const OFF_OP_PARAMS = 84;
export const OFF_SRC = 152;
const HEADER_BYTES = OFF_SRC + 10 * 8;

/** A live window onto one tensor's header: ggml keeps graph structure in these structs. */
export function header(t: TensorPtr): DataView {
  return new DataView(koffi.view(t, HEADER_BYTES) as ArrayBuffer);
}

let opCodes: { outProd: number; mulMat: number } | undefined;

/** Op enum values read from tensors ggml builds itself, so a reordered enum can't fool us. */
export function ops(f: GgmlFunctions, ctx: ContextPtr): { outProd: number; mulMat: number } {
  if (opCodes) return opCodes;
  const a = f.ggml_new_tensor_2d(ctx, 0, 4, 4);
  const outProd = header(f.ggml_out_prod(ctx, a, a)).getInt32(OFF_OP, true);
  const mulMat = header(f.ggml_mul_mat(ctx, a, a)).getInt32(OFF_OP, true);
  opCodes = { outProd, mulMat };
  return opCodes;
}

function isMatrix(t: TensorPtr): boolean {
  const h = header(t);
  return h.getBigInt64(OFF_NE + 16, true) === 1n && h.getBigInt64(OFF_NE + 24, true) === 1n;
}

/**
 * Row-contiguous version of `x` transposed: a view when x is itself a transposed
 * contiguous tensor, else one copy per source (an activation feeding several weight
 * gradients, like the FFN input of w1 and w3, is transposed once). The copy is the tiled
 * kernel (transposeKernel.ts) when it is available and the elements are 2 or 4 bytes,
 * else ggml's CONT; both copy the same values.
 */
function transposedRows(
  f: GgmlFunctions,
  ctx: ContextPtr,
  x: TensorPtr,
  copies: Map<TensorPtr, TensorPtr>,
  kernel: TransposeKernel | undefined,
): TensorPtr {
  const seen = copies.get(x);
  if (seen) return seen;
  const t = f.ggml_transpose(ctx, x);
  const h = header(t);
  const size = BigInt(f.ggml_type_size(h.getInt32(0, true)));
  const rowContiguous = h.getBigUint64(OFF_NB, true) === size && h.getBigInt64(OFF_NB + 8, true) === size * h.getBigInt64(OFF_NE, true);
  // GGML_N_TASKS_MAX (-1): the kernel splits its tiles over all of the graph's threads
  const tiled = kernel && f.ggml_blck_size(h.getInt32(0, true)) === 1 && (size === 2n || size === 4n);
  const out = rowContiguous ? t : tiled ? f.ggml_map_custom1(ctx, t, kernel.fn, -1, null) : f.ggml_cont(ctx, t);
  copies.set(x, out);
  return out;
}

/**
 * ggml's autograd turns every matrix product's backward into OUT_PROD, whose CPU kernel
 * is a scalar-broadcast axpy loop (~4× slower per FLOP than MUL_MAT's tiled GEMM on
 * the reference config; bench/train/profile.ts). `out_prod(a, b)` equals
 * `mul_mat(transpose(a), transpose(b))` element for element — same shape, same
 * broadcasting of a over b's batch dimensions — so this rewrites each OUT_PROD node of
 * `graph` in place into MUL_MAT over row-contiguous transposes, and returns a new graph
 * holding the same nodes in the same order plus the transposes each now reads.
 * The original graph keeps its gradient bookkeeping (get_grad, graph_reset) valid: the
 * rewritten tensors are the same objects. `keepMatrices` leaves 2-D products alone, for
 * a BLAS backend whose sgemm takes OUT_PROD's transposes for free.
 */
export function outProdToMulMat(
  f: GgmlFunctions,
  ctx: ContextPtr,
  graph: GraphPtr,
  graphSize: number,
  opts: { keepMatrices?: boolean; tiledTranspose?: boolean } = {},
): { graph: GraphPtr; rewritten: number } {
  const kernel = opts.tiledTranspose === false ? undefined : transposeKernel();
  const { outProd, mulMat } = ops(f, ctx);
  const n = f.ggml_graph_n_nodes(graph);
  const nodes: TensorPtr[] = [];
  let rewritten = 0;
  const copies = new Map<TensorPtr, TensorPtr>();
  for (let i = 0; i < n; i++) {
    const node = f.ggml_graph_node(graph, i);
    nodes.push(node);
    const h = header(node);
    if (h.getInt32(OFF_OP, true) !== outProd) continue;
    const a = asPtr<'ggml_tensor'>(h.getBigUint64(OFF_SRC, true));
    const b = asPtr<'ggml_tensor'>(h.getBigUint64(OFF_SRC + 8, true));
    if (opts.keepMatrices && isMatrix(a) && isMatrix(b)) continue;
    const aT = transposedRows(f, ctx, a, copies, kernel);
    const bT = transposedRows(f, ctx, b, copies, kernel);
    h.setInt32(OFF_OP, mulMat, true);
    for (let k = 0; k < 16; k++) h.setInt32(OFF_OP_PARAMS + 4 * k, 0, true);
    h.setBigUint64(OFF_SRC, BigInt(aT), true);
    h.setBigUint64(OFF_SRC + 8, BigInt(bT), true);
    rewritten++;
  }
  const out = f.ggml_new_graph_custom(ctx, graphSize, false);
  for (const node of nodes) f.ggml_build_forward_expand(out, node);
  return { graph: out, rewritten };
}
