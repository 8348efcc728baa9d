import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cohenKappa, fleissKappa, rankingTau } from './agreement.js';
import { type AgreementReference, checkAgainst } from './fixtures/agreementReference.js';

describe('agreement statistics', () => {
  it("match scikit-learn's Cohen's kappa, statsmodels' Fleiss' kappa and SciPy's Kendall tau-b (committed reference)", () => {
    const ref = JSON.parse(readFileSync(new URL('./fixtures/agreement.reference.json', import.meta.url), 'utf8')) as AgreementReference;
    expect(ref.cohen.length + ref.fleiss.length + ref.kendall.length).toBeGreaterThan(10);
    checkAgainst(ref);
  });

  it('gives the textbook edge cases', () => {
    expect(cohenKappa(['a', 'b', 'a'], ['a', 'b', 'a'])).toBe(1);
    expect(cohenKappa(['a', 'a'], ['a', 'a'])).toBeNull(); // no variation: undefined, not NaN
    expect(rankingTau(['c1', 'c2', 'c3'], ['c3', 'c2', 'c1'])).toBe(-1);
    expect(rankingTau(['c1', 'c2', 'c3'], ['c1', 'c2', 'c3'])).toBe(1);
    expect(() => fleissKappa([['a', 'b'], ['a']])).toThrow(RangeError);
  });
});
