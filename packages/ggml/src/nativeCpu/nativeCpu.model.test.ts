import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runNativeJob } from '../runNativeJob.js';
import { ensureNativeCpuBackend } from './ensureNativeCpu.js';
import type { CpuBackendInfo } from './loadCpuBackend.js';
import { nativeCpuContext } from './nativeCpuContext.js';

// The job is TypeScript; the child runs it through tsx's loader like the tests do.
const env = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx`.trim(), PUYU_THREADS: '1' };
const job = fileURLToPath(new URL('../test-fixtures/matmul-job.ts', import.meta.url));
type MatmulResult = { cpu: CpuBackendInfo; product: number[]; maxDiffFromLoops: number };

const plan = nativeCpuContext().plan;
const unavailable = plan.action === 'prebuilt' ? plan.reason : undefined;
if (unavailable) console.log(`skipping the native CPU backend checks: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('the native ggml CPU backend', () => {
  it(
    'is built (or found in the cache), loads in place of the prebuilt variant and multiplies like it',
    async () => {
      // compiles once per machine when the cache has no build yet (minutes on a loaded 2-core box)
      const ensured = await ensureNativeCpuBackend({ retry: true });
      expect(ensured.kind).toBe('native');
      const run = async (mode: string) =>
        (await runNativeJob(job, [], { env: { ...env, PUYU_NATIVE_CPU: mode }, timeoutMs: 120_000 })).result as MatmulResult;
      const native = await run('auto');
      const prebuilt = await run('off');
      expect(native.cpu.kind).toBe('native');
      expect(native.cpu.path).toBe(ensured.ctx.paths?.lib);
      expect(prebuilt.cpu.kind).toBe('prebuilt');
      expect(prebuilt.cpu.why).toBe('PUYU_NATIVE_CPU=off');
      expect(prebuilt.cpu.variant).not.toBe('native');
      // both against fp64-free plain loops (K = 256 products of values in ±0.5)
      expect(native.maxDiffFromLoops).toBeLessThan(1e-5);
      expect(prebuilt.maxDiffFromLoops).toBeLessThan(1e-5);
      let maxRel = 0;
      for (let i = 0; i < native.product.length; i++) {
        const d = Math.abs(native.product[i] - prebuilt.product[i]);
        maxRel = Math.max(maxRel, d / Math.max(1e-3, Math.abs(prebuilt.product[i])));
      }
      expect(maxRel).toBeLessThan(1e-5);
    },
    30 * 60_000,
  );
});
