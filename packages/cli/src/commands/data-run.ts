import type { Command } from 'commander';

/** `puyu data run PIPELINE.yaml` (filled in with the pipeline runner). */
export function registerDataRunCommand(_data: Command): void {}
