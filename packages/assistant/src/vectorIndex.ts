/**
 * Dense vectors in usearch (Unum's single-file HNSW index, a maintained native binding with a
 * prebuilt linux-x64 addon in its npm package, so nothing compiles at install). Cosine metric;
 * scores are cosine similarities (1 − distance). Keys are the chunks' numeric keys; removed
 * chunks are removed from the index, so re-ingest keeps it in step. One thread: the machine is shared.
 */
import { existsSync } from 'node:fs';
import { Index, MetricKind, ScalarKind } from 'usearch';
import { AssistantError } from './errors.js';

export class VectorIndex {
  private readonly index: Index;
  constructor(readonly dimensions: number) {
    this.index = new Index({
      dimensions,
      metric: MetricKind.Cos,
      quantization: ScalarKind.F32,
      connectivity: 16,
      expansion_add: 128,
      expansion_search: 64,
      multi: false,
    });
  }

  static load(path: string, dimensions: number): VectorIndex {
    const v = new VectorIndex(dimensions);
    if (existsSync(path)) {
      try {
        v.index.load(path);
      } catch (e) {
        throw new AssistantError('ASSISTANT_KB_CORRUPT', `the vector index ${path} cannot be loaded; re-run ingest into a fresh --kb.`, {
          cause: e,
        });
      }
    }
    return v;
  }

  get size(): number {
    return this.index.size();
  }

  add(keys: number[], vectors: number[][]): void {
    if (!keys.length) return;
    const flat = new Float32Array(keys.length * this.dimensions);
    for (const [i, v] of vectors.entries()) flat.set(v, i * this.dimensions);
    this.index.add(BigUint64Array.from(keys.map(BigInt)), flat, 1);
  }

  remove(keys: number[]): void {
    for (const k of keys) if (this.index.contains(BigInt(k))) this.index.remove(BigInt(k));
  }

  search(vector: number[], k: number): { key: number; score: number }[] {
    if (!this.size) return [];
    const m = this.index.search(Float32Array.from(vector), Math.min(k, this.size), 1);
    return Array.from(m.keys, (key, i) => ({ key: Number(key), score: 1 - (m.distances[i] as number) }));
  }

  save(path: string): void {
    this.index.save(path);
  }
}
