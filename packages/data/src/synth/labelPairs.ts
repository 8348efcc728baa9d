import { readFile } from 'node:fs/promises';
import type { PreferencePair } from '../export/exports.js';

export interface LabelPairsResult {
  pairs: PreferencePair[];
  /** Prompts of `prompts` with at least one pair. */
  matchedPrompts: number;
  /** Dialogue lines whose prompt is not among the sampled prompts. */
  unmatched: number;
  /** Matched lines without an accepted ranking or rewrite (not yet labelled, rejected in review). */
  unlabelled: number;
  /** Matched lines whose best and worst are equal in rank or text: no preference to learn. */
  ties: number;
  /** Lines that are not JSON, or are none of the three export shapes (image items included). */
  malformed: number;
  examples: { unmatched: string[]; malformed: string[] };
}

type Msg = { role?: unknown; content?: unknown };
type Candidate = { id: string; content: string };
type DialogueResult = { kind?: unknown; ranking?: unknown; rewrite?: { content?: unknown } };
type Annotation = {
  status?: unknown;
  result?: DialogueResult | null;
  reviews?: { verdict?: unknown; result?: DialogueResult | null }[];
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function lastUserText(messages: unknown): string | undefined {
  if (typeof messages === 'string') return messages;
  if (!Array.isArray(messages)) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Msg;
    if (isObj(m) && m.role === 'user' && typeof m.content === 'string') return m.content;
  }
  return undefined;
}

/** The dialogue results that count: submitted, and approved by their latest review if reviewed. */
function acceptedResults(annotations: Annotation[]): DialogueResult[] {
  const out: DialogueResult[] = [];
  for (const a of annotations) {
    if (!isObj(a) || a.status !== 'submitted' || !isObj(a.result) || a.result.kind !== 'dialogue') continue;
    const last = Array.isArray(a.reviews) ? a.reviews.at(-1) : undefined;
    if (last && last.verdict !== 'approved') continue;
    out.push(isObj(last?.result) && last.result.kind === 'dialogue' ? last.result : a.result);
  }
  return out;
}

/** Best and worst of one labelled dialogue, or why there is none. */
function rankDialogue(candidates: Candidate[], results: DialogueResult[]): PreferencePair | 'unlabelled' | 'tie' {
  const ids = candidates.map((c) => c.id);
  const rankings = results.flatMap((r) =>
    Array.isArray(r.ranking) && r.ranking.every((x) => typeof x === 'string') ? [r.ranking as string[]] : [],
  );
  const rewrite = results.map((r) => r.rewrite?.content).find((c): c is string => typeof c === 'string' && c.trim() !== '');
  const text = (id: string) => candidates.find((c) => c.id === id)?.content ?? '';
  if (rankings.length === 0) {
    // A rewrite without a ranking beats every candidate; with one candidate that is the pair.
    if (rewrite === undefined || ids.length !== 1) return 'unlabelled';
    const only = text(ids[0] as string);
    return only === rewrite ? 'tie' : { prompt: '', chosen: rewrite, rejected: only };
  }
  // Mean position over the rankings; a candidate a ranking leaves out counts as last there.
  const mean = new Map(
    ids.map((id) => [id, rankings.reduce((s, r) => s + (r.includes(id) ? r.indexOf(id) : ids.length), 0) / rankings.length]),
  );
  const order = [...ids].sort((a, b) => (mean.get(a) ?? 0) - (mean.get(b) ?? 0) || ids.indexOf(a) - ids.indexOf(b));
  const top = order[0] as string;
  const bottom = order.at(-1) as string;
  const chosen = rewrite ?? text(top);
  const rejected = text(bottom);
  if ((rewrite === undefined && mean.get(top) === mean.get(bottom)) || chosen === rejected) return 'tie';
  return { prompt: '', chosen, rejected };
}

/**
 * Preference pairs from human labels: the JSONL exports of `@puyu/label` (`puyu label export
 * PROJECT --format labels|audits|dpo`), read as files — @puyu/label is an app backend, so this
 * package reads its documented export format (packages/label/API.md) and never imports it.
 *
 * - `labels` / `audits` lines (`{key, kind: "dialogue", data: {messages, candidates}, annotations}`):
 *   the annotations that count are submitted ones whose latest review (audits only; a labels line
 *   carries no reviews) approved them, the reviewer's corrected result winning — as label's own
 *   training exports decide. Their rankings are merged by mean position (Borda, as label's
 *   `consensusRanking`); chosen = the top candidate, or an accepted rewrite when there is one
 *   (label prefers a rewrite over every candidate); rejected = the bottom candidate.
 * - `dpo` lines (`{prompt: [messages], chosen, rejected}`): the annotators' pairs, kept as written
 *   (label writes the best against each worse candidate and breaks ranking ties by candidate
 *   order, so only a labels/audits export lets a tie be seen and skipped).
 *
 * A line's prompt is its last user message; lines whose prompt is not one of `prompts` (the
 * flywheel's sampled prompts) are counted as unmatched.
 */
export async function labelPairs(path: string, prompts: readonly string[], keepExamples = 3): Promise<LabelPairsResult> {
  const wanted = new Set(prompts.map((p) => p.trim()));
  const r: LabelPairsResult = {
    pairs: [],
    matchedPrompts: 0,
    unmatched: 0,
    unlabelled: 0,
    ties: 0,
    malformed: 0,
    examples: { unmatched: [], malformed: [] },
  };
  const note = (kind: 'unmatched' | 'malformed', s: string) => {
    r[kind]++;
    if (r.examples[kind].length < keepExamples) r.examples[kind].push(s.slice(0, 160));
  };
  const matched = new Set<string>();
  const lines = (await readFile(path, 'utf8')).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] as string).trim();
    if (!raw) continue;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      note('malformed', `line ${i + 1}: not JSON`);
      continue;
    }
    if (!isObj(v)) {
      note('malformed', `line ${i + 1}: not an object`);
      continue;
    }
    const data = v.data;
    const isDpo = typeof v.chosen === 'string' && typeof v.rejected === 'string' && v.prompt !== undefined;
    const isDialogue = isObj(data) && data.kind === 'dialogue' && Array.isArray(data.candidates) && Array.isArray(v.annotations ?? []);
    if (!isDpo && !isDialogue) {
      note('malformed', `line ${i + 1}: neither a labels/audits dialogue line nor a dpo line`);
      continue;
    }
    const prompt = lastUserText(isDpo ? v.prompt : (data as Record<string, unknown>).messages);
    if (prompt === undefined) {
      note('malformed', `line ${i + 1}: no user message`);
      continue;
    }
    if (!wanted.has(prompt.trim())) {
      note('unmatched', `line ${i + 1}: ${prompt}`);
      continue;
    }
    let pair: PreferencePair | 'unlabelled' | 'tie';
    if (isDpo) pair = v.chosen === v.rejected ? 'tie' : { prompt, chosen: v.chosen as string, rejected: v.rejected as string };
    else {
      const candidates = ((data as Record<string, unknown>).candidates as unknown[]).filter(
        (c): c is Candidate => isObj(c) && typeof c.id === 'string' && typeof c.content === 'string',
      );
      pair = rankDialogue(candidates, acceptedResults((v.annotations ?? []) as Annotation[]));
    }
    if (pair === 'unlabelled') r.unlabelled++;
    else if (pair === 'tie') r.ties++;
    else {
      r.pairs.push({ prompt, chosen: pair.chosen, rejected: pair.rejected });
      matched.add(prompt.trim());
    }
  }
  r.matchedPrompts = matched.size;
  return r;
}
