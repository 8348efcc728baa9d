import type { DialogueData, DialogueResult } from '../shapes.js';
import type { ItemRecord } from './exportRecords.js';

/**
 * The annotations that count for training: submitted, and either approved by their latest
 * review (the reviewer's corrected result wins over the annotator's) or not reviewed at all.
 */
export function acceptedResults(rec: ItemRecord): DialogueResult[] {
  const out: DialogueResult[] = [];
  for (const a of rec.annotations) {
    if (a.task.status !== 'submitted' || a.task.result?.kind !== 'dialogue') continue;
    const last = a.reviews.at(-1);
    if (last && last.verdict !== 'approved') continue;
    const result = last?.result?.kind === 'dialogue' ? last.result : a.task.result;
    out.push(result);
  }
  return out;
}

/** Candidate ids ordered by mean rank over the rankings (Borda); ties keep the candidates' own order. */
export function consensusRanking(data: DialogueData, results: DialogueResult[]): string[] {
  const ids = data.candidates.map((c) => c.id);
  const rankings = results.flatMap((r) => (r.ranking ? [r.ranking] : []));
  if (rankings.length === 0) return ids.length === 1 ? ids : [];
  const mean = new Map(ids.map((id) => [id, rankings.reduce((s, r) => s + r.indexOf(id), 0) / rankings.length]));
  return [...ids].sort((a, b) => (mean.get(a) ?? 0) - (mean.get(b) ?? 0) || ids.indexOf(a) - ids.indexOf(b));
}

/** The training answer: the first accepted rewrite, else the top-ranked candidate, else none. */
export function finalAnswer(data: DialogueData, results: DialogueResult[]): string | null {
  const rewrite = results.find((r) => r.rewrite && r.rewrite.content.trim() !== '')?.rewrite;
  if (rewrite) return rewrite.content;
  const best = consensusRanking(data, results)[0];
  return data.candidates.find((c) => c.id === best)?.content ?? null;
}

/**
 * XTuner's conversation format, `{"conversation": [{"system"?, "input", "output"}]}`, the shape
 * `puyu train sft` reads (packages/train readSftJsonl): a system turn rides on the next turn,
 * consecutive user turns join with a newline, and the final output is the training answer.
 */
export function sftLine(rec: ItemRecord): string | null {
  const data = rec.item.data;
  if (data.kind !== 'dialogue') return null;
  const answer = finalAnswer(data, acceptedResults(rec));
  if (answer === null) return null;
  const turns: { system?: string; input: string; output: string }[] = [];
  let system: string | undefined;
  let input: string[] = [];
  for (const m of data.messages) {
    if (m.role === 'system') system = system === undefined ? m.content : `${system}\n${m.content}`;
    else if (m.role === 'user') input.push(m.content);
    else {
      turns.push({ ...(system !== undefined ? { system } : {}), input: input.join('\n'), output: m.content });
      system = undefined;
      input = [];
    }
  }
  turns.push({ ...(system !== undefined ? { system } : {}), input: input.join('\n'), output: answer });
  return JSON.stringify({ conversation: turns });
}

/**
 * DPO pairs `{"prompt": [OpenAI messages], "chosen", "rejected"}` (packages/train readDpoJsonl):
 * the consensus best candidate (or the accepted rewrite, preferred over every candidate) against
 * each worse one. Pairs whose two texts are equal are left out (DPO refuses them).
 */
export function dpoLines(rec: ItemRecord): string[] {
  const data = rec.item.data;
  if (data.kind !== 'dialogue') return [];
  const results = acceptedResults(rec);
  const order = consensusRanking(data, results);
  const text = (id: string) => data.candidates.find((c) => c.id === id)?.content ?? '';
  const prompt = data.messages.map((m) => ({ role: m.role, content: m.content }));
  const rewrite = results.find((r) => r.rewrite && r.rewrite.content.trim() !== '')?.rewrite?.content;
  const pairs: [string, string][] = [];
  if (rewrite !== undefined) for (const id of order.length ? order : data.candidates.map((c) => c.id)) pairs.push([rewrite, text(id)]);
  else for (const id of order.slice(1)) pairs.push([text(order[0] as string), text(id)]);
  return pairs.filter(([c, r]) => c !== r).map(([chosen, rejected]) => JSON.stringify({ prompt, chosen, rejected }));
}
