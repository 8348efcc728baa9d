import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runNativeJob } from './runNativeJob.js';

// The jobs are TypeScript; the child runs them through tsx's loader like the tests do.
const env = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx`.trim() };
const fixture = (name: string) => fileURLToPath(new URL(`./test-fixtures/${name}`, import.meta.url));

describe('runNativeJob', () => {
  it('returns the child result', async () => {
    const r = await runNativeJob(fixture('ok-job.ts'), ['x'], { env });
    expect(r.result).toEqual({ backend: 'CPU', args: ['x'] });
  });

  it('turns a ggml abort into a clean EngineError with the last message', async () => {
    const err = await runNativeJob(fixture('abort-job.ts'), [], { env }).catch((e) => e);
    expect(err.code).toBe('NATIVE_JOB_FAILED');
    expect(err.details.signal).toBe('SIGABRT');
    expect(err.message).toMatch(/GGML_ASSERT|not enough space/);
    expect(err.message).toContain('about to overflow a ggml arena');
  });
});
