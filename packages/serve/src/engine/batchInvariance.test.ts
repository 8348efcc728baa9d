import { describe, expect, it } from 'vitest';
import { compareWithSolo, type TraceStep, topMargin } from './batchInvariance.js';

const step = (token: string, logprob: number, second: number): TraceStep<string> => ({
  token,
  logprob,
  top: [
    { token, logprob },
    { token: `${token}'`, logprob: second },
  ],
});
const END = '<|im_end|>';
const isStop = (t: string) => t === END;

describe('compareWithSolo', () => {
  const solo = [step('a', -0.1, -3), step('b', -0.69, -0.6905), step('c', -0.2, -2), step(END, -0.01, -5)];

  it('the same tokens within tolerance, ending where the reference chose an end token: explained', () => {
    const r = compareWithSolo(solo, [step('a', -0.1000004, -3), step('b', -0.6899, -0.69), step('c', -0.2, -2)], { isStop });
    expect(r).toMatchObject({ steps: 3, explained: true });
    expect(r.divergedAt).toBeUndefined();
    expect(r.maxDelta).toBeCloseTo(1e-4, 6);
  });

  it('a different token at a near-tie is explained; at a clear margin it is not', () => {
    const nearTie = compareWithSolo(solo, [step('a', -0.1, -3), step("b'", -0.6904, -0.6906)], { isStop });
    expect(nearTie).toMatchObject({ divergedAt: 1, explained: true });
    expect(nearTie.soloMargin).toBeCloseTo(-0.69 + 0.6905, 9);
    const leak = compareWithSolo(solo, [step('x', -0.1, -3)], { isStop });
    expect(leak).toMatchObject({ divergedAt: 0, soloMargin: topMargin(solo[0]), explained: false });
  });

  it('log-probabilities moved beyond tolerance are not explained even with the same tokens', () => {
    expect(compareWithSolo(solo, [step('a', -0.2, -3), step('b', -0.69, -0.6905), step('c', -0.2, -2)], { isStop }).explained).toBe(false);
  });

  it('stopping early (an end token where the reference went on) is a divergence at that step', () => {
    expect(compareWithSolo(solo, [step('a', -0.1, -3)], { isStop })).toMatchObject({ divergedAt: 1, explained: true });
    expect(compareWithSolo(solo, [step('a', -0.1, -3), step('b', -0.69, -0.6905)], { isStop })).toMatchObject({
      divergedAt: 2,
      explained: false,
    });
  });
});
