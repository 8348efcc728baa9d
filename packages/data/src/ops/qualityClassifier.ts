import { readFile } from 'node:fs/promises';
import { DataError } from '../errors.js';
import type { Doc } from '../io/jsonlDocs.js';
import { hashNgrams, WordTokenizer } from '../text/wordTokens.js';
import type { Operator } from './Operator.js';

const DIM = 1 << 18;

/**
 * A small quality classifier: logistic regression on hashed word unigrams and bigrams (2^18
 * buckets, counts log-scaled and L2-normalised), trained by SGD on labelled good/bad examples —
 * the fastText-style classifier that LLaMA and the InternLM2 report describe, small enough to
 * train at pipeline start in well under a second on a few thousand examples.
 */
export class QualityClassifier {
  readonly w = new Float32Array(DIM);
  bias = 0;
  private readonly tok = new WordTokenizer();
  private readonly grams = { buf: new Uint32Array(1024) };
  private readonly idx: number[] = [];
  private readonly val: number[] = [];

  private features(text: string): void {
    this.idx.length = 0;
    this.val.length = 0;
    const m = this.tok.hash(text);
    const counts = new Map<number, number>();
    for (const n of [1, 2]) {
      const k = hashNgrams(this.tok.tokens, m, n, this.grams);
      for (let i = 0; i < k; i++) {
        const b = ((this.grams.buf[i] as number) ^ (n * 0x9e3779b1)) & (DIM - 1);
        counts.set(b, (counts.get(b) ?? 0) + 1);
      }
    }
    let norm = 0;
    for (const [b, c] of counts) {
      const v = Math.log1p(c);
      this.idx.push(b);
      this.val.push(v);
      norm += v * v;
    }
    const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < this.val.length; i++) (this.val[i] as number) *= s;
  }

  /** P(good | text). */
  score(text: string): number {
    this.features(text);
    let z = this.bias;
    for (let i = 0; i < this.idx.length; i++) z += (this.w[this.idx[i] as number] as number) * (this.val[i] as number);
    return 1 / (1 + Math.exp(-z));
  }

  train(good: string[], bad: string[], epochs = 8, lr = 0.5, seed = 1): void {
    if (good.length === 0 || bad.length === 0)
      throw new DataError(
        'DATA_CLASSIFIER_DATA',
        `the quality classifier needs good and bad examples (got ${good.length} good, ${bad.length} bad).`,
      );
    const data: [string, number][] = [...good.map((t) => [t, 1] as [string, number]), ...bad.map((t) => [t, 0] as [string, number])];
    // Class weights balance unequal example counts.
    const wGood = data.length / (2 * good.length);
    const wBad = data.length / (2 * bad.length);
    let s = seed >>> 0;
    for (let e = 0; e < epochs; e++) {
      for (let i = data.length - 1; i > 0; i--) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        const j = s % (i + 1);
        [data[i], data[j]] = [data[j] as [string, number], data[i] as [string, number]];
      }
      for (const [text, y] of data) {
        const p = this.score(text);
        const g = (p - y) * (y === 1 ? wGood : wBad) * (lr / (1 + e));
        this.bias -= g;
        for (let i = 0; i < this.idx.length; i++) {
          const b = this.idx[i] as number;
          this.w[b] = (this.w[b] as number) - g * (this.val[i] as number);
        }
      }
    }
  }
}

/** Lines of a text file, or the `text` field of each JSONL line. */
export async function readExamples(path: string): Promise<string[]> {
  const raw = await readFile(path, 'utf8');
  const lines = raw.split('\n').filter((l) => l.trim());
  if (/\.jsonl$/i.test(path))
    return lines.flatMap((l) => {
      try {
        const v = JSON.parse(l) as { text?: unknown };
        return typeof v.text === 'string' ? [v.text] : [];
      } catch {
        return [];
      }
    });
  return lines;
}

export interface QualityClassifierOptions {
  good: string[] | string;
  bad: string[] | string;
  /** Drop documents scoring below (default 0.5). */
  minScore?: number;
}

export async function qualityClassifierOperator(o: QualityClassifierOptions): Promise<Operator> {
  const good = typeof o.good === 'string' ? await readExamples(o.good) : o.good;
  const bad = typeof o.bad === 'string' ? await readExamples(o.bad) : o.bad;
  const clf = new QualityClassifier();
  clf.train(good, bad);
  const min = o.minScore ?? 0.5;
  return {
    name: 'quality_classifier',
    apply(doc: Doc) {
      const s = clf.score(doc.text);
      doc.meta.quality = Math.round(s * 1000) / 1000;
      return s < min ? 'low_quality_score' : null;
    },
  };
}
