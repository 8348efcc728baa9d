import type { GroupScore, SubsetScore } from '../runSummary.js';

/** The numbers a summary shows: one headline score per model × dataset, with its groups and subjects when it has them. */
export interface SummaryCell {
  model: string;
  dataset: string;
  metric: string;
  inferencer: string;
  score: number;
  samples: number;
  errors: number;
  /** The headline group's name when the headline is a summarizer group (`mmlu`, `ceval-test`). */
  headline?: string;
  groups?: GroupScore[];
  subsets?: SubsetScore[];
}

export interface SummaryRow {
  /** Dataset name, group name (`mmlu-stem`) or OpenCompass subject abbr (`lukaemon_mmlu_anatomy`). */
  dataset: string;
  metric: string;
  mode: string;
  samples: number;
  scores: (number | undefined)[];
  /** Per model: the score averages only some of the group's subjects (OpenCompass would print "-"). */
  partial: boolean[];
  errors: number;
}

export interface SummaryGrid {
  models: string[];
  /** One row per dataset: its headline. */
  rows: SummaryRow[];
  /** Summarizer groups, then subjects, of the datasets that have them, dataset by dataset. */
  details: SummaryRow[];
  /** Unweighted mean over datasets per model (OpenCompass's "average" row), only over datasets the model has. */
  average: (number | undefined)[];
}

const names = <T extends { name: string }>(lists: (readonly T[] | undefined)[]) => [
  ...new Set(lists.flatMap((l) => (l ?? []).map((x) => x.name))),
];

/** Group rows (all but the headline group, which is the dataset's own row) then subject rows of one dataset. */
function detailRows(models: readonly string[], mine: readonly SummaryCell[]): SummaryRow[] {
  const of = (m: string) => mine.find((c) => c.model === m);
  const mode = mine[0].inferencer;
  const headline = new Set(mine.map((c) => c.headline));
  const groups = names(mine.map((c) => c.groups))
    .filter((g) => !headline.has(g))
    .map((g): SummaryRow => {
      const hits = models.map((m) => of(m)?.groups?.find((x) => x.name === g));
      const first = hits.find((h) => h !== undefined)!;
      return {
        dataset: g,
        metric: first.metric,
        mode,
        samples: Math.max(...hits.map((h) => h?.samples ?? 0)),
        scores: hits.map((h) => h?.score),
        partial: hits.map((h) => h !== undefined && h.subsets < h.of),
        errors: 0,
      };
    });
  const subjects = names(mine.map((c) => c.subsets)).map((s): SummaryRow => {
    const hits = models.map((m) => of(m)?.subsets?.find((x) => x.name === s));
    return {
      dataset: s,
      metric: 'accuracy',
      mode,
      samples: Math.max(...hits.map((h) => h?.samples ?? 0)),
      scores: hits.map((h) => h?.score),
      partial: hits.map(() => false),
      errors: 0,
    };
  });
  return [...groups, ...subjects];
}

/** Arranges results as OpenCompass's summarizer does: datasets down, models across; groups and subjects below. */
export function summaryGrid(cells: readonly SummaryCell[]): SummaryGrid {
  const models = [...new Set(cells.map((c) => c.model))];
  const datasets = [...new Set(cells.map((c) => c.dataset))];
  const details: SummaryRow[] = [];
  const rows = datasets.map((dataset): SummaryRow => {
    const mine = cells.filter((c) => c.dataset === dataset);
    details.push(...detailRows(models, mine));
    const own = models.map((m) => mine.find((c) => c.model === m));
    return {
      dataset,
      metric: mine[0].metric,
      mode: mine[0].inferencer,
      samples: Math.max(...mine.map((c) => c.samples)),
      scores: own.map((c) => c?.score),
      partial: own.map((c) => {
        const g = c?.groups?.find((x) => x.name === c.headline);
        return g !== undefined && g.subsets < g.of;
      }),
      errors: mine.reduce((n, c) => n + c.errors, 0),
    };
  });
  const average = models.map((_, i) => {
    const v = rows.map((r) => r.scores[i]).filter((x): x is number => x !== undefined);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
  });
  return { models, rows, details, average };
}

/** A score with two decimals, `-` when absent, and `*` when it averages only some of its group's subjects. */
export const formatScore = (v: number | undefined, partial = false) => (v === undefined ? '-' : `${v.toFixed(2)}${partial ? '*' : ''}`);

/** The footnote for `*` cells. */
export const PARTIAL_NOTE = '\\* averages only the subjects that ran; OpenCompass reports a group with missing subjects as "-".';

function markdownTable(head: string[], rows: readonly SummaryRow[], average?: (number | undefined)[]): string[] {
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 3 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of rows)
    lines.push(
      `| ${[r.dataset, r.metric, r.mode, String(r.samples), ...r.scores.map((s, i) => formatScore(s, r.partial[i]))].join(' | ')} |`,
    );
  if (average) lines.push(`| ${['average', '', '', '', ...average.map((s) => formatScore(s))].join(' | ')} |`);
  return lines;
}

export function summaryMarkdown(grid: SummaryGrid): string {
  const head = ['dataset', 'metric', 'mode', 'n', ...grid.models];
  const lines = markdownTable(head, grid.rows, grid.rows.length > 1 ? grid.average : undefined);
  if (grid.details.length) lines.push('', '### Groups and subjects', '', ...markdownTable(head, grid.details));
  if ([...grid.rows, ...grid.details].some((r) => r.partial.some(Boolean))) lines.push('', PARTIAL_NOTE);
  return `${lines.join('\n')}\n`;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Datasets, then their groups and subjects, as one table (OpenCompass's summary CSV lists groups and subjects as rows too). */
export function summaryCsv(grid: SummaryGrid): string {
  const lines = [['dataset', 'metric', 'mode', 'n', ...grid.models].map(csvField).join(',')];
  for (const r of [...grid.rows, ...grid.details])
    lines.push([r.dataset, r.metric, r.mode, String(r.samples), ...r.scores.map((s) => formatScore(s))].map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}
