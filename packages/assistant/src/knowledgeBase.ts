/**
 * A knowledge base opened for asking: `openKnowledgeBase(dir)` loads the chunks, BM25 and vector
 * index once, so a benchmark can ask hundreds of questions in one process with `kb.decide`.
 * The embedder and chat model come from the KB config unless given; both open lazily, so
 * `--retriever bm25 --retrieval-only` needs no endpoint at all.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openModel, type Provider } from '@puyu/client';
import { Progress } from '@puyu/core';
import type { Bm25Index } from './bm25.js';
import { fitThreshold } from './calibrate.js';
import { type Embedder, openEmbedder } from './embedder.js';
import { AssistantError } from './errors.js';
import { type IngestOptions, type IngestReport, ingestFolder } from './ingest.js';
import { type DecideOptions, type Decision, decide, type PipelineDeps } from './pipeline.js';
import type { Reranker } from './rerank.js';
import { endpointReranker, llmReranker } from './rerank.js';
import { type Retrieval, retrieve } from './retrieve.js';
import {
  type Calibration,
  defaultConfig,
  hasKb,
  type KbConfig,
  loadBm25,
  loadState,
  loadVectors,
  type RetrieverKind,
  type StoredChunk,
  saveConfig,
} from './store.js';
import type { VectorIndex } from './vectorIndex.js';

/** Used until `calibrate` has run, and reported as uncalibrated. */
export const DEFAULT_THRESHOLDS: Record<RetrieverKind, number> = { bm25: 0.3, dense: 0.5, hybrid: 0.4 };

export interface OpenKbOptions {
  /** Embedding endpoint (overrides the KB config; must give vectors of the same size). */
  embed?: string;
  /** Chat model for the LLM steps (overrides and is stored as the KB's `chat`). */
  model?: string;
  apiKey?: string;
  /** 'llm', or URL@model of a /rerank endpoint. */
  rerank?: string;
  /** Ask the chat model to score each answer's sensitivity as a last step (one more call per answer). */
  llmSecurity?: boolean;
  /** Append every decision with its log to KB/logs/decisions.jsonl (default true). */
  logDecisions?: boolean;
  /** Ready providers (tests, Studio): used instead of opening specs. */
  embedder?: Embedder;
  chat?: Provider;
}

export interface KbStats {
  files: number;
  chunks: number;
  vectors: number;
  embed?: string;
  chat?: string;
  thresholds: KbConfig['thresholds'];
  sources: { path: string; chunks: number; size: number }[];
}

export class KnowledgeBase {
  private embedder?: Embedder;
  private chatModel?: Provider;
  private readonly opened: { close(): Promise<void> }[] = [];

  private constructor(
    readonly dir: string,
    private config: KbConfig,
    private files: Record<string, { hash: string; size: number; chunkIds: string[] }>,
    private chunks: Map<string, StoredChunk>,
    private byKey: Map<number, StoredChunk>,
    private bm25: Bm25Index,
    private vectors: VectorIndex | undefined,
    private readonly opts: OpenKbOptions,
  ) {
    this.embedder = opts.embedder;
    this.chatModel = opts.chat;
  }

  static async open(dir: string, opts: OpenKbOptions = {}): Promise<KnowledgeBase> {
    const s = await loadState(dir);
    const byKey = new Map([...s.chunks.values()].map((c) => [c.key, c]));
    return new KnowledgeBase(dir, s.config, s.files, s.chunks, byKey, await loadBm25(dir), loadVectors(dir, s.config), opts);
  }

  get defaultRetriever(): RetrieverKind {
    return this.vectors?.size ? 'hybrid' : 'bm25';
  }

  stats(): KbStats {
    return {
      files: Object.keys(this.files).length,
      chunks: this.chunks.size,
      vectors: this.vectors?.size ?? 0,
      embed: this.config.embed?.spec,
      chat: this.opts.model ?? this.config.chat,
      thresholds: this.config.thresholds,
      sources: Object.entries(this.files).map(([path, f]) => ({ path, chunks: f.chunkIds.length, size: f.size })),
    };
  }

  private async embedderFor(): Promise<Embedder> {
    const spec = this.opts.embed ?? this.config.embed?.spec;
    if (!this.vectors?.size || !spec)
      throw new AssistantError(
        'ASSISTANT_NO_VECTORS',
        `${this.dir} has no dense vectors; re-run ingest with --embed URL@model, or use --retriever bm25.`,
      );
    if (!this.embedder) {
      this.embedder = await openEmbedder(spec, { apiKey: this.opts.apiKey });
      this.opened.push(this.embedder);
    }
    return this.embedder;
  }

  private async chat(): Promise<Provider> {
    if (this.chatModel) return this.chatModel;
    const spec = this.opts.model ?? this.config.chat;
    if (!spec)
      throw new AssistantError(
        'ASSISTANT_NO_MODEL',
        'the full pipeline needs a chat model: pass --model URL@model, or use --retrieval-only.',
      );
    const m = await openModel({ spec, apiKey: this.opts.apiKey, timeoutMs: 300_000 });
    this.chatModel = m.provider;
    this.opened.push({ close: async () => m.provider.close?.() });
    return m.provider;
  }

  async retrieve(question: string, retriever: RetrieverKind = this.defaultRetriever, k = 8): Promise<Retrieval> {
    const embedder = retriever === 'bm25' ? undefined : await this.embedderFor();
    return retrieve(
      {
        chunks: this.chunks,
        byKey: this.byKey,
        bm25: this.bm25,
        vectors: this.vectors,
        embedQuery: embedder ? (q) => this.embedQuery(embedder, q) : undefined,
      },
      question,
      retriever,
      k,
    );
  }

  // Calibration scores each question with dense and hybrid: the second needs no second request.
  private readonly queryVectors = new Map<string, number[]>();
  private async embedQuery(embedder: Embedder, q: string): Promise<number[]> {
    const hit = this.queryVectors.get(q);
    if (hit) return hit;
    const v = (await embedder.embed([q]))[0] as number[];
    if (this.queryVectors.size >= 2000) this.queryVectors.delete(this.queryVectors.keys().next().value as string);
    this.queryVectors.set(q, v);
    return v;
  }

  /** The relevance score alone (what calibrate fits the threshold on). */
  async scoreQuestion(question: string, retriever: RetrieverKind = this.defaultRetriever): Promise<number> {
    return (await this.retrieve(question, retriever, 1)).score;
  }

  threshold(retriever: RetrieverKind): { value: number; calibrated: boolean } {
    const c = this.config.thresholds[retriever];
    return c ? { value: c.threshold, calibrated: true } : { value: DEFAULT_THRESHOLDS[retriever], calibrated: false };
  }

  async decide(question: string, opts: DecideOptions = {}): Promise<Decision> {
    const chat = opts.retrievalOnly ? undefined : await this.chat();
    let reranker: Reranker | undefined;
    if (chat && this.opts.rerank) {
      const [url, model] = this.opts.rerank.split('@');
      reranker = this.opts.rerank === 'llm' ? llmReranker(chat) : endpointReranker(url as string, model ?? 'rerank', this.opts.apiKey);
    }
    const deps: PipelineDeps = {
      retrieve: (q, r, k) => this.retrieve(q, r, k),
      threshold: (r) => this.threshold(r),
      defaultRetriever: this.defaultRetriever,
      chat,
      reranker,
      llmSecurity: this.opts.llmSecurity,
    };
    const d = await decide(deps, question, opts);
    if (this.opts.logDecisions !== false) {
      await mkdir(join(this.dir, 'logs'), { recursive: true });
      await appendFile(
        join(this.dir, 'logs', 'decisions.jsonl'),
        `${JSON.stringify({ at: new Date().toISOString(), ...d, citations: d.citations?.map(({ text: _t, ...c }) => c) })}\n`,
      );
    }
    return d;
  }

  /** Fits and stores the threshold of each retriever on good/bad questions. */
  async calibrate(
    good: string[],
    bad: string[],
    retrievers?: RetrieverKind[],
    opts: { quiet?: boolean } = {},
  ): Promise<Partial<Record<RetrieverKind, Calibration>>> {
    const kinds = retrievers ?? (this.vectors?.size ? (['bm25', 'dense', 'hybrid'] as const) : (['bm25'] as const));
    const out: Partial<Record<RetrieverKind, Calibration>> = {};
    const progress = new Progress({ total: kinds.length * (good.length + bad.length), label: 'calibrate', unit: 'q', silent: opts.quiet });
    for (const kind of kinds) {
      const g: number[] = [];
      const b: number[] = [];
      for (const [list, into] of [
        [good, g],
        [bad, b],
      ] as const) {
        for (const q of list) {
          into.push(await this.scoreQuestion(q, kind));
          progress.tick(1, kind);
        }
      }
      out[kind] = fitThreshold(g, b);
    }
    progress.finish();
    this.config = { ...this.config, thresholds: { ...this.config.thresholds, ...out } };
    await saveConfig(this.dir, this.config);
    return out;
  }

  /** Stores the chat model spec in the KB config. */
  async setChatModel(spec: string): Promise<void> {
    this.config = { ...this.config, chat: spec };
    await saveConfig(this.dir, this.config);
  }

  /** Ingests a folder into this KB and reloads. */
  async ingest(folder: string, opts: IngestOptions = {}): Promise<IngestReport> {
    const report = await ingestFolder(folder, this.dir, { embedder: this.opts.embedder, ...opts });
    const s = await loadState(this.dir);
    this.config = s.config;
    this.files = s.files;
    this.chunks = s.chunks;
    this.byKey = new Map([...s.chunks.values()].map((c) => [c.key, c]));
    this.bm25 = await loadBm25(this.dir);
    this.vectors = loadVectors(this.dir, s.config);
    return report;
  }

  async close(): Promise<void> {
    for (const o of this.opened.splice(0)) await o.close();
  }
}

/** Makes an empty KB (config.json only) that remembers its embedder and chat model; opens it if it exists. */
export async function createKnowledgeBase(
  dir: string,
  settings: { embed?: string; chat?: string } = {},
  opts: OpenKbOptions = {},
): Promise<KnowledgeBase> {
  if (!hasKb(dir))
    await saveConfig(dir, {
      ...defaultConfig(),
      ...(settings.embed ? { embed: { spec: settings.embed, dimensions: 0 } } : {}),
      ...(settings.chat ? { chat: settings.chat } : {}),
    });
  return KnowledgeBase.open(dir, opts);
}

export function openKnowledgeBase(dir: string, opts: OpenKbOptions = {}): Promise<KnowledgeBase> {
  return KnowledgeBase.open(dir, opts);
}
