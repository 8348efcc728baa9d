import { readFile, writeFile } from 'node:fs/promises';
import type { InternLM2Config, InternLM2Weights } from '@puyu/model';
import { GgmlInternLM2 } from '../graph/GgmlInternLM2.js';
import { DpoModel } from './DpoModel.js';
import { type DpoBatcherOptions, dpoBatch } from './data/DpoBatcher.js';
import type { DpoExample } from './data/tokenizeDpoPair.js';

/** Held-out reward accuracy of the final policy, over all pairs and per `kind` when the lines carry one. */
export interface HeldOutRewards {
  pairs: number;
  reward_accuracy: number;
  reward_margin: number;
  byKind?: Record<string, { pairs: number; reward_accuracy: number; reward_margin: number }>;
}

/**
 * Scores every held-out pair with the trained policy and writes one line per pair to `path`
 * (`{file, line, kind?, reward_chosen, reward_rejected, margin}`), so a run's held-out accuracy
 * can be read pair by pair and, for data with a `kind` field (the generated calculator pairs),
 * kind by kind. Ties count one half, as in the step metrics.
 */
export async function heldOutRewards(
  path: string,
  model: { config: InternLM2Config; weights: InternLM2Weights; threads: number; beta: number; batch: Omit<DpoBatcherOptions, 'seed'> },
  val: readonly (DpoExample & { file: string })[],
  refs: Float64Array,
): Promise<HeldOutRewards> {
  const kindOf = new Map<string, string>();
  for (const file of new Set(val.map((e) => e.file))) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((l, i) => {
      try {
        const k = (JSON.parse(l) as { kind?: unknown }).kind;
        if (typeof k === 'string') kindOf.set(`${file}:${i + 1}`, k);
      } catch {
        // a line that is not JSON was skipped by the reader; it has no kind
      }
    });
  }
  using g = new GgmlInternLM2(model.config, model.weights, { threads: model.threads });
  using d = new DpoModel(g, model.beta);
  const rows: { file: string; line: number; kind?: string; reward_chosen: number; reward_rejected: number; margin: number }[] = [];
  for (let i = 0; i < val.length; i += model.batch.pairs) {
    const idx = Array.from({ length: Math.min(model.batch.pairs, val.length - i) }, (_, k) => i + k);
    const b = dpoBatch(val, idx, { ...model.batch, refs });
    const r = d.run(b, new Float64Array(idx.length), false);
    idx.forEach((e, p) => {
      const rc = model.beta * (r.seqLogp[2 * p] - b.ref[2 * p]);
      const rr = model.beta * (r.seqLogp[2 * p + 1] - b.ref[2 * p + 1]);
      const kind = kindOf.get(`${val[e].file}:${val[e].line}`);
      rows.push({
        file: val[e].file,
        line: val[e].line,
        ...(kind ? { kind } : {}),
        reward_chosen: rc,
        reward_rejected: rr,
        margin: rc - rr,
      });
    });
  }
  await writeFile(path, rows.map((x) => `${JSON.stringify(x)}\n`).join(''));
  const summary = (xs: typeof rows) => ({
    pairs: xs.length,
    reward_accuracy: xs.reduce((a, x) => a + (x.margin > 0 ? 1 : x.margin === 0 ? 0.5 : 0), 0) / xs.length,
    reward_margin: xs.reduce((a, x) => a + x.margin, 0) / xs.length,
  });
  const kinds = [...new Set(rows.flatMap((x) => (x.kind ? [x.kind] : [])))].sort();
  return {
    ...summary(rows),
    ...(kinds.length ? { byKind: Object.fromEntries(kinds.map((k) => [k, summary(rows.filter((x) => x.kind === k))])) } : {}),
  };
}
