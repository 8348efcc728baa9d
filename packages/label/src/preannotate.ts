import { OpenAIProvider, type Provider } from '@puyu/client';
import { Progress } from '@puyu/core/progress';
import type { Kysely } from 'kysely';
import type { LabelDatabase } from './db/schema.js';
import { LabelError } from './errors.js';
import type { DialogueData } from './shapes.js';
import { type Project, toItem, updateItemData } from './store/projects.js';

export interface PreannotateOptions {
  /** Any OpenAI-compatible server (`http://host:8000` or its /v1). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** candidates: answers to rank; draft: a JSON draft of the conversation-level questions. */
  mode: 'candidates' | 'draft';
  count?: number;
  temperature?: number;
  /** At most this many items (default all). */
  limit?: number;
  /** Tests inject a provider; otherwise an OpenAIProvider from @puyu/client. */
  provider?: Provider;
  /** Draw a progress bar on stderr (the CLI); the server stays quiet. */
  progress?: boolean;
}

export interface PreannotateReport {
  updated: number;
  failed: { itemId: number; code: string; reason: string }[];
}

/**
 * Model pre-annotation through @puyu/client (rate limits, retries, timeouts come with it).
 * `candidates` adds `count` model answers to each dialogue's last user turn (an item that
 * already has this model's candidates is skipped, so a re-run resumes); `draft` asks for the
 * conversation-level answers as JSON and stores them as the item's preAnnotation for the
 * annotator to confirm. A failed item is reported and left as it was.
 */
export async function preannotate(db: Kysely<LabelDatabase>, project: Project, o: PreannotateOptions): Promise<PreannotateReport> {
  if (project.kind !== 'dialogue') throw new LabelError('LABEL_BAD_REQUEST', 'model pre-annotation works on dialogue projects');
  const provider =
    o.provider ?? new OpenAIProvider({ baseUrl: o.baseUrl, model: o.model, apiKey: o.apiKey, timeoutMs: 120_000, maxRetries: 2 });
  const source = `model:${o.model}`;
  const rows = await db
    .selectFrom('items')
    .selectAll()
    .where('project_id', '=', project.id)
    .orderBy('id')
    .limit(o.limit ?? 1_000_000)
    .execute();
  const report: PreannotateReport = { updated: 0, failed: [] };
  const bar = new Progress({ total: rows.length, label: `pre-annotate (${o.mode})`, unit: 'item', silent: !o.progress });
  for (const row of rows) {
    bar.tick(1, `${report.updated} updated, ${report.failed.length} failed`);
    const item = toItem(row);
    const data = item.data as DialogueData;
    if (o.mode === 'candidates' && data.candidates.some((c) => c.source === source)) continue;
    const messages = data.messages.map((m) => ({ role: m.role, content: m.content }));
    if (o.mode === 'draft') {
      const questions = project.schema.questions.filter((q) => q.scope === 'conversation');
      messages.push({
        role: 'user',
        content: `Answer these questions about the conversation above as one JSON object {questionId: answer}. Questions: ${JSON.stringify(questions)}. Candidate answers: ${JSON.stringify(data.candidates)}`,
      });
    }
    const r = await provider.call({
      kind: 'chat',
      messages,
      params: { n: o.mode === 'candidates' ? (o.count ?? 1) : 1, temperature: o.temperature, maxTokens: 1024 },
    });
    if (!r.ok) {
      report.failed.push({ itemId: item.id, code: 'LABEL_PREANNOTATE_FAILED', reason: `${r.error.code}: ${r.error.message}` });
      continue;
    }
    if (o.mode === 'candidates') {
      const added = r.texts.map((content, i) => ({ id: `c${data.candidates.length + i + 1}`, content, source }));
      await updateItemData(db, item.id, { ...data, candidates: [...data.candidates, ...added] });
    } else {
      const text = r.texts[0] ?? '';
      const json = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
      let draft: unknown;
      try {
        draft = JSON.parse(json);
      } catch {
        report.failed.push({ itemId: item.id, code: 'LABEL_PREANNOTATE_FAILED', reason: 'the model did not answer with a JSON object' });
        continue;
      }
      await updateItemData(db, item.id, data, { source, conversationAnswers: draft });
    }
    report.updated++;
  }
  bar.finish(`${report.updated} updated, ${report.failed.length} failed`);
  return report;
}
