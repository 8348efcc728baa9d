/** The numbers a summary shows: one headline score per model × dataset. */
export interface SummaryCell {
  model: string;
  dataset: string;
  metric: string;
  inferencer: string;
  score: number;
  samples: number;
  errors: number;
}

export interface SummaryGrid {
  models: string[];
  rows: { dataset: string; metric: string; mode: string; samples: number; scores: (number | undefined)[]; errors: number }[];
  /** Unweighted mean over datasets per model (OpenCompass's "average" row), only over datasets the model has. */
  average: (number | undefined)[];
}

/** Arranges results as OpenCompass's summarizer does: datasets down, models across. */
export function summaryGrid(cells: readonly SummaryCell[]): SummaryGrid {
  const models = [...new Set(cells.map((c) => c.model))];
  const datasets = [...new Set(cells.map((c) => c.dataset))];
  const rows = datasets.map((dataset) => {
    const mine = cells.filter((c) => c.dataset === dataset);
    return {
      dataset,
      metric: mine[0].metric,
      mode: mine[0].inferencer,
      samples: Math.max(...mine.map((c) => c.samples)),
      scores: models.map((m) => mine.find((c) => c.model === m)?.score),
      errors: mine.reduce((n, c) => n + c.errors, 0),
    };
  });
  const average = models.map((_, i) => {
    const v = rows.map((r) => r.scores[i]).filter((x): x is number => x !== undefined);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
  });
  return { models, rows, average };
}

const fmt = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));

export function summaryMarkdown(grid: SummaryGrid): string {
  const head = ['dataset', 'metric', 'mode', 'n', ...grid.models];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 3 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of grid.rows) lines.push(`| ${[r.dataset, r.metric, r.mode, String(r.samples), ...r.scores.map(fmt)].join(' | ')} |`);
  if (grid.rows.length > 1) lines.push(`| ${['average', '', '', '', ...grid.average.map(fmt)].join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function summaryCsv(grid: SummaryGrid): string {
  const lines = [['dataset', 'metric', 'mode', 'n', ...grid.models].map(csvField).join(',')];
  for (const r of grid.rows) lines.push([r.dataset, r.metric, r.mode, String(r.samples), ...r.scores.map(fmt)].map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}
