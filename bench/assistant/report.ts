/** The bench's result shape and its two renderings: the console table and results/latest.md. */
import type { RetrieverKind } from '@puyu/assistant';
import type { Prf } from './metrics.js';

export interface RetrieverResult {
  retriever: RetrieverKind;
  /** TEST set, the package's default (uncalibrated) threshold */
  before: Prf & { threshold: number };
  /** TEST set, the threshold `calibrate` fitted on the CALIBRATION set (calibrationF1: its F1 there) */
  after: Prf & { threshold: number; calibrationF1: number };
  afterByLang: Record<string, Prf>;
  /** unrelated TEST questions answered after calibration, by topic */
  falseAnswerByTopic: Record<string, { answered: number; n: number }>;
  /** ROC AUC of the relevance score on the test set: 0.5 = no signal */
  auc: number;
  medianScore: { related: number; unrelated: number };
  /** over every related question: the top chunk holds the quote; one of the top k does; the top chunk is from the right file */
  citation: { top1Quote: number; topKQuote: number; top1File: number; n: number };
  msPerQuestion: number;
}

export interface BenchSummary {
  at: string;
  machine: { cpu: string; cores: number; loadBefore: number[]; loadAfter: number[] };
  positive: string;
  corpus: { files: number; chunks: number; vectors: number; ingestSeconds: number; quotesInsideOneChunk: number };
  questions: { related: number; unrelated: number; calibration: number; test: number };
  embeddings?: { spec: string; model?: string };
  /** F1 of answering everything on the test set: the floor a useful threshold must beat */
  answerAllF1: number;
  /** asked with a chunk's own text, the share of probe chunks a retriever ranks first (a pipeline sanity check) */
  selfRetrievalAt1: Partial<Record<RetrieverKind, number>> & { n: number };
  /** `puyu assistant ask --json --retrieval-only` against kb.decide on a few questions */
  cliAgreement: { agree: number; n: number; mismatches: string[] };
  k: number;
  skipped: Record<string, string>;
  results: RetrieverResult[];
}

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

function rows(s: BenchSummary): string[][] {
  return s.results.map((r) => [
    r.retriever,
    f(r.before.threshold),
    f(r.before.precision),
    f(r.before.recall),
    f(r.before.f1),
    f(r.before.rejectF1),
    f(r.after.threshold),
    f(r.after.precision),
    f(r.after.recall),
    f(r.after.f1),
    f(r.after.rejectF1),
    `${f(r.afterByLang.en?.f1 ?? Number.NaN)} / ${f(r.afterByLang.zh?.f1 ?? Number.NaN)}`,
    f(r.auc),
    f(r.citation.top1Quote),
    f(r.citation.topKQuote),
    f(r.citation.top1File),
  ]);
}

function header(k: number): string[] {
  return [
    'retriever',
    'thr (default)',
    'P',
    'R',
    'F1',
    'reject-F1',
    'thr (calibrated)',
    'P',
    'R',
    'F1',
    'reject-F1',
    'F1 en / zh',
    'AUC',
    'cite@1',
    `cite@${k}`,
    'file@1',
  ];
}

/** Rows: topic; columns: retrievers; cells: unrelated test questions answered after calibration. */
function topicRows(s: BenchSummary): string[][] {
  const topics = [...new Set(s.results.flatMap((r) => Object.keys(r.falseAnswerByTopic)))].sort();
  return topics.map((t) => [
    t,
    ...s.results.map((r) => {
      const c = r.falseAnswerByTopic[t];
      return c ? `${c.answered}/${c.n}` : '-';
    }),
  ]);
}

function selfRetrievalLine(s: BenchSummary): string {
  const { n, ...by } = s.selfRetrievalAt1;
  const parts = Object.entries(by).map(([r, v]) => `${r} ${f(v as number, 2)}`);
  return `self-retrieval@1 (query = a chunk's own text, ${n} chunks; a broken index scores ~0, a working one ~1): ${parts.join(', ')}`;
}

export function formatTable(s: BenchSummary): string {
  const head = header(s.k);
  const body = rows(s);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  const out = [
    `TEST set (${s.questions.test} questions): before = package default threshold, after = calibrated on the disjoint calibration set (${s.questions.calibration})`,
    line(head),
    ...body.map(line),
    `answer-everything F1 on the test set: ${f(s.answerAllF1)} (the floor)`,
  ];
  for (const r of s.results)
    out.push(
      `${r.retriever}: median score related ${f(r.medianScore.related)} vs unrelated ${f(r.medianScore.unrelated)}; ` +
        `calibration-set F1 ${f(r.after.calibrationF1)}; ${r.msPerQuestion.toFixed(1)} ms per call`,
    );
  out.push(selfRetrievalLine(s));
  out.push('unrelated test questions answered after calibration, by topic:');
  for (const row of [['topic', ...s.results.map((r) => r.retriever)], ...topicRows(s)])
    out.push(`  ${row.map((c) => c.padEnd(15)).join('')}`);
  for (const [r, why] of Object.entries(s.skipped)) out.push(`${r}: skipped — ${why}`);
  return out.join('\n');
}

export function formatMarkdown(s: BenchSummary): string {
  const head = header(s.k);
  const md = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const lines = [
    '# Assistant rejection benchmark — latest run',
    '',
    `Run ${s.at} on ${s.machine.cpu} × ${s.machine.cores}, load average ${s.machine.loadBefore.map((l) => l.toFixed(2)).join(' ')} before and ` +
      `${s.machine.loadAfter.map((l) => l.toFixed(2)).join(' ')} after (a shared machine: the figures below do not depend on load, the ms do).`,
    '',
    `Corpus: ${s.corpus.files} files, ${s.corpus.chunks} chunks, ${s.corpus.vectors} vectors (ingest ${s.corpus.ingestSeconds.toFixed(1)} s). ` +
      `Questions: ${s.questions.related} related + ${s.questions.unrelated} unrelated; calibration ${s.questions.calibration}, test ${s.questions.test}. ` +
      `Embeddings: ${s.embeddings ? `${s.embeddings.model ?? ''} via ${s.embeddings.spec}` : 'none'}.`,
    '',
    `Positive class: ${s.positive}. Columns 2–6: the test set with the package's default threshold; 7–11: with the threshold ` +
      `\`calibrate\` fitted on the calibration set; F1 en / zh after calibration; AUC of the score (0.5 = no signal); ` +
      `cite@1 / cite@${s.k}: the top / one of the top ${s.k} chunks holds the labelled quote (all ${s.results[0]?.citation.n ?? 0} related questions; ` +
      `${s.corpus.quotesInsideOneChunk} quotes lie inside one chunk, the ceiling); file@1: the top chunk is from the labelled file.`,
    '',
    md(head),
    md(head.map(() => '---')),
    ...rows(s).map(md),
    '',
    `Answer-everything F1 on the test set: ${f(s.answerAllF1)}.`,
    '',
    ...s.results.map(
      (r) =>
        `- ${r.retriever}: median score related ${f(r.medianScore.related)} vs unrelated ${f(r.medianScore.unrelated)}; calibration-set F1 ${f(r.after.calibrationF1)}; ${r.msPerQuestion.toFixed(1)} ms per call.`,
    ),
    `- ${selfRetrievalLine(s)}`,
    `- \`puyu assistant ask --json --retrieval-only\` printed the decision and score of \`kb.decide\` for ${s.cliAgreement.agree}/${s.cliAgreement.n} (question, retriever) pairs.`,
    '',
    'Unrelated test questions answered after calibration (false answers), by topic:',
    '',
    md(['topic', ...s.results.map((r) => r.retriever)]),
    md(['---', ...s.results.map(() => '---')]),
    ...topicRows(s).map(md),
    ...Object.entries(s.skipped).map(([r, why]) => `- ${r}: skipped — ${why}`),
    '',
  ];
  return lines.join('\n');
}
