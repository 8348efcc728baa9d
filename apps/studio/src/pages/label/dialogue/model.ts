// The dialogue view's state, free of React so it can be tested under Node: the schema's
// questions, the answers given (in the API's DialogueResult shape), the ranking of candidate
// answers and the keyboard model.
import type { Answer, Candidate, DialogueMessage, DialogueResult, Question } from '../types.js';

export function emptyResult(candidates: readonly Candidate[], rewrite: boolean): DialogueResult {
  return {
    kind: 'dialogue',
    messageAnswers: {},
    conversationAnswers: {},
    ...(candidates.length >= 2 ? { ranking: candidates.map((c) => c.id) } : {}),
    ...(rewrite ? { rewrite: { candidateId: candidates[0]?.id, content: '' } } : {}),
  };
}

/**
 * Where the keyboard can be: a question (of the conversation, or of one assistant message or
 * candidate, by its id), the ranking, the rewrite box.
 */
export type Item = { kind: 'question'; question: Question; target?: string } | { kind: 'ranking' } | { kind: 'rewrite' };

/**
 * The view's items in reading order: each assistant message's questions, each candidate's,
 * then the conversation's, the ranking, the rewrite.
 */
export function itemsOf(
  messages: readonly DialogueMessage[],
  candidates: readonly Candidate[],
  questions: readonly Question[],
  o: { ranking: boolean; rewrite: boolean },
): Item[] {
  const items: Item[] = [];
  const targets = [...messages.filter((m) => m.role === 'assistant').map((m) => m.id), ...candidates.map((c) => c.id)];
  for (const target of targets) for (const q of questions) if (q.scope === 'message') items.push({ kind: 'question', question: q, target });
  for (const q of questions) if (q.scope === 'conversation') items.push({ kind: 'question', question: q });
  if (o.ranking && candidates.length >= 2) items.push({ kind: 'ranking' });
  if (o.rewrite) items.push({ kind: 'rewrite' });
  return items;
}

export function answerOf(r: DialogueResult, item: Item): Answer | undefined {
  if (item.kind !== 'question') return undefined;
  return item.target === undefined ? r.conversationAnswers[item.question.id] : r.messageAnswers[item.target]?.[item.question.id];
}

export function setValue(r: DialogueResult, item: Item, v: Answer): DialogueResult {
  if (item.kind !== 'question') return r;
  const id = item.question.id;
  if (item.target === undefined) return { ...r, conversationAnswers: { ...r.conversationAnswers, [id]: v } };
  return { ...r, messageAnswers: { ...r.messageAnswers, [item.target]: { ...r.messageAnswers[item.target], [id]: v } } };
}

/** Choosing an option: a single choice takes it, a multiple choice toggles it. */
export function choose(r: DialogueResult, item: Item, option: string): DialogueResult {
  if (item.kind !== 'question') return r;
  if (item.question.kind === 'single') return setValue(r, item, option);
  if (item.question.kind === 'multiple') {
    const cur = (answerOf(r, item) as string[] | undefined) ?? [];
    const next = cur.includes(option) ? cur.filter((x) => x !== option) : [...cur, option];
    // kept in the schema's option order, so the same choice always serialises the same way
    return setValue(
      r,
      item,
      (item.question.options ?? []).map((o) => o.value).filter((o) => next.includes(o)),
    );
  }
  return r;
}

/** The ranking with the entry at `from` moved to `to` (clamped). */
export function moveRank(order: readonly string[], from: number, to: number): string[] {
  const t = Math.max(0, Math.min(order.length - 1, to));
  if (from < 0 || from >= order.length || from === t) return [...order];
  const next = [...order];
  const [x] = next.splice(from, 1);
  next.splice(t, 0, x);
  return next;
}

/** Required questions left unanswered (empty: the result can be submitted). */
export function missing(items: readonly Item[], r: DialogueResult): Item[] {
  return items.filter((it) => {
    if (it.kind !== 'question' || !it.question.required) return false;
    const v = answerOf(r, it);
    return v === undefined || (Array.isArray(v) ? v.length === 0 : v.trim() === '');
  });
}

export interface Cursor {
  item: number;
  /** Inside the ranking: which rank the cursor is on. */
  rank: number;
}

export interface KeyInput {
  key: string;
  shift?: boolean;
  ctrl?: boolean;
  /** The key was typed into a text box (only Ctrl+Enter and Escape count then). */
  typing?: boolean;
}

export type KeyEffect =
  | { kind: 'none' }
  | { kind: 'move'; cursor: Cursor }
  | { kind: 'result'; result: DialogueResult; cursor: Cursor }
  /** Put the caret in the current item's text box. */
  | { kind: 'edit' }
  /** Leave the text box, back to navigation. */
  | { kind: 'leave' }
  | { kind: 'submit' };

/**
 * The dialogue view's keyboard: j/k or ↓/↑ move between items (and between ranks inside the
 * ranking), a number chooses that option (inside the ranking: moves the candidate under the
 * cursor to that rank), Shift+↑/↓ (Shift+K/J) move the candidate up or down, Enter edits a text
 * item or submits, Ctrl+Enter submits from anywhere, Escape leaves a text box.
 */
export function dialogueKey(items: readonly Item[], r: DialogueResult, c: Cursor, k: KeyInput): KeyEffect {
  if (k.key === 'Enter' && k.ctrl) return { kind: 'submit' };
  if (k.typing) return k.key === 'Escape' ? { kind: 'leave' } : { kind: 'none' };
  const item = items[c.item];
  const down = k.key === 'ArrowDown' || k.key === 'j' || k.key === 'J';
  const up = k.key === 'ArrowUp' || k.key === 'k' || k.key === 'K';
  if (item?.kind === 'ranking' && r.ranking) {
    const n = r.ranking.length;
    if (k.shift && (down || up)) {
      const to = c.rank + (down ? 1 : -1);
      if (to < 0 || to >= n) return { kind: 'none' };
      return { kind: 'result', result: { ...r, ranking: moveRank(r.ranking, c.rank, to) }, cursor: { ...c, rank: to } };
    }
    if (/^[1-9]$/.test(k.key)) {
      const to = Math.min(Number(k.key), n) - 1;
      return { kind: 'result', result: { ...r, ranking: moveRank(r.ranking, c.rank, to) }, cursor: { ...c, rank: to } };
    }
    if (down && c.rank < n - 1) return { kind: 'move', cursor: { ...c, rank: c.rank + 1 } };
    if (up && c.rank > 0) return { kind: 'move', cursor: { ...c, rank: c.rank - 1 } };
  }
  if (down || up) {
    const next = Math.max(0, Math.min(items.length - 1, c.item + (down ? 1 : -1)));
    if (next === c.item) return { kind: 'none' };
    // entering the ranking from below lands on its last rank
    const rank = items[next]?.kind === 'ranking' && up ? Math.max(0, (r.ranking?.length ?? 1) - 1) : 0;
    return { kind: 'move', cursor: { item: next, rank } };
  }
  if (item?.kind === 'question' && /^[1-9]$/.test(k.key)) {
    const opt = item.question.options?.[Number(k.key) - 1];
    if (opt === undefined) return { kind: 'none' };
    return { kind: 'result', result: choose(r, item, opt.value), cursor: c };
  }
  if (k.key === 'Enter') {
    if (item?.kind === 'rewrite' || (item?.kind === 'question' && item.question.kind === 'text')) return { kind: 'edit' };
    return { kind: 'submit' };
  }
  return { kind: 'none' };
}

/**
 * A model's draft of the conversation questions (the item's `preAnnotation.conversationAnswers`),
 * kept only where it fits the schema: a known question, an offered option, text for a text question.
 * What a model made up beyond that is dropped, never shown as if an annotator had chosen it.
 */
export function draftAnswers(questions: readonly Question[], raw: unknown): Record<string, Answer> {
  const out: Record<string, Answer> = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const q of questions) {
    if (q.scope !== 'conversation') continue;
    const v = (raw as Record<string, unknown>)[q.id];
    const offered = new Set((q.options ?? []).map((o) => o.value));
    if (q.kind === 'text' && typeof v === 'string' && v.trim()) out[q.id] = v;
    if (q.kind === 'single' && typeof v === 'string' && offered.has(v)) out[q.id] = v;
    if (q.kind === 'multiple' && Array.isArray(v)) {
      const picked = (q.options ?? []).map((o) => o.value).filter((o) => v.includes(o));
      if (picked.length) out[q.id] = picked;
    }
  }
  return out;
}
