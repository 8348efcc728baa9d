import { fileURLToPath } from 'node:url';
import { ConfigError, PuyuError } from '@puyu/core';
import { describe, expect, it } from 'vitest';
import { runNativeJob } from './runNativeJob.js';
import { FixtureError } from './test-fixtures/fixture-error.js';

// The jobs are TypeScript; the child runs them through tsx's loader like the tests do.
// These fixtures load no native library (runNativeJob.model.test.ts covers ggml aborts).
const env = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx`.trim() };
const fixture = (name: string) => fileURLToPath(new URL(`./test-fixtures/${name}`, import.meta.url));

describe('runNativeJob (settles once the child output is drained)', () => {
  it('keeps stderr written after the exit in the error (the GGML_ASSERT line)', async () => {
    const err = await runNativeJob(fixture('late-output-job.ts'), ['fail'], { env }).catch((e) => e);
    expect(err.code).toBe('NATIVE_JOB_FAILED');
    expect(err.message).toContain('exited with code 3');
    expect(err.message).toContain('GGML_ASSERT(late line) failed');
  });

  it('keeps a result message that arrives after the exit', async () => {
    const r = await runNativeJob(fixture('late-output-job.ts'), ['ok'], { env });
    expect(r.result).toEqual({ late: true });
  });
});

describe('runNativeJob errors keep their class and code across the process boundary', () => {
  it('returns the value of a job that succeeds', async () => {
    expect((await runNativeJob(fixture('throw-job.ts'), ['ok'], { env })).result).toEqual({ answer: 42 });
  });

  it('a @puyu/core class arrives as itself', async () => {
    const err = await runNativeJob(fixture('throw-job.ts'), ['config'], { env }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.name).toBe('ConfigError');
    expect(err.code).toBe('JOB_BAD_INPUT');
    expect(err.message).toBe('the input is bad; fix line 3.');
    expect(err.details).toMatchObject({ line: 3 });
  });

  it("a package's own class arrives as itself when named, else as PuyuError with its code", async () => {
    const named = await runNativeJob(fixture('throw-job.ts'), ['custom'], { env, errorClasses: [FixtureError] }).catch((e) => e);
    expect(named).toBeInstanceOf(FixtureError);
    expect(named).toMatchObject({ name: 'FixtureError', code: 'FIXTURE_FAILED', message: 'the fixture failed as asked.' });
    const unknown = await runNativeJob(fixture('throw-job.ts'), ['custom'], { env }).catch((e) => e);
    expect(unknown.constructor).toBe(PuyuError);
    expect(unknown).toMatchObject({ code: 'FIXTURE_FAILED', message: 'the fixture failed as asked.' });
    expect(unknown.details.childError).toBe('FixtureError');
  });

  it('an error that is not a PuyuError gets the fallback code', async () => {
    const err = await runNativeJob(fixture('throw-job.ts'), ['plain'], { env, errorCode: 'JOB_CRASHED' }).catch((e) => e);
    expect(err).toBeInstanceOf(PuyuError);
    expect(err.code).toBe('JOB_CRASHED');
    expect(err.message).toBe('TypeError: x is not a function');
  });
});
