import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeLineage } from '@puyu/core/lineage';
import type { UnitResult } from '../runSummary.js';
import type { RunConfig } from './RunConfig.js';

/** The model files of `local:` entries: the only models a run can name as files. */
function localModels(config: RunConfig): string[] {
  return config.models
    .map((m) => (typeof m === 'string' ? m : (m.spec ?? '')))
    .filter((s) => s.startsWith('local:'))
    .map((s) => resolve(s.slice('local:'.length)))
    .filter((p) => existsSync(p));
}

/**
 * The finished run folder's lineage manifest: parents are the `local:` models and each dataset's
 * folder under the data root; metrics are the headline scores (`gsm8k`, or `model · gsm8k` when
 * the run compares several models). Models behind a URL are not files: a caller that served them
 * names their files (`RunOptions.lineage`).
 */
export async function recordEvalLineage(
  outDir: string,
  config: RunConfig,
  dirNames: readonly string[],
  results: readonly UnitResult[],
  given: { parents?: string[]; command?: string } = {},
) {
  const data = [...new Set(dirNames)].map((d) => join(resolve(config.dataRoot), d)).filter((p) => existsSync(p));
  const several = new Set(results.map((r) => r.model)).size > 1;
  const metrics = Object.fromEntries(results.map((r) => [several ? `${r.model} · ${r.dataset}` : r.dataset, r.score]));
  await writeLineage(outDir, {
    kind: 'eval',
    command: given.command,
    config,
    parents: [...localModels(config), ...(given.parents ?? []), ...data],
    metrics,
  });
}
