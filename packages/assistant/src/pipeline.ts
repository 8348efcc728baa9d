/**
 * The decision pipeline (HuixiangDou's worker, with its refusal rules made explicit). Steps, each
 * logged with its score and threshold:
 *   1. preprocess   — empty or overlong input is refused / cut;
 *   2. is_question  — LLM 0–10 score ≥ 5 (skipped with --retrieval-only: benchmark input is questions);
 *   3. coreference  — with history, the LLM rewrites the question standalone;
 *   4. retrieval    — the relevance score against the calibrated threshold (the only step with --retrieval-only);
 *   5. rerank       — optional, reorders the passages;
 *   6. relevance    — LLM 0–10 score of the passages for the question ≥ 4;
 *   7. answer       — with numbered citations, or NO_ANSWER → refusal;
 *   8. security     — the output filter (security.ts).
 * A refusal always says which step refused and why, with the numbers.
 */
import type { ChatMessage, Provider } from '@puyu/client';
import * as P from './prompts.js';
import type { Reranker } from './rerank.js';
import type { Hit, Retrieval } from './retrieve.js';
import { securityCheck } from './security.js';
import type { RetrieverKind } from './store.js';

export interface HistoryTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface DecideOptions {
  retrievalOnly?: boolean;
  retriever?: RetrieverKind;
  history?: HistoryTurn[];
  /** Passages given to the LLM (default 4). */
  k?: number;
}

export interface LogEntry {
  step: string;
  passed: boolean;
  score?: number;
  threshold?: number;
  detail?: string;
  /** A coded condition worth acting on, e.g. ASSISTANT_NOT_CALIBRATED (returned as data). */
  code?: string;
  ms: number;
}

export interface Citation {
  n: number;
  id: string;
  source: string;
  headings: string[];
  start: number;
  end: number;
  page?: number;
  score: number;
  bm25?: number;
  dense?: number;
  /** The passage contains instruction-like text (quoted, never obeyed). */
  injection?: boolean;
  text: string;
}

export interface Decision {
  decision: 'answer' | 'reject';
  score: number;
  threshold: number;
  calibrated: boolean;
  retriever: RetrieverKind;
  reason: string;
  question: string;
  rewritten?: string;
  answer?: string;
  citations?: Citation[];
  log: LogEntry[];
}

export interface PipelineDeps {
  retrieve(question: string, retriever: RetrieverKind, k: number): Promise<Retrieval>;
  threshold(retriever: RetrieverKind): { value: number; calibrated: boolean };
  defaultRetriever: RetrieverKind;
  chat?: Provider;
  reranker?: Reranker;
  /** Also ask the chat model to score the answer's sensitivity (HuixiangDou's check); refuse at ≥ 6. */
  llmSecurity?: boolean;
}

const MAX_QUESTION_CHARS = 2000;

export function citation(h: Hit, n: number): Citation {
  const c = h.chunk;
  return {
    n,
    id: c.id,
    source: c.source,
    headings: c.headings,
    start: c.start,
    end: c.end,
    ...(c.page !== undefined ? { page: c.page } : {}),
    score: h.score,
    ...(h.bm25 !== undefined ? { bm25: h.bm25 } : {}),
    ...(h.dense !== undefined ? { dense: h.dense } : {}),
    ...(c.injection ? { injection: true } : {}),
    text: c.text,
  };
}

async function ask(chat: Provider, messages: ChatMessage[], maxTokens: number): Promise<{ text: string; error?: string }> {
  const r = await chat.call({ kind: 'chat', messages, params: { maxTokens, temperature: 0 } });
  return r.ok ? { text: r.texts[0] ?? '' } : { text: '', error: `[${r.error.code}] ${r.error.message}` };
}

export async function decide(deps: PipelineDeps, rawQuestion: string, opts: DecideOptions = {}): Promise<Decision> {
  const retriever = opts.retriever ?? deps.defaultRetriever;
  const { value: threshold, calibrated } = deps.threshold(retriever);
  const log: LogEntry[] = [];
  const base = { threshold, calibrated, retriever, question: rawQuestion, log };
  const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    const t0 = performance.now();
    const v = await fn();
    return [v, Math.round(performance.now() - t0)];
  };
  const reject = (score: number, reason: string, extra: Partial<Decision> = {}): Decision => ({
    ...base,
    ...extra,
    decision: 'reject',
    score,
    reason,
  });

  // 1. preprocess
  let question = rawQuestion.replace(/\s+/g, ' ').trim();
  if (!question) {
    log.push({ step: 'preprocess', passed: false, detail: 'empty', ms: 0 });
    return reject(0, 'refused: the message is empty');
  }
  if (question.length > MAX_QUESTION_CHARS) question = question.slice(0, MAX_QUESTION_CHARS);
  log.push({ step: 'preprocess', passed: true, detail: `${question.length} chars`, ms: 0 });
  const chat = opts.retrievalOnly ? undefined : deps.chat;

  // 2. is it a question?
  if (chat) {
    const [r, ms] = await timed(() => ask(chat, P.isQuestionPrompt(question), 8));
    const s = P.parseScore(r.text);
    const passed = s === undefined || s >= 5;
    log.push({
      step: 'is_question',
      passed,
      score: s,
      threshold: 5,
      detail: r.error ?? (s === undefined ? `no score in reply ${JSON.stringify(r.text.slice(0, 80))}: passed` : undefined),
      ms,
    });
    if (!passed) return reject(0, `refused: this does not read as a question (LLM score ${s}/10 < 5)`);
  }

  // 3. coreference with recent history
  let rewritten: string | undefined;
  if (chat && opts.history?.length) {
    const [r, ms] = await timed(() => ask(chat, P.corefPrompt(question, opts.history?.slice(-6) ?? []), 96));
    const text = r.text.trim().split('\n')[0]?.trim() ?? '';
    // A rewrite that is empty or wildly long is the model failing, not a better question.
    // A rewrite carrying chat-template tokens is the model emitting a tool call or template, not a question.
    if (text && !/<\|[^|]*\|>/.test(text) && text.length <= question.length * 4 + 200 && text !== question) rewritten = text;
    log.push({ step: 'coreference', passed: true, detail: r.error ?? (rewritten ? `rewritten: ${rewritten}` : 'unchanged'), ms });
  }
  const q = rewritten ?? question;

  // 4. retrieval score vs the calibrated threshold
  const k = opts.k ?? 4;
  const [found, rms] = await timed(() => deps.retrieve(q, retriever, Math.max(k, 8)));
  const score = found.score;
  const scoreDetail = [
    found.bm25Top !== undefined ? `bm25 ${found.bm25Top.toFixed(3)}` : '',
    found.denseTop !== undefined ? `dense ${found.denseTop.toFixed(3)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const passedRetrieval = score >= threshold && found.hits.length > 0;
  log.push({
    step: 'retrieval',
    passed: passedRetrieval,
    score,
    threshold,
    detail: `${retriever}${scoreDetail ? ` (${scoreDetail})` : ''}${calibrated ? '' : ', threshold not calibrated (default)'}`,
    ...(calibrated ? {} : { code: 'ASSISTANT_NOT_CALIBRATED' }),
    ms: rms,
  });
  const extra = rewritten ? { rewritten } : {};
  if (!passedRetrieval)
    return reject(
      score,
      `refused: nothing in the knowledge base is close enough (${retriever} relevance ${score.toFixed(3)} < threshold ${threshold.toFixed(3)})`,
      extra,
    );

  let hits = found.hits;
  if (!chat) {
    // Without an LLM to pick, cite the best hit and the others that clear the threshold on their own.
    const own = (h: Hit) =>
      retriever === 'bm25' ? (h.bm25 ?? 0) : retriever === 'dense' ? (h.dense ?? 0) : ((h.bm25 ?? 0) + (h.dense ?? 0)) / 2;
    const cited = hits.slice(0, k).filter((h, i) => i === 0 || own(h) >= threshold);
    const citations = cited.map((h, i) => citation(h, i + 1));
    return {
      ...base,
      ...extra,
      decision: 'answer',
      score,
      reason: `retrieval relevance ${score.toFixed(3)} ≥ threshold ${threshold.toFixed(3)} (${retriever})`,
      citations,
    };
  }

  // 5. optional rerank
  if (deps.reranker) {
    const [ranked, ms] = await timed(() => (deps.reranker as Reranker).rerank(q, hits));
    hits = ranked;
    log.push({ step: 'rerank', passed: true, detail: deps.reranker.id, score: hits[0]?.score, ms });
  }
  hits = hits.slice(0, k);

  // 6. LLM relevance check
  {
    const [r, ms] = await timed(() => ask(chat, P.relevancePrompt(q, hits), 8));
    const s = P.parseScore(r.text);
    const passed = s === undefined || s >= 4;
    log.push({
      step: 'relevance',
      passed,
      score: s,
      threshold: 4,
      detail: r.error ?? (s === undefined ? 'no score in reply: passed on retrieval' : undefined),
      ms,
    });
    if (!passed) return reject(score, `refused: the passages found do not answer this (LLM relevance ${s}/10 < 4)`, extra);
  }

  // 7. answer with numbered citations
  const messages = P.answerPrompt(q, hits);
  const [r, ams] = await timed(() => ask(chat, messages, 512));
  const answer = r.text.trim();
  if (r.error || !answer || answer.includes(P.NO_ANSWER)) {
    log.push({ step: 'answer', passed: false, detail: r.error ?? 'the model found no answer in the passages', ms: ams });
    return reject(
      score,
      r.error ? `refused: the model could not be asked (${r.error})` : 'refused: the passages do not contain the answer',
      extra,
    );
  }
  // A reply made of chat-template tokens or a tool call is a small model misfiring, not an answer.
  if (/<\|[^|]*\|>/.test(answer)) {
    log.push({ step: 'answer', passed: false, detail: `not an answer: ${JSON.stringify(answer.slice(0, 80))}`, ms: ams });
    return reject(score, "refused: the model's reply is not an answer (it holds chat-template or tool-call tokens)", extra);
  }
  const cited = [...new Set([...answer.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])))].filter((n) => n >= 1 && n <= hits.length);
  log.push({
    step: 'answer',
    passed: true,
    detail: `${answer.length} chars, cites ${cited.length ? cited.join(',') : 'nothing (all passages listed)'}`,
    ms: ams,
  });

  // 8. security filter on the output
  const verdict = securityCheck(answer, q, hits, messages[0]?.content ?? '');
  log.push({ step: 'security', passed: verdict.passed, detail: verdict.reasons.join('; ') || 'clean', ms: 0 });
  if (!verdict.passed) return reject(score, `refused by the output filter: ${verdict.reasons.join('; ')}`, extra);
  if (deps.llmSecurity) {
    const [r, ms] = await timed(() => ask(chat, P.sensitivityPrompt(answer), 8));
    const s = P.parseScore(r.text);
    const passed = s === undefined || s < 6;
    log.push({
      step: 'llm_security',
      passed,
      score: s,
      threshold: 6,
      detail: r.error ?? (s === undefined ? 'no score in reply: passed' : undefined),
      ms,
    });
    if (!passed) return reject(score, `refused by the output filter: the model rates the answer sensitive (${s}/10 ≥ 6)`, extra);
  }

  const use = cited.length ? cited : hits.map((_, i) => i + 1);
  const citations = use.map((n) => citation(hits[n - 1] as Hit, n));
  return { ...base, ...extra, decision: 'answer', score, reason: `answered from ${citations.length} passage(s)`, answer, citations };
}
