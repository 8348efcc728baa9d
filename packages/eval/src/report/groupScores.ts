/**
 * Per-subject scores and OpenCompass's summarizer groups (DefaultSummarizer._calculate_group_metrics
 * in opencompass/summarizers/default.py): a subject's score is its accuracy as a dataset of its own;
 * a group's score is the plain mean of its subjects' scores (`naive_average`), or, when the group has
 * `weights`, Σ score·weight / Σ weight (`weighted_average`). Groups none of whose subjects ran are
 * dropped, as OpenCompass drops them.
 *
 * One deliberate difference: OpenCompass prints a group with some subjects missing as an error
 * ("missing metrics"). A run limited to a few subjects (`--subsets`) should still get a headline,
 * so we average the subjects that ran and record how many of how many (`subsets` / `of`); reports
 * mark such partial scores.
 */
import type { GroupScore, SubsetScore } from '../runSummary.js';
import type { EvalSample, OpenCompassNames, ScoredSample } from '../types.js';

/** The sample a scored record belongs to: circular evaluation scores `<id>@circular:…` copies of one question. */
function baseId(id: string): string {
  const at = id.indexOf('@circular:');
  return at >= 0 ? id.slice(0, at) : id;
}

/** Mean sample score per OpenCompass dataset abbr, in percent, in the order subjects first appear. */
export function subsetScores(samples: readonly EvalSample[], scored: readonly ScoredSample[], names: OpenCompassNames): SubsetScore[] {
  const abbrOf = new Map(samples.map((s) => [baseId(s.id), names.abbr(s)]));
  const sums = new Map<string, { n: number; sum: number }>();
  for (const s of scored) {
    const abbr = abbrOf.get(baseId(s.id));
    if (abbr === undefined) continue;
    const acc = sums.get(abbr) ?? { n: 0, sum: 0 };
    acc.n++;
    acc.sum += s.score;
    sums.set(abbr, acc);
  }
  return [...sums].map(([name, { n, sum }]) => ({ name, samples: n, score: (100 * sum) / n }));
}

/** Every group of `names` with at least one subject that ran, in its display order. */
export function groupScores(subsets: readonly SubsetScore[], names: OpenCompassNames): GroupScore[] {
  const byName = new Map(subsets.map((s) => [s.name, s]));
  const out: GroupScore[] = [];
  for (const g of names.groups ?? []) {
    const present = g.subsets.map((n) => byName.get(n)).filter((s): s is SubsetScore => s !== undefined);
    if (present.length === 0) continue;
    const samples = present.reduce((a, s) => a + s.samples, 0);
    if (g.weights) {
      const w = (s: SubsetScore) => g.weights?.[s.name] ?? 0;
      const total = present.reduce((a, s) => a + w(s), 0);
      const score = total > 0 ? present.reduce((a, s) => a + s.score * w(s), 0) / total : Number.NaN;
      out.push({ name: g.name, metric: 'weighted_average', score, subsets: present.length, of: g.subsets.length, samples });
    } else {
      const score = present.reduce((a, s) => a + s.score, 0) / present.length;
      out.push({ name: g.name, metric: 'naive_average', score, subsets: present.length, of: g.subsets.length, samples });
    }
  }
  return out;
}

/** The headline group: the first of `names.headline` that ran. */
export function headlineGroup(groups: readonly GroupScore[], names: OpenCompassNames): GroupScore | undefined {
  for (const h of names.headline ?? []) {
    const g = groups.find((x) => x.name === h);
    if (g) return g;
  }
  return undefined;
}

/**
 * A scored dataset's per-subject scores, its groups and its headline group, for datasets with
 * OpenCompass summary groups (MMLU, CMMLU, C-Eval, BBH); `{}` for the others.
 */
export function summarizeSubsets(
  def: { openCompass?: OpenCompassNames },
  samples: readonly EvalSample[],
  result: { samples: readonly ScoredSample[] },
): { subsets?: SubsetScore[]; groups?: GroupScore[]; headline?: GroupScore } {
  const names = def.openCompass;
  if (!names?.groups?.length) return {};
  const subsets = subsetScores(samples, result.samples, names);
  const groups = groupScores(subsets, names);
  return { subsets, groups, headline: headlineGroup(groups, names) };
}
