import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { optimalLshParams } from './lshParams.js';

/** Golden from scipy.integrate.quad running datasketch's _optimal_param (fixtures/optimal-params.scipy.json). */
const golden = JSON.parse(readFileSync(new URL('./fixtures/optimal-params.scipy.json', import.meta.url), 'utf8')) as {
  threshold: number;
  numPerm: number;
  bands: number;
  rows: number;
}[];

describe('optimalLshParams', () => {
  it.each(golden)('matches datasketch/scipy at threshold $threshold, $numPerm permutations', (g) => {
    expect(optimalLshParams(g.threshold, g.numPerm)).toEqual({ bands: g.bands, rows: g.rows });
  });
  it('rejects a threshold outside (0, 1)', () => {
    expect(() => optimalLshParams(1.2, 128)).toThrow(/DATA_BAD_OPTION|threshold/);
  });
});
