/**
 * The live DPO oracle: reruns scripts/reference/dpo_reference.py (PyTorch) into a temp folder and
 * checks it still produces the committed fixture that DpoGraph.model.test.ts compares ggml with.
 * Skipped, with the reason printed, where /usr/bin/python3 lacks torch.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SafetensorsFile } from '@puyu/formats';
import { describe, expect, it } from 'vitest';

const PYTHON = '/usr/bin/python3';
const SCRIPT = resolve(import.meta.dirname, '../../../../scripts/reference/dpo_reference.py');
const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const skipReason =
  probe.status === 0 ? undefined : `${PYTHON} cannot import torch (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`;
if (skipReason) console.log(`[dpo torch oracle] skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('DPO PyTorch reference, live', () => {
  it('reproduces the committed loss, log-probs and gradients', async () => {
    const out = await mkdtemp(join(tmpdir(), 'puyu-dpo-ref-'));
    try {
      const r = spawnSync(PYTHON, [SCRIPT, out], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const live = JSON.parse(await readFile(join(out, 'dpo_batch.json'), 'utf8'));
      const committed = JSON.parse(await readFile(join(FIXTURES, 'dpo_batch.json'), 'utf8'));
      // Relative, a few float32 ulps: PyTorch's BLAS (Debian's reference BLAS or OpenBLAS, whichever
      // libblas.so.3 the machine has) changes the summation order, and the loss (~6.6) moves by an
      // ulp (4.8e-7) or two between them; the fixture's gradients are held to 1e-5 below.
      expect(Math.abs(live.loss - committed.loss)).toBeLessThan(1e-6 * Math.abs(committed.loss));
      expect(Math.abs(live.rpo_loss - committed.rpo_loss)).toBeLessThan(1e-6 * Math.abs(committed.rpo_loss));
      expect(live.rows).toEqual(committed.rows);
      for (const [i, s] of (live.seq_logp as number[]).entries()) expect(s).toBeCloseTo(committed.seq_logp[i], 4);
      for (const file of ['dpo_grads.safetensors', 'dpo_rpo_grads.safetensors']) {
        await using a = await SafetensorsFile.open(join(out, file));
        await using b = await SafetensorsFile.open(join(FIXTURES, file));
        for (const t of b.tensors) {
          const x = await a.readF32(t.name);
          const y = await b.readF32(t.name);
          let d = 0;
          let s = 0;
          for (let i = 0; i < y.length; i++) {
            d = Math.max(d, Math.abs(x[i] - y[i]));
            s = Math.max(s, Math.abs(y[i]));
          }
          expect(d / s, t.name).toBeLessThan(1e-5);
        }
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
