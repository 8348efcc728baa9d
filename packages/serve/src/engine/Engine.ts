import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { GgufFile } from '@puyu/formats';
import { INTERNLM2_GGUF_KEYS } from '@puyu/model';
import {
  type BatchItem,
  getLlama,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaEmbeddingContext,
  type LlamaGrammar,
  LlamaLogLevel,
  type LlamaModel,
  type PrioritizedBatchItem,
  type Token,
} from 'node-llama-cpp';
import { ServeError } from '../ServeError.js';
import { DirectDecoder } from './DirectDecoder.js';
import { resolveModelPath } from './resolveModelPath.js';

export type KvCacheType = 'f16' | 'q8_0' | 'q4_0' | 'f32';
const KV_TYPES: Record<KvCacheType, 'F16' | 'Q8_0' | 'Q4_0' | 'F32'> = { f16: 'F16', q8_0: 'Q8_0', q4_0: 'Q4_0', f32: 'F32' };

export interface EngineOptions {
  /** A .gguf file or an HF InternLM2 folder (converted once and cached). */
  model: string;
  /** Name reported by /v1/models and echoed in responses (default: the file or folder name). */
  modelName?: string;
  /** Parallel sequences in the context = requests decoded together (default 4). */
  sequences?: number;
  /** Context length of each sequence in tokens (default 2048). */
  contextSize?: number;
  /** Tokens per llama_decode call (default min(contextSize·sequences, 512)). */
  batchSize?: number;
  /** CPU threads (default 1: on shared machines more threads can spin-wait far slower). */
  threads?: number;
  /** KV-cache element type (default f16). Quantized types need flash attention, so it is turned on for them. */
  kvCacheType?: KvCacheType;
  flashAttention?: boolean;
  /** Use a GPU backend when node-llama-cpp has one (default false). */
  gpu?: boolean;
  cacheDir?: string;
  /**
   * GGUF LoRA adapters applied to every request (`puyu train lora`'s adapter-*.gguf, or
   * llama.cpp's convert_lora_to_gguf output), each with its scale (1 = as trained).
   */
  lora?: readonly { path: string; scale: number }[];
}

/** Decode batches seen by the context: how many, and how many sequence evaluations they carried. */
export interface BatchStats {
  batches: number;
  items: number;
  maxItems: number;
}

/**
 * The native side of the server: one llama.cpp model and one context with N sequences.
 * node-llama-cpp gathers the pending evaluations of all sequences into one llama_decode per
 * cycle; our prioritisation strategy (node-llama-cpp's "maximum parallelism", re-implemented so
 * it can count) records each batch, which is how tests prove requests are really decoded together.
 */
export class Engine {
  private embeddingContext?: Promise<LlamaEmbeddingContext>;
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

  private constructor(
    readonly llama: Llama,
    readonly model: LlamaModel,
    readonly context: LlamaContext,
    readonly sequences: LlamaContextSequence[],
    readonly modelName: string,
    readonly modelPath: string,
    private readonly threads: number,
    readonly batchStats: BatchStats,
    /**
     * Whether chat prompts without a system turn get InternLM2's default system prompt (LMDeploy's
     * rule). A model, or a LoRA adapter, fine-tuned without it says so in its GGUF
     * (`puyu.chat.use_default_system_prompt` = false, written by our SFT / DPO / LoRA exports), and
     * is then prompted as it was trained.
     */
    readonly useDefaultSystemPrompt: boolean,
    /** Decode steps driven straight through the native context (see DirectDecoder), or why not. */
    readonly direct: DirectDecoder | { unavailable: string },
  ) {}

  static async load(opts: EngineOptions): Promise<Engine> {
    const { path } = await resolveModelPath(opts.model, { cacheDir: opts.cacheDir });
    const kv = opts.kvCacheType ?? 'f16';
    if (!(kv in KV_TYPES))
      throw new ServeError('SERVE_BAD_KV_TYPE', `kv cache type must be one of ${Object.keys(KV_TYPES).join(', ')}, not "${kv}".`);
    const quantizedKv = kv === 'q8_0' || kv === 'q4_0';
    if (quantizedKv && opts.flashAttention === false) {
      throw new ServeError(
        'SERVE_BAD_KV_TYPE',
        `a ${kv} KV cache needs flash attention (llama.cpp cannot quantize V otherwise); drop --no-flash-attention.`,
      );
    }
    for (const a of opts.lora ?? []) {
      if (!existsSync(a.path))
        throw new ServeError('SERVE_BAD_LORA', `LoRA adapter ${a.path} does not exist; pass the adapter-*.gguf a LoRA run wrote.`);
      if (!Number.isFinite(a.scale))
        throw new ServeError('SERVE_BAD_LORA', `LoRA scale for ${a.path} must be a finite number, not ${a.scale}.`);
    }
    // On the CPU, node-llama-cpp runs on whichever ggml CPU backend is registered first: ours
    // (the native build when cached, else the best prebuilt variant), so serving, training and
    // `puyu doctor` agree on it.
    if (!opts.gpu) (await import('@puyu/ggml')).useCpuBackendForNodeLlamaCpp();
    const llama = await getLlama({ gpu: opts.gpu ? 'auto' : false, build: 'never', logLevel: LlamaLogLevel.error });
    const threads = opts.threads ?? 1;
    const n = opts.sequences ?? 4;
    const stats: BatchStats = { batches: 0, items: 0, maxItems: 0 };
    let model: LlamaModel | undefined;
    try {
      model = await llama.loadModel({ modelPath: path });
      const context = await model
        .createContext({
          sequences: n,
          contextSize: opts.contextSize ?? 2048,
          batchSize: opts.batchSize,
          threads,
          flashAttention: opts.flashAttention ?? quantizedKv,
          experimentalKvCacheKeyType: KV_TYPES[kv],
          experimentalKvCacheValueType: KV_TYPES[kv],
          batching: { itemPrioritizationStrategy: countingStrategy(stats) },
          lora: opts.lora?.length ? { adapters: opts.lora.map((a) => ({ filePath: a.path, scale: a.scale })) } : undefined,
        })
        .catch((e: unknown) => {
          // llama.cpp refuses an adapter of another architecture or shape while the context is made
          if (opts.lora?.length && /lora|adapter/i.test((e as Error).message))
            throw new ServeError('SERVE_BAD_LORA', `cannot apply the LoRA adapter(s) to ${path}: ${(e as Error).message}`, {
              status: 500,
              cause: e,
            });
          throw e;
        });
      serializeLogitsReorder(context);
      const sequences = Array.from({ length: n }, () => context.getSequence());
      const name = opts.modelName ?? basename(opts.model).replace(/\.gguf$/, '');
      const flag = (model.fileInfo.metadata as { puyu?: { chat?: { use_default_system_prompt?: unknown } } }).puyu?.chat
        ?.use_default_system_prompt;
      const adapterFlags = await Promise.all((opts.lora ?? []).map((a) => adapterUsesDefaultSystemPrompt(a.path)));
      const useDefault = flag !== false && !adapterFlags.includes(false);
      const direct = DirectDecoder.create(context, model, stats);
      return new Engine(llama, model, context, sequences, name, path, threads, stats, useDefault, direct);
    } catch (e) {
      await model?.dispose();
      await llama.dispose();
      if (e instanceof ServeError) throw e;
      throw new ServeError('SERVE_MODEL_LOAD', `cannot load ${path}: ${(e as Error).message}`, { status: 500, cause: e });
    }
  }

  private _vocabSize?: number;
  get vocabSize(): number {
    if (this._vocabSize === undefined) {
      let n = 0;
      for (const _ of this.model.iterateAllTokens()) n++;
      this._vocabSize = n;
    }
    return this._vocabSize;
  }

  get contextSize(): number {
    return this.context.contextSize;
  }

  tokenize(text: string, specialTokens = true): Token[] {
    return this.model.tokenize(text, specialTokens);
  }

  detokenize(tokens: readonly Token[], specialTokens = true): string {
    return this.model.detokenize(tokens, specialTokens);
  }

  /** The id of a text that is exactly one special token (e.g. `<|action_end|>`), if the vocabulary has it. */
  specialTokenId(text: string): Token | undefined {
    const ids = this.model.tokenize(text, true);
    return ids.length === 1 ? ids[0] : undefined;
  }

  /** A grammar for a JSON schema (or any JSON when `schema` is undefined), compiled once per schema. */
  grammarFor(schema: object | undefined): Promise<LlamaGrammar> {
    const key = schema === undefined ? '' : JSON.stringify(schema);
    let g = this.grammars.get(key);
    if (!g) {
      g = (
        schema === undefined ? this.llama.getGrammarFor('json') : this.llama.createGrammarForJsonSchema(schema as never)
      ) as Promise<LlamaGrammar>;
      g.catch(() => this.grammars.delete(key));
      if (this.grammars.size > 64) this.grammars.clear(); // schemas come from clients: bound the cache
      this.grammars.set(key, g);
    }
    return g;
  }

  /**
   * The embedding of `tokens`. Embeddings come from a second, lazily created context so they never
   * take a generation sequence; it has one sequence, so calls are run one after another.
   */
  embed(tokens: Token[]): Promise<readonly number[]> {
    this.embeddingContext ??= this.model.createEmbeddingContext({ contextSize: Math.min(this.contextSize, 2048), threads: this.threads });
    const ctx = this.embeddingContext;
    const run = this.embedQueue.then(async () => (await (await ctx).getEmbeddingFor(tokens)).vector);
    this.embedQueue = run.catch(() => undefined);
    return run;
  }
  private embedQueue: Promise<unknown> = Promise.resolve();

  /** Frees everything native. Call it only once no decode is in flight (Scheduler.drain). */
  async dispose(): Promise<void> {
    await this.embedQueue; // an embedding still computing would crash on a freed model
    if (this.embeddingContext) await (await this.embeddingContext.catch(() => undefined))?.dispose();
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}

/** The two methods of node-llama-cpp's native context object that the reorder guard wraps. */
interface NativeContext {
  decodeBatch(): Promise<void>;
  sampleToken(...args: unknown[]): Promise<unknown>;
}

/**
 * Closes a data race that leaks one sequence's logits into another's sampling (cross-talk; measured in
 * packages/serve/README.md): with several sequences in a batch, llama.cpp may compute the outputs in
 * another order than the batch's and puts them back lazily, swapping rows in place on the first
 * logits access after the decode (`llama_context::output_reorder`, which then clears its swap list).
 * node-llama-cpp samples every sequence of the batch at once on libuv's thread pool, and each
 * sampling reads the logits, so two threads can run the reorder together and read twice-swapped or
 * half-swapped rows: another sequence's logits. Here the first sampling after each decode runs
 * alone, performing the reorder; the others start when it is done and, the swap list being empty by
 * then, only read, still in parallel. Costs one sampling's latency per decode step.
 *
 * The methods live on node-llama-cpp's private `_ctx` (3.21.1, pinned); if they are ever missing the
 * load fails loudly rather than serving with the race.
 */
function serializeLogitsReorder(context: LlamaContext): void {
  const native = (context as unknown as { _ctx?: NativeContext })._ctx;
  if (typeof native?.decodeBatch !== 'function' || typeof native.sampleToken !== 'function')
    throw new ServeError(
      'SERVE_MODEL_LOAD',
      'this node-llama-cpp build has no _ctx.decodeBatch/sampleToken to guard the logits-reorder race with; install node-llama-cpp 3.21.1 (the pinned version).',
      { status: 500 },
    );
  const decode = native.decodeBatch.bind(native);
  const sample = native.sampleToken.bind(native);
  let reorder: Promise<unknown> | undefined;
  let fresh = false;
  // The prototype's methods are read-only: shadow them with own properties.
  Object.defineProperty(native, 'decodeBatch', {
    value: async () => {
      await decode();
      fresh = true;
    },
  });
  Object.defineProperty(native, 'sampleToken', {
    value: (...args: unknown[]) => {
      if (fresh) {
        fresh = false;
        reorder = sample(...args);
        return reorder;
      }
      const first = reorder;
      if (!first) return sample(...args);
      const after = () => sample(...args);
      return first.then(after, after);
    },
  });
}

/**
 * node-llama-cpp's default "maximum parallelism" batching (every pending sequence gets an equal
 * share of the batch, leftovers go to the clipped ones), plus counting of each dispatched batch.
 */
function countingStrategy(stats: BatchStats) {
  return ({ items, size }: { items: readonly BatchItem[]; size: number }): PrioritizedBatchItem[] => {
    let left = size;
    const share = Math.max(1, Math.floor(size / Math.max(1, items.length)));
    const res: PrioritizedBatchItem[] = [];
    for (const item of items) {
      if (left === 0) break;
      const processAmount = Math.min(item.tokens.length, left, share);
      res.push({ item, processAmount });
      left -= processAmount;
    }
    for (const p of res) {
      if (left === 0) break;
      const more = Math.min(p.item.tokens.length - p.processAmount, left);
      p.processAmount += more;
      left -= more;
    }
    stats.batches++;
    stats.items += res.length;
    stats.maxItems = Math.max(stats.maxItems, res.length);
    return res;
  };
}

/** A LoRA adapter's `puyu.chat.use_default_system_prompt`, read from its GGUF header (undefined when absent). */
async function adapterUsesDefaultSystemPrompt(path: string): Promise<boolean | undefined> {
  const f = await GgufFile.open(path);
  try {
    return f.getBool(INTERNLM2_GGUF_KEYS.puyuUseDefaultSystemPrompt);
  } finally {
    await f.close();
  }
}
