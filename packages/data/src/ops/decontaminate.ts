import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import type { Doc } from '../io/jsonlDocs.js';
import { parseCsv } from '../text/csv.js';
import { fmix32, WordTokenizer } from '../text/wordTokens.js';
import type { Operator } from './Operator.js';

export interface DecontaminateOptions {
  /** Benchmark files or folders (JSONL, CSV; a folder is read recursively). */
  benchmarks: string[];
  /** Fields of JSONL rows to index (default: every string field); CSV: every column but the last (the answer). */
  fields?: string[];
  /** Words per n-gram (default 13, as GPT-3's contamination study). */
  ngram?: number;
  /** Benchmark items shorter than `ngram` words are matched whole when they have at least this many (default 8). */
  minWords?: number;
  /** N-gram hits that drop a document (default 1). */
  minHits?: number;
}

/** Two independent 32-bit hashes of tokens[i..i+n) folded into a 53-bit key: no false hits at a million n-grams. */
function ngramKey(t: Uint32Array, i: number, n: number): number {
  let h1 = 0x3c6ef372 ^ n;
  let h2 = 0xa54ff53a ^ n;
  for (let k = i; k < i + n; k++) {
    const v = t[k] as number;
    h1 = (Math.imul(h1 ^ v, 0x01000193) + 0x7f4a7c15) | 0;
    h2 = Math.imul((h2 << 5) | (h2 >>> 27), 0x9e3779b1) ^ fmix32(v);
  }
  return fmix32(h1) * 0x200000 + (fmix32(h2) & 0x1fffff);
}

/** Texts of benchmark items: JSONL string fields or CSV columns. */
export async function benchmarkTexts(paths: string[], fields?: string[]): Promise<string[]> {
  const out: string[] = [];
  const visit = async (p: string): Promise<void> => {
    const s = await stat(p).catch(() => undefined);
    if (!s)
      throw new DataError(
        'DATA_BAD_BENCHMARK',
        `${p} does not exist: point decontaminate.benchmarks at GSM8K/MMLU-style files or folders.`,
      );
    if (s.isDirectory()) {
      for (const e of (await readdir(p)).sort()) await visit(join(p, e));
      return;
    }
    const text = await readFile(p, 'utf8');
    if (/\.jsonl?$/i.test(p)) {
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        let row: Record<string, unknown>;
        try {
          row = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        for (const [k, v] of Object.entries(row)) if (typeof v === 'string' && (!fields || fields.includes(k))) out.push(v);
      }
    } else if (/\.csv$/i.test(p)) {
      const rows = parseCsv(text);
      const header = rows[0] ?? [];
      const hasHeader = header.includes('question');
      for (const r of hasHeader ? rows.slice(1) : rows) {
        const cols = fields && hasHeader ? fields.map((f) => r[header.indexOf(f)] ?? '') : r.slice(0, -1);
        out.push(...cols.filter(Boolean));
      }
    }
  };
  for (const p of paths) await visit(p);
  return out;
}

/**
 * Drops documents that share a word n-gram (default 13-gram) with a benchmark item, the check
 * GPT-3 and the InternLM2 report used against test-set leakage. Short items are matched whole.
 */
export async function decontaminateOperator(o: DecontaminateOptions): Promise<Operator> {
  const n = o.ngram ?? 13;
  const minWords = o.minWords ?? 8;
  const minHits = o.minHits ?? 1;
  const tok = new WordTokenizer();
  const index = new Map<number, Set<number>>();
  const add = (len: number, key: number) => {
    const s = index.get(len) ?? new Set<number>();
    index.set(len, s);
    s.add(key);
  };
  const texts = await benchmarkTexts(o.benchmarks, o.fields);
  if (texts.length === 0) throw new DataError('DATA_BAD_BENCHMARK', `no benchmark text found in ${o.benchmarks.join(', ')}.`);
  for (const t of texts) {
    const m = tok.hash(t);
    if (m >= n) for (let i = 0; i + n <= m; i++) add(n, ngramKey(tok.tokens, i, n));
    else if (m >= minWords) add(m, ngramKey(tok.tokens, 0, m));
  }
  const lengths = [...index.keys()];
  return {
    name: 'decontaminate',
    apply(doc: Doc) {
      const m = tok.hash(doc.text);
      let hits = 0;
      for (const len of lengths) {
        const set = index.get(len) as Set<number>;
        for (let i = 0; i + len <= m; i++) if (set.has(ngramKey(tok.tokens, i, len)) && ++hits >= minHits) return 'benchmark_overlap';
      }
      return null;
    },
  };
}
