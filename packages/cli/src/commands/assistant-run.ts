import { readFile } from 'node:fs/promises';
import type { Decision, RetrieverKind } from '@puyu/assistant';
import { ConfigError } from '@puyu/core/errors';

export interface IngestFlags {
  kb: string;
  embed?: string;
  model?: string;
  maxChars?: number;
  maxFileMb: number;
  apiKey?: string;
  json?: boolean;
}
export interface CalibrateFlags {
  kb: string;
  good: string;
  bad: string;
  retriever?: RetrieverKind;
  embed?: string;
  apiKey?: string;
  json?: boolean;
}
export interface AskFlags {
  kb: string;
  json?: boolean;
  retrievalOnly?: boolean;
  retriever?: RetrieverKind;
  model?: string;
  embed?: string;
  rerank?: string;
  llmSecurity?: boolean;
  log?: boolean;
  apiKey?: string;
}
export interface ServeFlags {
  kb: string;
  host: string;
  port: number;
  model?: string;
  embed?: string;
  webhookSecret?: string;
  llmSecurity?: boolean;
  token?: string;
  maxUploadMb: number;
  apiKey?: string;
}

const key = (o: { apiKey?: string }) => o.apiKey ?? process.env.OPENAI_API_KEY;

export async function assistantIngest(dir: string, o: IngestFlags): Promise<void> {
  const { ingestFolder, openEmbedder, openKnowledgeBase } = await import('@puyu/assistant');
  const embedder = o.embed ? await openEmbedder(o.embed, { apiKey: key(o) }) : undefined;
  try {
    const r = await ingestFolder(dir, o.kb, { embedder, maxChars: o.maxChars, maxFileBytes: o.maxFileMb * 2 ** 20 });
    if (o.model) await (await openKnowledgeBase(o.kb, { logDecisions: false })).setChatModel(o.model);
    if (o.json) {
      console.log(JSON.stringify(r));
      return;
    }
    console.log(
      `${o.kb}: ${r.added.length} added, ${r.updated.length} updated, ${r.unchanged.length} unchanged, ${r.removed.length} removed, ${r.skipped.length} skipped; ${r.chunks} chunks, ${r.vectors} vectors`,
    );
    for (const s of r.skipped) console.log(`  skipped ${s.path}: [${s.code}] ${s.reason}`);
    for (const w of r.warnings) console.log(`  warning ${w}`);
  } finally {
    await embedder?.close();
  }
}

export async function assistantCalibrate(o: CalibrateFlags): Promise<void> {
  const { openKnowledgeBase, parseQuestions } = await import('@puyu/assistant');
  const good = parseQuestions(await readFile(o.good, 'utf8'));
  const bad = parseQuestions(await readFile(o.bad, 'utf8'));
  const kb = await openKnowledgeBase(o.kb, { embed: o.embed, apiKey: key(o), logDecisions: false });
  try {
    const r = await kb.calibrate(good, bad, o.retriever ? [o.retriever] : undefined);
    if (o.json) {
      console.log(JSON.stringify(r));
      return;
    }
    for (const [name, c] of Object.entries(r))
      console.log(
        `${name}: threshold ${c.threshold.toFixed(4)}  F1 ${c.f1.toFixed(3)}  precision ${c.precision.toFixed(3)}  recall ${c.recall.toFixed(3)}  (${c.good} good, ${c.bad} bad)`,
      );
    console.log(`stored in ${o.kb}/config.json`);
  } finally {
    await kb.close();
  }
}

function printDecision(d: Decision, withLog: boolean): void {
  console.log(d.decision === 'answer' ? (d.answer ?? '(retrieval only: the knowledge base covers this)') : d.reason);
  for (const c of d.citations ?? [])
    console.log(
      `  [${c.n}] ${c.source}${c.headings.length ? ` > ${c.headings.join(' > ')}` : ''}${c.page ? ` p.${c.page}` : ''} (chars ${c.start}-${c.end}, score ${c.score.toFixed(3)})`,
    );
  console.log(
    `  ${d.decision}; ${d.retriever} score ${d.score.toFixed(3)} vs threshold ${d.threshold.toFixed(3)}${d.calibrated ? '' : ' (not calibrated)'}`,
  );
  if (withLog)
    for (const l of d.log)
      console.log(
        `  - ${l.step}: ${l.passed ? 'pass' : 'FAIL'}${l.score !== undefined ? ` score ${l.score}` : ''}${l.threshold !== undefined ? ` / ${l.threshold}` : ''}${l.detail ? ` — ${l.detail}` : ''} (${l.ms} ms)`,
      );
}

export async function assistantAsk(question: string, o: AskFlags): Promise<void> {
  const { openKnowledgeBase } = await import('@puyu/assistant');
  const kb = await openKnowledgeBase(o.kb, {
    embed: o.embed,
    model: o.model,
    rerank: o.rerank,
    llmSecurity: o.llmSecurity,
    apiKey: key(o),
  });
  try {
    const d = await kb.decide(question, { retrievalOnly: o.retrievalOnly, retriever: o.retriever });
    if (!o.json) return printDecision(d, !!o.log);
    const { decision, score, reason, answer, citations, threshold, calibrated, retriever, rewritten, log } = d;
    console.log(JSON.stringify({ decision, score, reason, answer, citations, threshold, calibrated, retriever, rewritten, log }));
  } finally {
    await kb.close();
  }
}

export async function assistantServe(o: ServeFlags): Promise<void> {
  const token = o.token ?? process.env.PUYU_ASSISTANT_TOKEN;
  // The API uploads files and spends model calls: off loopback it must not be open to anyone.
  if (!token && !['127.0.0.1', 'localhost', '::1'].includes(o.host))
    throw new ConfigError('CLI_BAD_OPTION', `--host ${o.host} is reachable from other machines: pass --token (or PUYU_ASSISTANT_TOKEN).`);
  const { AssistantService, openKnowledgeBase, serveAssistant } = await import('@puyu/assistant');
  const kb = await openKnowledgeBase(o.kb, { embed: o.embed, model: o.model, llmSecurity: o.llmSecurity, apiKey: key(o) });
  const service = new AssistantService(kb, { maxUploadBytes: o.maxUploadMb * 2 ** 20 });
  const webhookSecret = o.webhookSecret ?? process.env.PUYU_ASSISTANT_WEBHOOK_SECRET;
  const s = await serveAssistant(service, { host: o.host, port: o.port, webhookSecret, apiKey: token });
  console.log(
    `assistant on ${s.url} (kb ${o.kb}; webhook ${webhookSecret ? 'on' : 'off'}; API ${token ? 'needs the Bearer token' : 'open on loopback'})`,
  );
  const stop = async () => {
    await s.close();
    await kb.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
