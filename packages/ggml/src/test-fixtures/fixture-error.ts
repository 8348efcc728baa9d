import { PuyuError } from '@puyu/core';

/** An error class of a job's own package, unknown to runNativeJob unless passed in errorClasses. */
export class FixtureError extends PuyuError {}
