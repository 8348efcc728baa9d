import { escapeHtml, groupedBarChart } from '../report/svg.js';
import { htmlPage } from '../report/writeReport.js';
import { type BootstrapOptions, bootstrapMeanCI } from './bootstrap.js';
import type { BoardEntry } from './collectRuns.js';

export interface RankedModel {
  model: string;
  rank: number;
  /** Unweighted mean over the datasets the model has, with its stratified bootstrap CI (percent). */
  average: { mean: number; low: number; high: number };
  /** Datasets of the board the model was not evaluated on (its average is over fewer datasets). */
  missing: string[];
  cells: Record<string, { score: number; low: number; high: number; n: number; metric: string }>;
}

/** Ranks models by average score; ties in rank when CIs overlap are not merged (the CI column shows overlap). */
export function rankModels(entries: readonly BoardEntry[], opts: BootstrapOptions = {}): { datasets: string[]; models: RankedModel[] } {
  const datasets = [...new Set(entries.map((e) => e.dataset))].sort();
  const models = [...new Set(entries.map((e) => e.model))].map((model) => {
    const mine = entries.filter((e) => e.model === model);
    const cells: RankedModel['cells'] = {};
    for (const e of mine) {
      const ci = bootstrapMeanCI([e.sampleScores], opts);
      cells[e.dataset] = { score: e.score, low: 100 * ci.low, high: 100 * ci.high, n: e.sampleScores.length, metric: e.metric };
    }
    const avg = bootstrapMeanCI(
      mine.map((e) => e.sampleScores),
      opts,
    );
    const headline = mine.reduce((a, e) => a + e.score, 0) / Math.max(1, mine.length);
    return {
      model,
      rank: 0,
      average: { mean: headline, low: 100 * avg.low, high: 100 * avg.high },
      missing: datasets.filter((d) => !cells[d]),
      cells,
    };
  });
  models.sort((a, b) => b.average.mean - a.average.mean || a.model.localeCompare(b.model));
  models.forEach((m, i) => {
    m.rank = i > 0 && m.average.mean === models[i - 1].average.mean ? models[i - 1].rank : i + 1;
  });
  return { datasets, models };
}

/** A static CompassRank-style page: ranked table with 95% bootstrap intervals, and a bar chart with error bars. */
export function leaderboardHtml(entries: readonly BoardEntry[], opts: BootstrapOptions & { title?: string } = {}): string {
  const { datasets, models } = rankModels(entries, opts);
  const ci = (c: { low: number; high: number }) => `<span class="muted">[${c.low.toFixed(1)}, ${c.high.toFixed(1)}]</span>`;
  const head = `<tr><th>rank</th><th>model</th><th>average</th>${datasets.map((d) => `<th>${escapeHtml(d)}</th>`).join('')}</tr>`;
  const rows = models
    .map(
      (m) =>
        `<tr><td class="num">${m.rank}</td><td>${escapeHtml(m.model)}${m.missing.length ? ` <span class="muted" title="missing: ${escapeHtml(m.missing.join(', '))}">*</span>` : ''}</td><td class="num"><b>${m.average.mean.toFixed(2)}</b> ${ci(m.average)}</td>${datasets
          .map((d) => {
            const c = m.cells[d];
            return c
              ? `<td class="num" title="${escapeHtml(`${c.metric}, n=${c.n}`)}">${c.score.toFixed(2)} ${ci(c)}</td>`
              : '<td class="num muted">-</td>';
          })
          .join('')}</tr>`,
    )
    .join('');
  const chart = groupedBarChart(
    datasets.map((d) => ({
      label: d,
      values: models.map((m) => m.cells[d]?.score),
      intervals: models.map((m) => (m.cells[d] ? ([m.cells[d].low, m.cells[d].high] as [number, number]) : undefined)),
    })),
    models.map((m) => m.model),
    { title: 'Score by dataset with 95% bootstrap intervals' },
  );
  const body = `<h1>${escapeHtml(opts.title ?? 'Puyu leaderboard')}</h1>
<p class="muted">${models.length} models · ${datasets.length} datasets · scores in percent; brackets are 95% percentile-bootstrap intervals over samples (${opts.resamples ?? 1000} resamples; the average's interval resamples every dataset at once). * = not evaluated on every dataset.</p>
<table><thead>${head}</thead><tbody>${rows}</tbody></table>
<figure>${chart}</figure>`;
  return htmlPage(opts.title ?? 'Puyu leaderboard', body);
}
