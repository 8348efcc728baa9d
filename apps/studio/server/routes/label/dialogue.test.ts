import { describe, expect, it } from 'vitest';
import {
  type Cursor,
  choose,
  dialogueKey,
  draftAnswers,
  emptyResult,
  type Item,
  itemsOf,
  type KeyInput,
  missing,
  moveRank,
} from '../../../src/pages/label/dialogue/model.js';
import type { DialogueResult, Question } from '../../../src/pages/label/types.js';

// The label dialogue view's pure parts (they run in the browser; tested here under Node).
const Q: Question[] = [
  {
    id: 'ok',
    scope: 'message',
    kind: 'single',
    title: 'Correct?',
    options: [
      { value: 'yes', label: 'Yes' },
      { value: 'no', label: 'No' },
    ],
    required: true,
  },
  {
    id: 'topics',
    scope: 'conversation',
    kind: 'multiple',
    title: 'Topics',
    options: [
      { value: 'math', label: 'Math' },
      { value: 'code', label: 'Code' },
      { value: 'chat', label: 'Chat' },
    ],
  },
  { id: 'note', scope: 'conversation', kind: 'text', title: 'Note' },
];
const MESSAGES = [
  { id: 'm1', role: 'user' as const, content: 'hi' },
  { id: 'm2', role: 'assistant' as const, content: 'hello' },
  { id: 'm3', role: 'user' as const, content: '2+2?' },
];
const CANDS = [
  { id: 'c1', content: '4', source: 'import' },
  { id: 'c2', content: '5', source: 'model:q' },
  { id: 'c3', content: 'four', source: 'model:q' },
];

function press(
  items: Item[],
  r: DialogueResult,
  c: Cursor,
  keys: (string | KeyInput)[],
): { r: DialogueResult; c: Cursor; submitted: number } {
  let submitted = 0;
  for (const k of keys) {
    const e = dialogueKey(items, r, c, typeof k === 'string' ? { key: k } : k);
    if (e.kind === 'move') c = e.cursor;
    if (e.kind === 'result') {
      r = e.result;
      c = e.cursor;
    }
    if (e.kind === 'submit') submitted++;
  }
  return { r, c, submitted };
}

describe('label dialogue: items and answers', () => {
  it('message questions for each assistant message and candidate, then the conversation, ranking, rewrite', () => {
    const items = itemsOf(MESSAGES, CANDS, Q, { ranking: true, rewrite: true });
    expect(items.map((i) => (i.kind === 'question' ? `${i.question.id}@${i.target ?? '-'}` : i.kind))).toEqual([
      'ok@m2',
      'ok@c1',
      'ok@c2',
      'ok@c3',
      'topics@-',
      'note@-',
      'ranking',
      'rewrite',
    ]);
    expect(itemsOf(MESSAGES, CANDS.slice(0, 1), Q, { ranking: true, rewrite: false }).some((i) => i.kind === 'ranking')).toBe(false);
  });

  it('a multiple choice toggles and keeps the schema order; required questions are reported until answered', () => {
    const items = itemsOf(MESSAGES, CANDS, Q, { ranking: true, rewrite: true });
    let r = emptyResult(CANDS, true);
    expect(r.ranking).toEqual(['c1', 'c2', 'c3']);
    expect(r.rewrite).toEqual({ candidateId: 'c1', content: '' });
    r = choose(r, items[4], 'chat');
    r = choose(r, items[4], 'math');
    expect(r.conversationAnswers.topics).toEqual(['math', 'chat']);
    r = choose(r, items[4], 'chat');
    expect(r.conversationAnswers.topics).toEqual(['math']);
    expect(missing(items, r)).toHaveLength(4);
    for (const i of items.slice(0, 4)) r = choose(r, i, 'yes');
    expect(missing(items, r)).toEqual([]);
    expect(r.messageAnswers).toEqual({ m2: { ok: 'yes' }, c1: { ok: 'yes' }, c2: { ok: 'yes' }, c3: { ok: 'yes' } });
  });

  it('moveRank moves one entry and clamps', () => {
    expect(moveRank(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveRank(['a', 'b', 'c'], 0, 9)).toEqual(['b', 'c', 'a']);
    expect(moveRank(['a', 'b', 'c'], 5, 0)).toEqual(['a', 'b', 'c']);
  });
});

describe('label dialogue: keyboard', () => {
  const items = itemsOf(MESSAGES, CANDS, Q, { ranking: true, rewrite: true });

  it('numbers answer, j/k and arrows move, Enter submits', () => {
    const { r, c, submitted } = press(items, emptyResult(CANDS, true), { item: 0, rank: 0 }, [
      '1',
      'j',
      '2',
      'ArrowDown',
      '1',
      'k',
      'k',
      '2',
      'Enter',
    ]);
    expect(r.messageAnswers).toEqual({ m2: { ok: 'no' }, c1: { ok: 'no' }, c2: { ok: 'yes' } });
    expect(c.item).toBe(0);
    expect(submitted).toBe(1);
  });

  it('inside the ranking: arrows walk the ranks, Shift+arrows and numbers move the candidate', () => {
    const start: Cursor = { item: 6, rank: 0 };
    // c1 down one (Shift+J), cursor follows it to rank 2; then 'j' to rank 3 (c3), '1' puts c3 first
    const { r, c } = press(items, emptyResult(CANDS, true), start, [{ key: 'J', shift: true }, 'j', '1']);
    expect(r.ranking).toEqual(['c3', 'c2', 'c1']);
    expect(c).toEqual({ item: 6, rank: 0 });
    // past the last rank the cursor leaves the ranking for the rewrite; coming back up lands on the last rank
    const walk = press(items, r, { item: 6, rank: 2 }, ['j']);
    expect(walk.c).toEqual({ item: 7, rank: 0 });
    expect(press(items, r, walk.c, ['k']).c).toEqual({ item: 6, rank: 2 });
    // Shift+K at the top does nothing
    expect(press(items, r, { item: 6, rank: 0 }, [{ key: 'ArrowUp', shift: true }]).r.ranking).toEqual(['c3', 'c2', 'c1']);
  });

  it('Enter on a text item edits it; while typing only Escape and Ctrl+Enter count', () => {
    expect(dialogueKey(items, emptyResult(CANDS, true), { item: 5, rank: 0 }, { key: 'Enter' })).toEqual({ kind: 'edit' });
    expect(dialogueKey(items, emptyResult(CANDS, true), { item: 7, rank: 0 }, { key: 'Enter' })).toEqual({ kind: 'edit' });
    expect(dialogueKey(items, emptyResult(CANDS, true), { item: 7, rank: 0 }, { key: 'j', typing: true })).toEqual({ kind: 'none' });
    expect(dialogueKey(items, emptyResult(CANDS, true), { item: 7, rank: 0 }, { key: 'Escape', typing: true })).toEqual({ kind: 'leave' });
    expect(dialogueKey(items, emptyResult(CANDS, true), { item: 7, rank: 0 }, { key: 'Enter', ctrl: true, typing: true })).toEqual({
      kind: 'submit',
    });
  });
});

describe('label dialogue: a model draft', () => {
  it('keeps only answers that fit the schema', () => {
    expect(
      draftAnswers(Q, {
        topics: ['code', 'poetry', 'math'],
        note: 'looks fine',
        ok: 'yes', // a message question: not the draft's to answer
        invented: 'x',
      }),
    ).toEqual({ topics: ['math', 'code'], note: 'looks fine' });
    expect(draftAnswers(Q, { topics: 'math', note: 3 })).toEqual({});
    expect(draftAnswers(Q, null)).toEqual({});
    expect(draftAnswers(Q, ['math'])).toEqual({});
  });
});
