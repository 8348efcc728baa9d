import { EngineError } from '@puyu/core';
import { autoBlasState, blasFromEnv, GGML_TYPE_F32, GGML_TYPE_I32, GgmlBlasBackend, GgmlContext, GgmlCpuBackend } from '@puyu/ggml';
import type { InternLM2Config, InternLM2Weights } from '@puyu/model';
import { buildInternLM2Hidden, lmHead, packedCausalMask, packedPositions } from './buildInternLM2Graph.js';
import type { GraphAdapter } from './GraphAdapter.js';
import { type BaseWeightType, InternLM2Params } from './InternLM2Params.js';
import { type BackwardMatmul, LossGraph, type LossGraphShape } from './LossGraph.js';
import { type LossPlan, planMaskedLoss, TargetScratch } from './maskedCrossEntropy.js';
import type { TrainPrecision } from './precision.js';

const GRAPH_SIZE = 16_384;

/**
 * InternLM2 evaluated by ggml on the CPU: logits (`forward`), the masked loss (`loss`)
 * and its gradients (`lossAndGrads`). The loss graphs are built once per batch shape and
 * kept with their allocator (see LossGraph), so a training loop rebuilds nothing per step;
 * `backwardMatmul` picks how the backward computes its matrix products (default
 * `mul_mat`, ~1.5× faster per step than ggml's OUT_PROD; bench/train/README.md).
 * With an `adapter` (LoRA) its tensors join every graph and `lossAndGrads` returns their
 * gradients instead of the base weights' (build the base with `trainable: false` to freeze it).
 */
export class GgmlInternLM2 {
  readonly backend: GgmlCpuBackend;
  readonly params: InternLM2Params;
  readonly backwardMatmul: BackwardMatmul;
  readonly precision: TrainPrecision;
  readonly blas?: GgmlBlasBackend;
  readonly adapter?: GraphAdapter;
  private graphs: [LossGraph | undefined, LossGraph | undefined] = [undefined, undefined];
  private causalMask?: { B: number; T: number; mask: Float32Array };
  private readonly targetScratch = new TargetScratch();

  constructor(
    readonly config: InternLM2Config,
    weights: InternLM2Weights,
    opts: {
      threads?: number;
      trainable?: boolean;
      backwardMatmul?: BackwardMatmul;
      /**
       * Weight products of the loss graphs in f32 (default) or bf16 with f32 master weights and
       * gradients (precision.ts); `forward` (logits) always runs f32.
       */
      precision?: TrainPrecision;
      /** Path of an opt-in ggml BLAS backend (default: `PUYU_GGML_BLAS`; unset = CPU only). */
      blas?: string;
      /**
       * In fp32 with no BLAS named, use the BLAS backend @puyu/ggml builds where the machine has
       * OpenBLAS (`autoBlasState`); full-parameter training asks for it, nothing else does.
       */
      autoBlas?: boolean;
      /** Storage of the frozen linear weights: f32 (default) or q8_0 / q4_0 (QLoRA's base). */
      baseType?: BaseWeightType;
      /** Makes adapter tensors (LoRA) on this model's backend; the model owns and frees them. */
      adapter?: (backend: GgmlCpuBackend) => GraphAdapter;
    } = {},
  ) {
    // A quantized base keeps ggml's OUT_PROD backward: the mul_mat rewrite transposes src0 with
    // ggml_cont, which has no quantized kernel, and its gradients come back NaN.
    const quantized = (opts.baseType ?? 'f32') !== 'f32';
    if (quantized && opts.backwardMatmul === 'mul_mat')
      throw new EngineError(
        'TRAIN_GRAPH_BAD_SHAPE',
        `a ${opts.baseType} base needs backwardMatmul 'out_prod' (the mul_mat rewrite cannot transpose quantized weights).`,
      );
    this.backwardMatmul = opts.backwardMatmul ?? (quantized ? 'out_prod' : 'mul_mat');
    this.precision = opts.precision ?? 'fp32';
    // CPU OUT_PROD has no bf16 kernel, and the BLAS backend computes in f32 sgemm anyway
    if (this.precision === 'bf16' && this.backwardMatmul !== 'mul_mat')
      throw new EngineError(
        'TRAIN_PRECISION_UNSUPPORTED',
        "bf16 needs backwardMatmul 'mul_mat' (ggml's OUT_PROD has no bf16 kernel); use fp32.",
      );
    const namedBlas = opts.blas ?? blasFromEnv();
    if (this.precision === 'bf16' && namedBlas)
      throw new EngineError(
        'TRAIN_PRECISION_UNSUPPORTED',
        'bf16 cannot run on the BLAS backend (it multiplies in f32); unset PUYU_GGML_BLAS or train with precision fp32.',
      );
    // Each step can fail (no BLAS library, out of memory, weights that do not fit): what was
    // allocated before it is freed here, since a constructor that throws hands no object back.
    const backend = GgmlCpuBackend.create({ threads: opts.threads });
    let blas: GgmlBlasBackend | undefined;
    let params: InternLM2Params | undefined;
    let adapter: GraphAdapter | undefined;
    try {
      const autoPath = !namedBlas && opts.autoBlas && this.precision === 'fp32' && !quantized ? autoBlasState().path : undefined;
      if (namedBlas) blas = GgmlBlasBackend.load(namedBlas, backend.threads);
      else if (autoPath) blas = loadOrNone(autoPath, backend.threads);
      params = new InternLM2Params(backend, config, { trainable: opts.trainable, baseType: opts.baseType });
      params.upload(weights);
      adapter = opts.adapter?.(backend);
    } catch (e) {
      adapter?.free();
      params?.free();
      blas?.free();
      backend.free();
      throw e;
    }
    this.backend = backend;
    this.blas = blas;
    this.params = params;
    this.adapter = adapter;
  }

  /**
   * Logits for a batch of equal-length rows, returned row-major [B·T, vocab].
   * `docIds` (length B·T) packs several documents per row: attention and positions restart at each.
   */
  forward(rows: readonly (readonly number[])[], docIds?: ArrayLike<number>): Float32Array {
    const B = rows.length;
    const T = rows[0]?.length ?? 0;
    if (B === 0 || T === 0 || rows.some((r) => r.length !== T))
      throw new EngineError('TRAIN_GRAPH_BAD_BATCH', 'forward needs a non-empty batch of equal-length rows.');
    const f = this.backend.lib.fn;
    const V = this.config.vocab_size;
    using ctx = new GgmlContext({ maxTensors: GRAPH_SIZE, graphSize: GRAPH_SIZE });
    const tokens = ctx.tensor(GGML_TYPE_I32, [B * T], 'tokens');
    const positions = ctx.tensor(GGML_TYPE_I32, [B * T], 'positions');
    const mask = ctx.tensor(GGML_TYPE_F32, [T, T, this.config.num_attention_heads * B], 'mask');
    for (const t of [tokens, positions, mask]) f.ggml_set_input(t);
    const hidden = buildInternLM2Hidden(
      f,
      ctx.ptr,
      this.params,
      { tokens, positions, mask },
      B,
      T,
      this.adapter?.attach(f, ctx.ptr, B * T, false).hook,
    );
    const logits = lmHead(f, ctx.ptr, this.params, hidden);
    f.ggml_set_output(logits);
    const graph = f.ggml_new_graph_custom(ctx.ptr, GRAPH_SIZE, false);
    f.ggml_build_forward_expand(graph, logits);
    const galloc = f.ggml_gallocr_new(f.ggml_backend_get_default_buffer_type(this.backend.ptr));
    if (!galloc) throw new EngineError('TRAIN_GRAPH_ALLOC_FAILED', 'could not create a graph allocator (out of memory?).');
    try {
      if (!f.ggml_gallocr_alloc_graph(galloc, graph))
        throw new EngineError('TRAIN_GRAPH_ALLOC_FAILED', 'could not allocate the forward graph.');
      const ids = Int32Array.from(rows.flat());
      for (const id of ids)
        if (id < 0 || id >= V) throw new EngineError('TRAIN_GRAPH_TOKEN_RANGE', `token id ${id} is outside the vocabulary [0, ${V}).`);
      const pos = packedPositions(B, T, docIds);
      const m = packedCausalMask(B, T, this.config.num_attention_heads, docIds);
      f.ggml_backend_tensor_set(tokens, ids, 0, ids.byteLength);
      f.ggml_backend_tensor_set(positions, pos, 0, pos.byteLength);
      f.ggml_backend_tensor_set(mask, m, 0, m.byteLength);
      const status = f.ggml_backend_graph_compute(this.backend.ptr, graph);
      if (status !== 0) throw new EngineError('TRAIN_GRAPH_COMPUTE_FAILED', `ggml graph compute failed with status ${status}.`);
      const out = new Float32Array(B * T * V);
      f.ggml_backend_tensor_get(logits, out, 0, out.byteLength);
      return out;
    } finally {
      f.ggml_gallocr_free(galloc);
    }
  }

  /**
   * Masked cross-entropy (Σ w·CE / Σ w over next-token targets) and its gradient for
   * every parameter (`trainable: true`), or for every adapter tensor when there is an
   * adapter, through ggml's autograd. `dropoutSeed` picks the adapter's dropout masks.
   */
  lossAndGrads(
    rows: readonly (readonly number[])[],
    targets: ArrayLike<number>,
    weights: ArrayLike<number>,
    docIds?: ArrayLike<number>,
    dropoutSeed?: number,
    /**
     * Where each gradient goes (an array of the tensor's size, e.g. a view of a shared buffer),
     * instead of a new array per tensor per step. The returned map then holds those arrays.
     */
    into?: (name: string) => Float32Array,
  ): { loss: number; grads: InternLM2Weights } {
    return this.runLoss(rows, targets, weights, docIds, true, dropoutSeed, into) as { loss: number; grads: InternLM2Weights };
  }

  /** The masked loss alone (no backward pass), for held-out evaluation. */
  loss(rows: readonly (readonly number[])[], targets: ArrayLike<number>, weights: ArrayLike<number>, docIds?: ArrayLike<number>): number {
    return this.runLoss(rows, targets, weights, docIds, false).loss;
  }

  private runLoss(
    rows: readonly (readonly number[])[],
    targets: ArrayLike<number>,
    weights: ArrayLike<number>,
    docIds: ArrayLike<number> | undefined,
    withGrads: boolean,
    dropoutSeed = 0,
    into?: (name: string) => Float32Array,
  ): { loss: number; grads?: InternLM2Weights } {
    const B = rows.length;
    const T = rows[0]?.length ?? 0;
    if (B === 0 || T === 0 || rows.some((r) => r.length !== T))
      throw new EngineError('TRAIN_GRAPH_BAD_BATCH', 'a batch needs equal-length, non-empty rows.');
    const plan = planMaskedLoss(targets, weights, this.config.vocab_size, this.targetScratch);
    if (plan.kept === 0) throw new EngineError('TRAIN_EMPTY_LOSS', 'every loss weight in this batch is 0; nothing to learn from.');
    const shape: LossGraphShape = {
      B,
      T,
      M: plan.rows.length,
      uniform: plan.uniform,
      withGrads,
      backwardMatmul: this.backwardMatmul,
      precision: this.precision,
    };
    const g = this.lossGraph(shape, plan);
    const ids = Int32Array.from(rows.flat());
    g.setInputs(ids, packedPositions(B, T, docIds), this.maskFor(B, T, docIds), plan, dropoutSeed);
    const loss = g.compute();
    if (!withGrads) return { loss };
    const f = this.backend.lib.fn;
    const grads: InternLM2Weights = new Map();
    const trained = this.adapter ?? this.params;
    for (const [name, t] of trained.tensors) {
      const shape = [...(trained.shapes.get(name) as readonly number[])];
      const size = shape.reduce((a, b) => a * b, 1);
      const data = into?.(name) ?? new Float32Array(size);
      if (data.length !== size)
        throw new EngineError('TRAIN_GRAPH_BAD_BATCH', `the gradient buffer for ${name} holds ${data.length} values, not ${size}.`);
      const gt = g.grad(t);
      if (gt) f.ggml_backend_tensor_get(gt, data, 0, data.byteLength);
      else data.fill(0);
      grads.set(name, { shape, data });
    }
    return { loss, grads };
  }

  /** The cached graph for this shape (one for training, one for evaluation), rebuilt when the shape changes. */
  private lossGraph(shape: LossGraphShape, plan: LossPlan): LossGraph {
    const slot = shape.withGrads ? 1 : 0;
    const cached = this.graphs[slot];
    if (cached?.sameShape(shape)) return cached;
    // the replaced graph's allocator keeps its buffer for this one (no fresh pages to fault in)
    const allocator = cached?.release() ?? null;
    const g = new LossGraph(this.params, shape, plan, this.blas, this.adapter, allocator);
    this.graphs[slot] = g;
    g.allocate();
    return g;
  }

  /** Unpacked batches share one causal mask per shape; packed ones get their own. */
  private maskFor(B: number, T: number, docIds: ArrayLike<number> | undefined): Float32Array {
    if (docIds) return packedCausalMask(B, T, this.config.num_attention_heads, docIds);
    if (this.causalMask?.B !== B || this.causalMask.T !== T)
      this.causalMask = { B, T, mask: packedCausalMask(B, T, this.config.num_attention_heads) };
    return this.causalMask.mask;
  }

  free(): void {
    for (const g of this.graphs) g?.free();
    this.graphs = [undefined, undefined];
    this.adapter?.free();
    this.params.free();
    this.blas?.free();
    this.backend.free();
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

/** The automatically built BLAS backend is a bonus: one that will not load leaves training on the CPU backend. */
function loadOrNone(path: string, threads: number): GgmlBlasBackend | undefined {
  try {
    return GgmlBlasBackend.load(path, threads);
  } catch {
    return undefined;
  }
}
