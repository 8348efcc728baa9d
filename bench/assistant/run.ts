/**
 * The assistant's labelled rejection benchmark (issue 17). A bilingual knowledge base is built from
 * five chapters of the Debian Reference in English and Chinese (corpus/, SOURCE.md); hand-written
 * related questions (the chapters answer them) and unrelated ones (cooking, sports, chit-chat, and
 * near misses such as Windows/macOS admin) are split by a hash of their id into a calibration set
 * (40 %) and a disjoint test set (60 %). For each retriever (bm25, dense, hybrid) it reports, on
 * the TEST set, the decision of `kb.decide(q, { retrievalOnly: true })` — what
 * `puyu assistant ask --json --retrieval-only` prints — with the package's default threshold
 * (before) and after `kb.calibrate` has fitted the threshold on the CALIBRATION set only.
 *
 * Positive class (as HuixiangDou's evaluation/rejection): a RELATED question, i.e. the assistant
 * ANSWERS. Precision = answered questions that were related; recall = related questions answered.
 * The reject class's F1 is printed beside it. Citation accuracy: over every related question, the
 * top-ranked chunk contains the question's labelled quote (whitespace aside).
 *
 * Dense vectors come from `puyu serve` on the quickstart-size model (or --embed URL@model); the
 * tiny model's embeddings are weak, and the threshold-free ROC AUC of each retriever's score says
 * how weak. Prints CPU and load average; writes results/latest.{json,md}.
 *
 *   npm run bench:assistant [-- --retrievers bm25,dense,hybrid --model PATH.gguf | --embed URL@model
 *                              --threads 1 --ctx-size 2048 --k 4 --out bench/assistant/results]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ingestFolder, type KnowledgeBase, openEmbedder, openKnowledgeBase, type RetrieverKind } from '@puyu/assistant';
import { median, type Prf, prf, rocAuc } from './metrics.js';
import { BENCH_DIR, CORPUS_DIR, loadQuestions, type Question, quoteOccurs } from './questions.js';
import { type BenchSummary, formatMarkdown, formatTable, type RetrieverResult } from './report.js';
import { CLI, quickstartModel, ROOT, type ServedModel, startServe } from './serveModel.js';

const { values } = parseArgs({
  options: {
    retrievers: { type: 'string', default: 'bm25,dense,hybrid' },
    model: { type: 'string' },
    embed: { type: 'string' },
    threads: { type: 'string', default: '1' },
    'ctx-size': { type: 'string', default: '2048' },
    k: { type: 'string', default: '4' },
    out: { type: 'string', default: join(BENCH_DIR, 'results') },
  },
});
const K = Number(values.k);
const wanted = values.retrievers.split(',').map((r) => r.trim()) as RetrieverKind[];

const { related, unrelated } = loadQuestions();
const all = [...related, ...unrelated];
const test = all.filter((q) => q.split === 'test');
/** after-calibration decisions by `${retriever}\t${id}`, for the CLI cross-check */
const decisions = new Map<string, { decision: string; score: number }>();
const cal = all.filter((q) => q.split === 'calibration');
const cores = cpus().length;
const load0 = loadavg();
console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'} × ${cores}; load average ${load0.map((l) => l.toFixed(2)).join(' ')}`);
if (load0[0] > cores)
  console.log(`WARNING: load ${load0[0].toFixed(1)} > ${cores} cores: timings are noisy and slow (the figures are not)`);
console.log(
  `questions: ${related.length} related + ${unrelated.length} unrelated; calibration ${cal.length} ` +
    `(${cal.filter((q) => q.related).length} related), test ${test.length} (${test.filter((q) => q.related).length} related)`,
);
console.log(
  'positive class = related question = the assistant answers (HuixiangDou convention); reject-F1 = F1 with "reject" as positive\n',
);

// the embedding endpoint, when a dense retriever is wanted
let served: ServedModel | undefined;
let embedSpec = values.embed;
let modelPath: string | undefined;
const skipped: Record<string, string> = {};
if (!embedSpec && wanted.some((r) => r !== 'bm25')) {
  try {
    modelPath = quickstartModel(values.model);
    served = await startServe(modelPath, { threads: Number(values.threads), ctxSize: Number(values['ctx-size']) });
    embedSpec = `${served.url}@${served.name}`;
    console.log(
      `embeddings: puyu serve ${modelPath} (pid ${served.pid}) → ${embedSpec}${modelNote(modelPath) ? `; ${modelNote(modelPath)}` : ''}`,
    );
  } catch (e) {
    const why = `no embedding endpoint: ${(e as Error).message.split('\n')[0]}`;
    for (const r of wanted) if (r !== 'bm25') skipped[r] = why;
    console.log(`SKIP dense/hybrid — ${why}`);
  }
}
const retrievers = wanted.filter((r) => !skipped[r]);

const kbDir = mkdtempSync(join(tmpdir(), 'puyu-bench-assistant-'));
let kb: KnowledgeBase | undefined;
try {
  const embedder = embedSpec ? await openEmbedder(embedSpec) : undefined;
  const t0 = performance.now();
  const report = await ingestFolder(CORPUS_DIR, kbDir, { embedder });
  const ingestS = (performance.now() - t0) / 1000;
  await embedder?.close();
  console.log(
    `ingest: ${report.added.length} files, ${report.chunks} chunks, ${report.vectors} vectors in ${ingestS.toFixed(1)} s` +
      (report.skipped.length ? `; skipped ${report.skipped.map((s) => `${s.path} [${s.code}]`).join(', ')}` : ''),
  );
  // How many quotes lie inside one chunk at all: a quote cut by a chunk boundary can never be
  // "contained", so this is the ceiling of citation accuracy (chunks.json: see the KB layout in store.ts).
  const chunkTexts = JSON.parse(readFileSync(join(kbDir, 'chunks.json'), 'utf8')) as { id: string; source: string; text: string }[];
  const reachable = related.filter((q) => chunkTexts.some((c) => c.source === q.source && quoteOccurs(c.text, q.quote ?? ''))).length;
  console.log(`quotes lying inside one chunk: ${reachable}/${related.length} (the ceiling of citation accuracy)\n`);

  kb = await openKnowledgeBase(kbDir, { ...(embedSpec ? { embed: embedSpec } : {}), logDecisions: false });
  const results: RetrieverResult[] = [];
  for (const retriever of retrievers) results.push(await benchRetriever(kb, retriever));
  // A sanity check that separates "the dense pipeline is broken" from "the embedder is weak": asked
  // with a chunk's own text, does a retriever rank that very chunk first? (40 chunks, evenly spaced)
  const probe = chunkTexts.filter((_, i) => i % Math.max(1, Math.floor(chunkTexts.length / 40)) === 0).slice(0, 40);
  const selfRetrievalAt1: Partial<Record<RetrieverKind, number>> = {};
  for (const retriever of retrievers) {
    let hit = 0;
    for (const c of probe) if ((await kb.retrieve(c.text, retriever, 1)).hits[0]?.chunk.id === c.id) hit++;
    selfRetrievalAt1[retriever] = hit / probe.length;
  }

  const cliCheck = cliAgreement(kbDir, retrievers);
  console.log(
    `\npuyu assistant ask --json --retrieval-only agrees with kb.decide on ${cliCheck.agree}/${cliCheck.n} (question, retriever) pairs`,
  );
  const load1 = loadavg();
  const relatedShare = test.filter((q) => q.related).length / test.length;
  const summary: BenchSummary = {
    at: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores, loadBefore: load0, loadAfter: load1 },
    positive: 'related question (the assistant answers); rejectF1 has "reject" as the positive class',
    corpus: {
      files: report.added.length,
      chunks: report.chunks,
      vectors: report.vectors,
      ingestSeconds: ingestS,
      quotesInsideOneChunk: reachable,
    },
    questions: { related: related.length, unrelated: unrelated.length, calibration: cal.length, test: test.length },
    embeddings: embedSpec
      ? {
          spec: embedSpec,
          model: modelPath ? `${relative(ROOT, modelPath)}${modelNote(modelPath) ? ` (${modelNote(modelPath)})` : ''}` : values.embed,
        }
      : undefined,
    answerAllF1: (2 * relatedShare) / (1 + relatedShare),
    selfRetrievalAt1: { ...selfRetrievalAt1, n: probe.length },
    cliAgreement: cliCheck,
    k: K,
    skipped,
    results,
  };
  console.log(formatTable(summary));
  console.log(`\nload average after: ${load1.map((l) => l.toFixed(2)).join(' ')}`);
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, 'latest.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(values.out, 'latest.md'), formatMarkdown(summary));
  console.log(`wrote ${join(values.out, 'latest.json')} and latest.md`);
} finally {
  await kb?.close();
  await served?.stop();
  rmSync(kbDir, { recursive: true, force: true });
}

/**
 * The CLI contract the numbers stand for: `puyu assistant ask --kb KB --json --retrieval-only`
 * on the calibrated KB, for one related and one near-miss test question per retriever, must print
 * the decision and score `kb.decide` gave (a process per call, so only a few).
 */
function cliAgreement(kbDir: string, kinds: RetrieverKind[]): { agree: number; n: number; mismatches: string[] } {
  const picks = [test.find((q) => q.related), test.find((q) => q.topic === 'near-miss')].filter((q): q is Question => !!q);
  const mismatches: string[] = [];
  let agree = 0;
  let n = 0;
  for (const retriever of kinds) {
    for (const q of picks) {
      n++;
      const [node, ...flags] = CLI;
      const args = ['assistant', 'ask', '--kb', kbDir, '--json', '--retrieval-only', '--retriever', retriever, q.question];
      const out = execFileSync(node, [...flags, ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const printed = JSON.parse(out.trim().split('\n').pop() as string) as { decision: string; score: number };
      const expected = decisions.get(`${retriever}\t${q.id}`);
      if (expected && printed.decision === expected.decision && Math.abs(printed.score - expected.score) < 1e-9) agree++;
      else
        mismatches.push(`${retriever} ${q.id}: CLI ${printed.decision} ${printed.score}, library ${expected?.decision} ${expected?.score}`);
    }
  }
  return { agree, n, mismatches };
}

/** What the quickstart run says about its model (its pretrain.json beside the run folder), if anything. */
function modelNote(gguf: string): string | undefined {
  const cfg = join(dirname(dirname(gguf)), 'pretrain.json');
  if (!existsSync(cfg)) return undefined;
  const c = JSON.parse(readFileSync(cfg, 'utf8')) as { model?: Record<string, number>; train?: { steps?: number } };
  const m = c.model ?? {};
  return `InternLM2 hidden ${m.hidden_size}, ${m.num_hidden_layers} layers, ${c.train?.steps} pretraining steps on the quickstart corpus`;
}

async function decideAll(kb: KnowledgeBase, qs: Question[], retriever: RetrieverKind) {
  const out: { answered: boolean; score: number; threshold: number; calibrated: boolean }[] = [];
  for (const q of qs) {
    const d = await kb.decide(q.question, { retrievalOnly: true, retriever });
    out.push({ answered: d.decision === 'answer', score: d.score, threshold: d.threshold, calibrated: d.calibrated });
  }
  return out;
}

async function benchRetriever(kb: KnowledgeBase, retriever: RetrieverKind): Promise<RetrieverResult> {
  const t0 = performance.now();
  const labels = test.map((q) => q.related);
  const before = await decideAll(kb, test, retriever);
  if (before.some((d) => d.calibrated)) throw new Error(`${retriever}: the fresh KB already has a calibrated threshold`);
  const good = cal.filter((q) => q.related).map((q) => q.question);
  const bad = cal.filter((q) => !q.related).map((q) => q.question);
  const fitted = (await kb.calibrate(good, bad, [retriever]))[retriever];
  if (!fitted) throw new Error(`${retriever}: calibrate returned no threshold`);
  const after = await decideAll(kb, test, retriever);
  test.forEach((q, i) => {
    const d = after[i];
    if (d) decisions.set(`${retriever}\t${q.id}`, { decision: d.answered ? 'answer' : 'reject', score: d.score });
  });
  if (!after.every((d) => d.calibrated && d.threshold === fitted.threshold))
    throw new Error(`${retriever}: decide did not use the calibrated threshold`);

  const byLang: Record<string, Prf> = {};
  for (const lang of ['en', 'zh']) {
    const idx = test.map((q, i) => (q.lang === lang ? i : -1)).filter((i) => i >= 0);
    byLang[lang] = prf(
      idx.map((i) => labels[i] as boolean),
      idx.map((i) => after[i]?.answered as boolean),
    );
  }
  // which unrelated questions still get answered after calibration, by topic (near misses vs the rest)
  const falseAnswerByTopic: Record<string, { answered: number; n: number }> = {};
  test.forEach((q, i) => {
    if (q.related) return;
    const key = q.topic ?? '?';
    const t = falseAnswerByTopic[key] ?? { answered: 0, n: 0 };
    falseAnswerByTopic[key] = t;
    t.n++;
    if (after[i]?.answered) t.answered++;
  });
  const scores = before.map((d) => d.score);
  const relScores = scores.filter((_, i) => labels[i]);
  const unrScores = scores.filter((_, i) => !labels[i]);

  let top1Quote = 0;
  let topKQuote = 0;
  let top1File = 0;
  for (const q of related) {
    const r = await kb.retrieve(q.question, retriever, Math.max(K, 8));
    const top = r.hits[0]?.chunk;
    if (top && quoteOccurs(top.text, q.quote ?? '')) top1Quote++;
    if (r.hits.slice(0, K).some((h) => quoteOccurs(h.chunk.text, q.quote ?? ''))) topKQuote++;
    if (top?.source === q.source) top1File++;
  }
  const calls = 2 * test.length + cal.length + related.length;
  const res: RetrieverResult = {
    retriever,
    before: {
      ...prf(
        labels,
        before.map((d) => d.answered),
      ),
      threshold: before[0]?.threshold ?? Number.NaN,
    },
    after: {
      ...prf(
        labels,
        after.map((d) => d.answered),
      ),
      threshold: fitted.threshold,
      calibrationF1: fitted.f1,
    },
    afterByLang: byLang,
    falseAnswerByTopic,
    auc: rocAuc(relScores, unrScores),
    medianScore: { related: median(relScores), unrelated: median(unrScores) },
    citation: {
      top1Quote: top1Quote / related.length,
      topKQuote: topKQuote / related.length,
      top1File: top1File / related.length,
      n: related.length,
    },
    msPerQuestion: (performance.now() - t0) / calls,
  };
  process.stderr.write(
    `${retriever}: F1 ${res.before.f1.toFixed(3)} → ${res.after.f1.toFixed(3)}, AUC ${res.auc.toFixed(3)}, cite@1 ${res.citation.top1Quote.toFixed(3)}\n`,
  );
  return res;
}
