import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type AgreementReference, checkAgainst } from './fixtures/agreementReference.js';

// Live comparison: regenerates the reference with scikit-learn / statsmodels / SciPy and checks
// it equals the committed fixture and our numbers. Skipped (with the reason) without them.
const script = fileURLToPath(new URL('../scripts/agreement_reference.py', import.meta.url));
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import sklearn, scipy, statsmodels']).status === 0);

describe('agreement statistics, live reference', () => {
  it.skipIf(!python)('match a fresh scikit-learn / statsmodels / SciPy run', () => {
    const r = spawnSync(python as string, [script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const live = JSON.parse(r.stdout) as AgreementReference;
    checkAgainst(live);
  });
  if (!python)
    console.log(
      'skipped: python3 with sklearn, scipy and statsmodels is not installed (apt-get install python3-sklearn python3-scipy python3-statsmodels)',
    );
});
