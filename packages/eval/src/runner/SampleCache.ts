import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ProviderRequest, ProviderResult } from '@puyu/client';

/** The part of a successful provider result worth keeping. */
export type CachedResult = Pick<Extract<ProviderResult, { ok: true }>, 'texts' | 'logprob' | 'isGreedy' | 'usage'>;

/** JSON with object keys sorted and `undefined` dropped, so equal requests always hash equal. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * Cache-key rules (documented because users must be able to predict a hit):
 * the key is SHA-256 of the model name, the whole request (kind, prompt text or chat
 * messages, every sampling parameter including `seed`, `n`, `stop`, `max_tokens`) and a
 * `variant` tag (the provider's cache scope — its API route — and the self-consistency
 * draw index). It leaves out the endpoint URL,
 * API key, timeouts, retry and rate settings: replicas of one model share answers and
 * changing transport settings never invalidates work. Only successes are stored, so a
 * rerun asks again for every sample that failed.
 */
export function cacheKey(model: string, request: ProviderRequest, variant?: string | number): string {
  return createHash('sha256').update(canonicalJson({ model, request, variant })).digest('hex');
}

interface Line {
  k: string;
  r: CachedResult;
}

/**
 * A file-backed per-sample cache: one JSON line per answer, appended with a synchronous
 * write as soon as the answer arrives. A killed process therefore loses at most the line
 * being written, and a torn last line is skipped on load — the sample is asked again.
 * JSONL rather than SQLite keeps the package free of native modules, and the file is
 * readable with any tool.
 */
export class SampleCache {
  private readonly map = new Map<string, CachedResult>();
  private fd: number | undefined;
  /** Lines that could not be parsed on load (torn writes from a killed run). */
  readonly skippedLines: number;
  hits = 0;
  misses = 0;

  constructor(readonly path: string) {
    let skipped = 0;
    if (existsSync(path)) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          const l = JSON.parse(line) as Line;
          if (typeof l.k === 'string' && l.r) this.map.set(l.k, l.r);
          else skipped++;
        } catch {
          skipped++;
        }
      }
    }
    this.skippedLines = skipped;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): CachedResult | undefined {
    const r = this.map.get(key);
    if (r) this.hits++;
    else this.misses++;
    return r;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, result: CachedResult): void {
    if (this.map.has(key)) return;
    const r: CachedResult = { texts: result.texts, logprob: result.logprob, isGreedy: result.isGreedy, usage: result.usage };
    this.map.set(key, r);
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a');
      // A torn line from a killed run has no newline: start ours on a fresh line.
      if (this.skippedLines > 0) writeSync(this.fd, '\n');
    }
    writeSync(this.fd, `${JSON.stringify({ k: key, r } satisfies Line)}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
