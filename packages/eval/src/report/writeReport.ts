import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '@puyu/core';
import type { RunSummary } from '../runSummary.js';
import type { DatasetDef, ReportArtifacts, ScoredSample } from '../types.js';
import { formatScore, PARTIAL_NOTE, type SummaryRow, summaryCsv, summaryGrid, summaryMarkdown } from './summaryTable.js';
import { escapeHtml, groupedBarChart } from './svg.js';

/** Shared page chrome: one inline stylesheet, no external fetches, so the file opens anywhere (and offline). */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px}th,td{border:1px solid #ccc;padding:4px 8px;font-size:13px}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
details{margin:4px 0}summary{cursor:pointer}pre{white-space:pre-wrap;background:#f8f8f8;padding:6px;font-size:12px;max-height:240px;overflow:auto}
.ok{color:#1a7f37}.bad{color:#c62828}.muted{color:#777}
</style></head><body>
${body}
</body></html>
`;
}

function readScored(path: string, limit: number): ScoredSample[] {
  if (!existsSync(path)) return [];
  const out: ScoredSample[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    out.push(JSON.parse(line) as ScoredSample);
    if (out.length >= limit) break;
  }
  return out;
}

export interface ReportOptions {
  /** Samples shown per model × dataset (default 20). */
  samplesPerUnit?: number;
  /**
   * The run's datasets by the name their results carry (`mmlu`, `mmlu:ppl`): those with a
   * `reportArtifacts` hook add their own section. Without it the report has the generic parts only.
   */
  datasets?: ReadonlyMap<string, Pick<DatasetDef, 'reportArtifacts'>>;
}

/** Writes summary.md, summary.csv and report.html into the run folder. */
export async function writeReport(outDir: string, summary: RunSummary, opts: ReportOptions = {}): Promise<void> {
  const grid = summaryGrid(summary.results);
  writeFileSync(join(outDir, 'summary.md'), summaryMarkdown(grid));
  writeFileSync(join(outDir, 'summary.csv'), summaryCsv(grid));
  const sections = await datasetArtifacts(outDir, summary, opts.datasets);
  writeFileSync(join(outDir, 'report.html'), reportHtml(outDir, summary, opts.samplesPerUnit ?? 20, sections));
}

/** Calls each dataset's `reportArtifacts` hook once, with that dataset's results, in result order. */
async function datasetArtifacts(
  outDir: string,
  summary: RunSummary,
  datasets?: ReadonlyMap<string, Pick<DatasetDef, 'reportArtifacts'>>,
): Promise<ReportArtifacts[]> {
  const out: ReportArtifacts[] = [];
  if (!datasets) return out;
  for (const name of new Set(summary.results.map((r) => r.dataset))) {
    const hook = datasets.get(name)?.reportArtifacts;
    if (!hook) continue;
    const units = summary.results.filter((r) => r.dataset === name);
    const section = await hook({ outDir, units, scored: (u) => readScored(join(outDir, u.scoredFile), Number.POSITIVE_INFINITY) });
    if (section) out.push(section);
  }
  return out;
}

function artifactSection(a: ReportArtifacts): string {
  const files = a.files?.length
    ? `<p class="muted">${a.files.map((f) => `<a href="${escapeHtml(f)}">${escapeHtml(f)}</a>`).join(' · ')}</p>`
    : '';
  return `<h2>${escapeHtml(a.title)}</h2>${a.html}${files}`;
}

export function reportHtml(outDir: string, summary: RunSummary, samplesPerUnit: number, sections: readonly ReportArtifacts[] = []): string {
  const grid = summaryGrid(summary.results);
  const row = (r: SummaryRow) =>
    `<tr><td>${escapeHtml(r.dataset)}</td><td>${escapeHtml(r.metric)}</td><td>${escapeHtml(r.mode)}</td><td class="num">${r.samples}</td>${r.scores
      .map((s, i) => `<td class="num">${formatScore(s, r.partial[i])}</td>`)
      .join('')}</tr>`;
  const head = `<thead><tr><th>dataset</th><th>metric</th><th>mode</th><th>n</th>${grid.models.map((m) => `<th>${escapeHtml(m)}</th>`).join('')}</tr></thead>`;
  const table = [
    `<table>${head}<tbody>`,
    ...grid.rows.map(row),
    grid.rows.length > 1
      ? `<tr><th colspan="4">average</th>${grid.average.map((s) => `<th class="num">${formatScore(s)}</th>`).join('')}</tr>`
      : '',
    '</tbody></table>',
    // OpenCompass's summarizer groups and per-subject scores (MMLU, CMMLU, C-Eval, BBH).
    grid.details.length ? `<h3>Groups and subjects</h3><table>${head}<tbody>${grid.details.map(row).join('')}</tbody></table>` : '',
    [...grid.rows, ...grid.details].some((r) => r.partial.some(Boolean))
      ? `<p class="muted">${escapeHtml(PARTIAL_NOTE.replace('\\', ''))}</p>`
      : '',
  ].join('');
  const chart = groupedBarChart(
    grid.rows.map((r) => ({ label: r.dataset, values: r.scores })),
    grid.models,
    { title: 'Score by dataset (%)' },
  );
  const units = summary.results
    .map((u) => {
      const samples = readScored(join(outDir, u.scoredFile), samplesPerUnit);
      const metrics = Object.entries(u.metrics)
        .map(([k, v]) => `${escapeHtml(k)} ${v.toFixed(2)}`)
        .join(' · ');
      const rows = samples
        .map(
          (s) =>
            `<details><summary><span class="${s.correct ? 'ok' : 'bad'}">${s.correct ? '✓' : '✗'}</span> ${escapeHtml(s.id)} — extracted <code>${escapeHtml(
              String(s.extracted),
            )}</code>, gold <code>${escapeHtml(s.gold.slice(0, 80))}</code></summary><pre>${escapeHtml(s.output)}</pre></details>`,
        )
        .join('');
      return `<h3>${escapeHtml(u.model)} · ${escapeHtml(u.dataset)}</h3><p>${metrics} · ${u.samples} samples · ${
        u.errors ? `<span class="bad">${u.errors} provider errors</span>` : '0 errors'
      } · <span class="muted">${escapeHtml(u.predictionsFile)}</span></p>${rows}`;
    })
    .join('');
  const tasks = summary.tasks
    .map(
      (t) =>
        `<tr><td>${escapeHtml(t.id)}</td><td class="num">${t.samples}</td><td class="num">${t.cached}</td><td class="num">${t.errors}</td><td class="num">${(t.wallMs / 1000).toFixed(2)}</td></tr>`,
    )
    .join('');
  const body = `<h1>Evaluation report</h1>
<p class="muted">${escapeHtml(outDir)} · ${summary.status} · wall ${formatDuration(summary.wallMs / 1000)} · ${summary.requests.sent} requests sent, ${summary.requests.cached} answered from cache${
    summary.phases
      ? ` · load ${(summary.phases.loadMs / 1000).toFixed(2)} s, inference ${(summary.phases.inferMs / 1000).toFixed(2)} s, scoring ${(summary.phases.scoreMs / 1000).toFixed(2)} s`
      : ''
  }</p>
<h2>Summary</h2>${table}
<figure>${chart}</figure>
${sections.map(artifactSection).join('\n')}
<h2>Samples</h2><p class="muted">First ${samplesPerUnit} samples of each model × dataset; click a row for the raw output.</p>${units}
<h2>Tasks</h2><table><thead><tr><th>task</th><th>samples</th><th>cached</th><th>errors</th><th>busy s (sum)</th></tr></thead><tbody>${tasks}</tbody></table>`;
  return htmlPage('Puyu evaluation report', body);
}
