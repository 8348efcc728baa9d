import { OpenAIProvider } from '@puyu/client';
import { type OpenAIPeer, type PeerRequest, startOpenAIPeer } from '@puyu/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { judgePairwise, judgeSingle, pairwiseSummary, singleSummary } from './judge.js';
import { parseRating, parseVerdict } from './judgePrompts.js';

let peer: OpenAIPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/** A judge that really reads the prompt: an answer containing the reference is good, others are poor. */
function section(prompt: string, name: string): string {
  const m = new RegExp(`\\[${name}\\]\\n([\\s\\S]*?)(?:\\n\\n\\[|$)`).exec(prompt);
  return m?.[1] ?? '';
}
const fairJudge = (r: PeerRequest) => {
  const ref = section(r.prompt, 'Reference answer');
  if (r.prompt.includes('[Answer A]')) {
    const a = section(r.prompt, 'Answer A').includes(ref);
    const b = section(r.prompt, 'Answer B').includes(ref);
    return `Comparing both answers. ${a === b ? '[[C]]' : a ? '[[A]]' : '[[B]]'}`;
  }
  return section(r.prompt, "Assistant's answer").includes(ref) ? 'Correct and clear. Rating: [[9]]' : 'Wrong result. Rating: [[2]]';
};

describe('LLM-as-judge', () => {
  it('parses ratings and verdicts the way judges write them', () => {
    expect(parseRating('good... Rating: [[7]]')).toBe(7);
    expect(parseRating('Rating: 8.5')).toBe(8.5);
    expect(parseRating('[[3]] then revised: [[6]]')).toBe(6);
    expect(parseRating('Rating: [[11]]')).toBeNull();
    expect(parseRating('no idea')).toBeNull();
    // The forms other judges write (the data flywheel's judge ranker reads replies with this too).
    expect(parseRating('Score: 8')).toBe(8);
    expect(parseRating('The answer forgets the change. **Score:** 3')).toBe(3);
    expect(parseRating('score = 7.5')).toBe(7.5);
    expect(parseRating('First thought Score: 4, but on reflection Score: 6')).toBe(6);
    expect(parseRating('I would give it 9/10.')).toBe(9);
    expect(parseRating('2 out of 10')).toBe(2);
    expect(parseRating(' 10 ')).toBe(10);
    expect(parseRating('评分：5')).toBe(5);
    // No score to read, or one off the 1–10 scale: a failed judgement, not a guess.
    expect(parseRating('Looks fine to me.')).toBeNull();
    expect(parseRating('The answer is 42.')).toBeNull();
    expect(parseRating('Score: 42')).toBeNull();
    expect(parseRating('Score: 0')).toBeNull();
    expect(parseRating('')).toBeNull();
    expect(parseVerdict('A is better [[A]]')).toBe('A');
    expect(parseVerdict('[[C]]')).toBe('tie');
    expect(parseVerdict('both fine')).toBeNull();
  });

  it('grades single answers 1–10 against a reference; unparsable and failed judgements are data', async () => {
    peer = await startOpenAIPeer((r) =>
      r.prompt.includes('mumble') ? 'I refuse to rate.' : r.prompt.includes('boom') ? { status: 400 } : fairJudge(r),
    );
    const judge = new OpenAIProvider({ baseUrl: peer.url, model: 'judge' });
    const res = await judgeSingle(
      [
        { id: 'q1', question: 'What is 6×7?', answer: 'It is 42.', reference: '42' },
        { id: 'q2', question: 'What is 6×7?', answer: 'It is 48.', reference: '42' },
        { id: 'q3', question: 'mumble', answer: 'x' },
        { id: 'q4', question: 'boom', answer: 'x' },
      ],
      { judge },
    );
    expect(res.map((r) => r.score)).toEqual([9, 2, null, null]);
    expect(res[2].error?.code).toBe('JUDGE_NO_RATING');
    expect(res[3].error?.code).toBe('PROVIDER_HTTP_400');
    expect(singleSummary(res)).toEqual({ mean: 5.5, rated: 2, unrated: 2 });
    expect(peer.requests[0].body).toMatchObject({ temperature: 0 });
  });

  it('asks each pair in both orders; a fair judge picks the better answer either way', async () => {
    peer = await startOpenAIPeer(fairJudge);
    const judge = new OpenAIProvider({ baseUrl: peer.url, model: 'judge' });
    const res = await judgePairwise(
      [
        { id: 'p1', question: 'Capital of France?', answerA: 'Paris.', answerB: 'Lyon.', reference: 'Paris' },
        { id: 'p2', question: 'Capital of Japan?', answerA: 'Osaka.', answerB: 'Tokyo, of course.', reference: 'Tokyo' },
        { id: 'p3', question: 'Capital of Peru?', answerA: 'Lima', answerB: 'Lima!', reference: 'Lima' },
      ],
      { judge },
    );
    expect(res.map((r) => [r.winner, r.consistent])).toEqual([
      ['A', true],
      ['B', true],
      ['tie', true],
    ]);
    expect(peer.requests).toHaveLength(6);
    const p1 = peer.requests.filter((q) => q.prompt.includes('France'));
    expect(p1.map((q) => section(q.prompt, 'Answer A'))).toEqual(expect.arrayContaining(['Paris.', 'Lyon.']));
    expect(pairwiseSummary(res)).toMatchObject({ winA: 1, winB: 1, tie: 1, winRateA: 50, consistency: 100 });
  });

  it('turns a position-biased judge (always prefers the first slot) into ties', async () => {
    peer = await startOpenAIPeer(() => 'The first one reads better. [[A]]');
    const judge = new OpenAIProvider({ baseUrl: peer.url, model: 'biased' });
    const res = await judgePairwise([{ id: 'p', question: 'q', answerA: 'x', answerB: 'y' }], { judge });
    expect(res[0]).toMatchObject({ winner: 'tie', verdicts: ['A', 'B'], consistent: false });
    expect(pairwiseSummary(res).consistency).toBe(0);
  });
});
