import { sharedDataRoot } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { getDataset } from '../datasets/registry.js';
import { fixtureRoot } from '../datasets/test-fixtures/fixtureRoot.js';
import type { EvalSample } from '../types.js';
import { selectShots } from './retrievers.js';
import { gsm8kTemplate, humanevalTemplate, mmluTemplate } from './templates.js';

const q = (id: string, question: string, subset?: string): EvalSample => ({
  id,
  dataset: 't',
  subset,
  question,
  gold: 'A',
  choices: ['a', 'b'],
  meta: {},
});

const pool = [
  q('p0', 'What is the boiling point of water at sea level?', 's1'),
  q('p1', 'Which gas do plants absorb from the air?', 's1'),
  q('p2', 'Who wrote the play Hamlet?', 's1'),
  q('p3', 'What is the chemical symbol for gold?', 's1'),
  q('p4', 'How many legs does a spider have?', 's1'),
  q('p5', 'Which planet has the most moons?', 's2'),
];

describe('retrievers', () => {
  const target = q('t', 'At what temperature does water boil?', 's1');
  it('zero and fixed', () => {
    expect(selectShots(target, pool, { retriever: 'zero', k: 5 })).toEqual([]);
    expect(selectShots(target, pool, { retriever: 'fixed', k: 3 }).map((s) => s.id)).toEqual(['p0', 'p1', 'p2']);
    // Same-subset exemplars only: s2's pool has one item.
    expect(selectShots(q('u', 'moons?', 's2'), pool, { retriever: 'fixed', k: 3 }).map((s) => s.id)).toEqual(['p5']);
  });
  it('random is seeded, per sample, and never repeats or returns the sample itself', () => {
    const a = selectShots(target, pool, { retriever: 'random', k: 3, seed: 7 }).map((s) => s.id);
    expect(selectShots(target, pool, { retriever: 'random', k: 3, seed: 7 }).map((s) => s.id)).toEqual(a);
    expect(new Set(a).size).toBe(3);
    const seeds = new Set(
      Array.from({ length: 20 }, (_, seed) =>
        selectShots(target, pool, { retriever: 'random', k: 3, seed })
          .map((s) => s.id)
          .join(),
      ),
    );
    expect(seeds.size).toBeGreaterThan(3);
    expect(selectShots(pool[0], pool, { retriever: 'random', k: 10, seed: 1 }).map((s) => s.id)).not.toContain('p0');
  });
  it('bm25 ranks the lexically closest exemplar first', () => {
    expect(selectShots(target, pool, { retriever: 'bm25', k: 1 })[0].id).toBe('p0');
    expect(selectShots(q('v', 'symbol of gold in chemistry', 's1'), pool, { retriever: 'bm25', k: 2 })[0].id).toBe('p3');
  });
  it('bm25 works on Chinese text (character tokens)', () => {
    const zh = [q('z0', '光在真空中的传播速度约为多少'), q('z1', '中华人民共和国成立于哪一年'), q('z2', '电流的国际单位是什么')];
    expect(selectShots(q('zq', '声音在空气中的传播速度约为多少', undefined), zh, { retriever: 'bm25', k: 1 })[0].id).toBe('z0');
    expect(selectShots(q('zr', '电压的国际单位', undefined), zh, { retriever: 'bm25', k: 1 })[0].id).toBe('z2');
  });
});

describe('templates', () => {
  it('MMLU: OpenCompass wording for base models, turn pairs for chat models', async () => {
    const root = fixtureRoot('mmlu-original');
    const def = getDataset('mmlu');
    // The first astronomy question (a plain limit would sample across the fixture's two subjects).
    const [sample] = await def.load({ root, limit: 1, limitPerSubset: true });
    const shots = selectShots(sample, await def.loadFewShotPool!({ root }), def.fewShot);
    const base = mmluTemplate.render({ sample, shots, style: 'base' });
    expect(base).toEqual({
      style: 'base',
      text:
        'There is a single choice question about astronomy. Answer the question by replying A, B, C or D.\n' +
        'Question: What is the Sun?\nA. A planet\nB. A star\nC. A moon\nD. A comet\nAnswer: B\n' +
        'Question: How many planets orbit the Sun?\nA. Seven\nB. Nine\nC. Eight\nD. Ten\nAnswer: C\n' +
        'Question: Which planet is closest to the Sun?\nA. Venus\nB. Mercury\nC. Earth\nD. Mars\nAnswer: ',
    });
    const chat = mmluTemplate.render({ sample, shots, style: 'chat' });
    expect(chat.style === 'chat' && chat.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    expect(chat.style === 'chat' && chat.messages[1].content).toBe('B');
    expect(mmluTemplate.continuations?.(sample)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('GSM8K exemplars drop the <<calc>> annotations; chat asks for \\boxed{}', () => {
    const shot: EvalSample = {
      id: 's',
      dataset: 'gsm8k',
      question: 'Q1',
      gold: '18',
      solution: 'She makes 9 * 2 = $<<9*2=18>>18.\n#### 18',
      meta: {},
    };
    const sample: EvalSample = { id: 't', dataset: 'gsm8k', question: 'Q2', gold: '3', meta: {} };
    const base = gsm8kTemplate.render({ sample, shots: [shot], style: 'base' });
    expect(base.style === 'base' && base.text).toBe(
      "Question: Q1\nLet's think step by step\nAnswer:\nShe makes 9 * 2 = $18.\nThe answer is 18\n\nQuestion: Q2\nLet's think step by step\nAnswer:\n",
    );
    const chat = gsm8kTemplate.render({ sample, shots: [], style: 'chat' });
    expect(chat.style === 'chat' && chat.messages[0].content).toBe(
      'Q2\nPlease reason step by step, and put your final answer within \\boxed{}.',
    );
  });

  it('HumanEval: the bare prompt for base models, a fenced request for chat models', () => {
    const s: EvalSample = {
      id: 'HumanEval/0',
      dataset: 'humaneval',
      question: 'def f(x):\n    """doc"""\n',
      gold: '    return x\n',
      meta: {},
    };
    expect(humanevalTemplate.render({ sample: s, shots: [], style: 'base' })).toEqual({ style: 'base', text: s.question });
    const chat = humanevalTemplate.render({ sample: s, shots: [], style: 'chat' });
    expect(chat.style === 'chat' && chat.messages[0].content).toContain('```python\ndef f(x):');
  });

  const shared = sharedDataRoot();
  if (!shared) console.log('skipping the real-data BBH prompt test: ../shared/datasets not found (set PUYU_DATA_ROOT)');
  it.skipIf(!shared)('BBH: the task CoT prompt precedes the question (real data)', async () => {
    const def = getDataset('bbh');
    const [s] = await def.load({ root: shared!, subsets: ['date_understanding'], limit: 1 });
    const p = def.template.render({ sample: s, shots: [], style: 'base' });
    expect(
      p.style === 'base' && p.text.startsWith('Follow the given examples and answer the question.\nInfer the date from context.\n\nQ: '),
    ).toBe(true);
    expect(p.style === 'base' && p.text.endsWith(`Q: ${s.question}\nA: Let's think step by step.`)).toBe(true);
  });
});
