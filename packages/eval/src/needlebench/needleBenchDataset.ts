import type { DatasetDef, EvalResult, EvalSample, Evaluator, Prediction, PromptTemplate, ScoredSample } from '../types.js';
import { insertionPoint, loadHaystack, type NeedleLanguage } from './haystack.js';
import { needleReportArtifacts } from './needleHeatmap.js';
import { multiNeedleScore, singleNeedleScore } from './needleScore.js';
import { multiNeedle, type Needle, singleNeedle } from './needles.js';
import { approxTokenCount, seededRandom, shuffled, type TokenCounter, truncateToTokens } from './tokens.js';

export interface NeedleBenchOptions {
  /** Haystack per language: a folder of .txt essays or a file of blank-line-separated texts. */
  haystacks: Partial<Record<NeedleLanguage, string>>;
  /** Whole-prompt lengths in tokens (context + needles + instructions). */
  lengths: number[];
  /** Needle depths in percent of the context (0 = start, 100 = end). */
  depths: number[];
  kinds?: ('single' | 'multi')[];
  /** Needles in a multi-needle chain (default 3). */
  hops?: number;
  /** Distance between consecutive multi needles, percent of the context (OpenCompass's `diff`, default 10). */
  diff?: number;
  /** Samples per grid cell, each with its own needle and haystack order (default 1). */
  repeats?: number;
  /** Tokens kept free below each length (tokenizer mismatch, answer room; default 0). */
  lengthBuffer?: number;
  /** Token counter; default `approxTokenCount` (a calibrated character estimate). */
  countTokens?: TokenCounter;
  seed?: number;
}

const FRAME: Record<NeedleLanguage, (context: string, question: string) => string> = {
  en: (c, q) =>
    `You are a careful assistant. Read the document below and answer the question after it. Keep the answer short and do not repeat yourself.\n\nDocument:\n${c}\n\nQuestion: ${q}`,
  zh: (c, q) => `你是一个细心的助手。请阅读下面的文档，并回答文档后面的问题。回答要简短，不要重复。\n\n文档：\n${c}\n\n问题：${q}`,
};

/** Builds one prompt: haystack cut to the token budget, needles inserted at `depth` (and every `diff`% after it). */
export function buildNeedlePrompt(
  docs: readonly string[],
  needle: Needle,
  language: NeedleLanguage,
  length: number,
  depth: number,
  opts: { diff: number; lengthBuffer: number; countTokens: TokenCounter },
): string {
  const count = opts.countTokens;
  const fixed = count(FRAME[language]('', needle.question)) + needle.needles.reduce((n, s) => n + count(`\n${s}\n`), 0);
  const budget = Math.max(0, length - opts.lengthBuffer - fixed);
  // Gather just enough documents (counting as we go), then cut to the exact budget.
  const parts: string[] = [];
  let have = 0;
  for (let i = 0; have < budget && docs.length > 0; i++) {
    const d = docs[i % docs.length];
    parts.push(d);
    have += count(d) + 1;
  }
  let context = truncateToTokens(parts.join('\n\n'), budget, count);
  // Needle i sits at depth + i·diff percent of the original context; inserting from the last
  // one backwards keeps the earlier insertion points valid.
  const points = needle.needles.map((_, i) => insertionPoint(context, Math.min(100, depth + i * opts.diff)));
  for (let i = needle.needles.length - 1; i >= 0; i--) {
    context = `${context.slice(0, points[i])}\n${needle.needles[i]}\n${context.slice(points[i])}`;
  }
  return FRAME[language](context, needle.question);
}

const template: PromptTemplate = {
  id: 'needlebench-v1',
  render: ({ sample, style }) =>
    style === 'chat'
      ? { style: 'chat', messages: [{ role: 'user', content: sample.question }] }
      : { style: 'base', text: `${sample.question}\n${sample.meta.language === 'zh' ? '回答：' : 'Answer:'}` },
  maxTokens: 128,
};

/** Scores NeedleBench predictions with OpenCompass's rules (Levenshtein + keyword for single, keyword share for multi). */
export const needleBenchEvaluator: Evaluator = {
  name: 'needlebench',
  async score(samples: readonly EvalSample[], predictions: readonly Prediction[]): Promise<EvalResult> {
    const byId = new Map(predictions.map((p) => [p.id, p]));
    const scored: ScoredSample[] = samples.map((s) => {
      const output = byId.get(s.id)?.output ?? '';
      const keyword = String(s.meta.keyword);
      const r =
        s.meta.kind === 'multi'
          ? { ...multiNeedleScore(output, keyword) }
          : { ...singleNeedleScore(output, String(s.meta.reference), keyword) };
      return {
        id: s.id,
        gold: s.gold,
        output,
        extracted: output.toLowerCase().includes(keyword.toLowerCase()) ? keyword : null,
        correct: r.score === 100,
        score: r.score / 100,
        detail: { ...r, language: s.meta.language, kind: s.meta.kind, length: s.meta.length, depth: s.meta.depth },
      };
    });
    const mean = (xs: ScoredSample[]) => (xs.length ? (100 * xs.reduce((a, x) => a + x.score, 0)) / xs.length : 0);
    const metrics: Record<string, number> = { score: mean(scored) };
    for (const s of samples) {
      const key = `${s.meta.kind}-${s.meta.language}`;
      if (!(key in metrics)) metrics[key] = mean(scored.filter((_, i) => `${samples[i].meta.kind}-${samples[i].meta.language}` === key));
    }
    return { dataset: 'needlebench', evaluator: 'needlebench', metrics, samples: scored };
  },
};

/** NeedleBench as a dataset: one sample per language × kind × length × depth × repeat, deterministic for a seed. */
export function needleBenchDataset(opts: NeedleBenchOptions): DatasetDef {
  const languages = (Object.keys(opts.haystacks) as NeedleLanguage[]).filter((l) => opts.haystacks[l]);
  return {
    name: 'needlebench',
    kind: 'gen',
    description: 'NeedleBench: needle retrieval and multi-needle reasoning over a length × depth grid',
    dirName: 'needlebench',
    howToObtain: 'Generated from the haystack texts you pass (essays folder, Chinese text file).',
    template,
    fewShot: { retriever: 'zero', k: 0 },
    evaluator: () => needleBenchEvaluator,
    reportArtifacts: needleReportArtifacts,
    async load(load) {
      const countTokens = opts.countTokens ?? approxTokenCount;
      const out: EvalSample[] = [];
      for (const language of languages) {
        const docs = loadHaystack(opts.haystacks[language]!);
        for (const kind of opts.kinds ?? ['single']) {
          for (const length of opts.lengths) {
            for (const depth of opts.depths) {
              for (let r = 0; r < (opts.repeats ?? 1); r++) {
                const random = seededRandom((opts.seed ?? 0) * 1_000_003 + r * 7919 + length * 31 + depth + (kind === 'multi' ? 17 : 0));
                const needle = kind === 'multi' ? multiNeedle(language, opts.hops ?? 3, random) : singleNeedle(language, random);
                const prompt = buildNeedlePrompt(shuffled(docs, seededRandom((opts.seed ?? 0) + r)), needle, language, length, depth, {
                  diff: opts.diff ?? 10,
                  lengthBuffer: opts.lengthBuffer ?? 0,
                  countTokens,
                });
                out.push({
                  id: `needlebench/${language}/${kind}/${length}/${depth}/${r}`,
                  dataset: 'needlebench',
                  subset: `${kind}-${language}`,
                  question: prompt,
                  gold: needle.reference,
                  meta: {
                    language,
                    kind,
                    length,
                    depth,
                    repeat: r,
                    keyword: needle.keyword,
                    reference: needle.reference,
                    needles: needle.needles,
                    promptTokens: countTokens(prompt),
                  },
                });
              }
            }
          }
        }
      }
      return load.limit ? out.slice(0, load.limit) : out;
    },
  };
}
