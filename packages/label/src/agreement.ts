/**
 * Inter-annotator agreement. Cohen's kappa (two raters), Fleiss' kappa (a fixed number of raters
 * per unit) and Kendall's tau-b (two rankings). Checked against scikit-learn, statsmodels and
 * SciPy (fixtures/agreement.reference.json, agreement.test.ts; live in agreement.slow.test.ts).
 * A statistic that is undefined (no variation: 0/0) is null rather than NaN, so JSON carries it.
 */

/** Cohen's kappa of two equally long label lists (sklearn.metrics.cohen_kappa_score, unweighted). */
export function cohenKappa(a: readonly string[], b: readonly string[]): number | null {
  if (a.length !== b.length) throw new RangeError('cohenKappa: the two raters must label the same units');
  const n = a.length;
  if (n === 0) return null;
  const ca = new Map<string, number>();
  const cb = new Map<string, number>();
  let agree = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) agree++;
    ca.set(x, (ca.get(x) ?? 0) + 1);
    cb.set(y, (cb.get(y) ?? 0) + 1);
  }
  const po = agree / n;
  let pe = 0;
  for (const [k, v] of ca) pe += (v / n) * ((cb.get(k) ?? 0) / n);
  return pe === 1 ? null : (po - pe) / (1 - pe);
}

/**
 * Fleiss' kappa from per-unit label lists, each unit rated by the same number of raters
 * (statsmodels.stats.inter_rater.fleiss_kappa on the unit × category count table).
 */
export function fleissKappa(units: readonly (readonly string[])[]): number | null {
  if (units.length === 0) return null;
  const m = units[0]?.length ?? 0;
  if (m < 2 || units.some((u) => u.length !== m)) throw new RangeError('fleissKappa: every unit needs the same number (≥ 2) of ratings');
  const totals = new Map<string, number>();
  let pBarSum = 0;
  for (const u of units) {
    const counts = new Map<string, number>();
    for (const l of u) counts.set(l, (counts.get(l) ?? 0) + 1);
    let s = 0;
    for (const [l, c] of counts) {
      s += c * c;
      totals.set(l, (totals.get(l) ?? 0) + c);
    }
    pBarSum += (s - m) / (m * (m - 1));
  }
  const N = units.length;
  const pBar = pBarSum / N;
  let pe = 0;
  for (const c of totals.values()) pe += (c / (N * m)) ** 2;
  return pe === 1 ? null : (pBar - pe) / (1 - pe);
}

/** Kendall's tau-b of two score vectors (scipy.stats.kendalltau's default variant; handles ties). */
export function kendallTau(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new RangeError('kendallTau: the two vectors must be equally long');
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < x.length; i++)
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.sign((x[i] as number) - (x[j] as number));
      const dy = Math.sign((y[i] as number) - (y[j] as number));
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesX++;
      else if (dy === 0) tiesY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  const denom = Math.sqrt((concordant + discordant + tiesX) * (concordant + discordant + tiesY));
  return denom === 0 ? null : (concordant - discordant) / denom;
}

/** Kendall's tau-b of two rankings (ids best first) over the same ids. */
export function rankingTau(a: readonly string[], b: readonly string[]): number | null {
  const ids = [...a];
  return kendallTau(
    ids.map((id) => a.indexOf(id)),
    ids.map((id) => b.indexOf(id)),
  );
}
