/**
 * Re-runs the Python transcription of OpenCompass (scripts/reference/opencompass_goldens.py) and
 * checks the committed goldens are what it produces now. Skipped, with the reason printed, where
 * /usr/bin/python3 is missing.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GOLDENS_URL } from './differential.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../../scripts/reference/opencompass_goldens.py', import.meta.url));
const probe = spawnSync(PYTHON, ['--version'], { encoding: 'utf8' });
const skip = probe.status !== 0 ? `${PYTHON} is not available (${probe.error?.message ?? probe.stderr})` : '';
if (skip) console.log(`skipping the live OpenCompass goldens check: ${skip}`);

describe.skipIf(Boolean(skip))('OpenCompass goldens are current', () => {
  it('the Python transcription reproduces the committed file byte for byte', () => {
    const r = spawnSync(PYTHON, [SCRIPT], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const committed = readFileSync(GOLDENS_URL, 'utf8');
    // Compare line by line so a failure names the first stale case rather than a 300 kB diff.
    const a = r.stdout.split('\n');
    const b = committed.split('\n');
    const first = a.findIndex((l, i) => l !== b[i]);
    expect(first === -1 ? null : { line: first + 1, python: a[first], committed: b[first] }).toBeNull();
    expect(a.length).toBe(b.length);
  }, 180_000);
});
