import { seededRandom } from '../needlebench/tokens.js';

export interface BootstrapOptions {
  /** Resamples (default 1000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  seed?: number;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Percentile bootstrap of a mean over one or more strata: each resample draws every
 * stratum's samples with replacement (its size kept) and averages the stratum means.
 * With one stratum this is the plain bootstrap CI of a dataset score; with one stratum
 * per dataset it is the CI of the unweighted dataset average CompassRank reports, where
 * small datasets must not be swamped by large ones. Seeded, so pages rebuild identically.
 */
export function bootstrapMeanCI(
  strata: readonly (readonly number[])[],
  opts: BootstrapOptions = {},
): { mean: number; low: number; high: number } {
  const used = strata.filter((s) => s.length > 0);
  const mean = used.length ? used.reduce((a, s) => a + s.reduce((x, y) => x + y, 0) / s.length, 0) / used.length : Number.NaN;
  if (used.length === 0) return { mean, low: Number.NaN, high: Number.NaN };
  const random = seededRandom(opts.seed ?? 12345);
  const b = opts.resamples ?? 1000;
  const stats: number[] = new Array(b);
  for (let r = 0; r < b; r++) {
    let total = 0;
    for (const s of used) {
      let sum = 0;
      for (let i = 0; i < s.length; i++) sum += s[Math.floor(random() * s.length)];
      total += sum / s.length;
    }
    stats[r] = total / used.length;
  }
  stats.sort((x, y) => x - y);
  const alpha = (1 - (opts.level ?? 0.95)) / 2;
  return { mean, low: percentile(stats, alpha), high: percentile(stats, 1 - alpha) };
}
