// A job that ends with the outcome its first argument names (no ggml needed).
import { ConfigError } from '@puyu/core';
import { serveNativeJob } from '../serveNativeJob.js';
import { FixtureError } from './fixture-error.js';

await serveNativeJob(([mode]) => {
  if (mode === 'config') throw new ConfigError('JOB_BAD_INPUT', 'the input is bad; fix line 3.', { details: { line: 3 } });
  if (mode === 'custom') throw new FixtureError('FIXTURE_FAILED', 'the fixture failed as asked.');
  if (mode === 'plain') throw new TypeError('x is not a function');
  return { answer: 42 };
});
