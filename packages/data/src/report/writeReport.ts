import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { preview } from '../io/Malformed.js';
import type { PipelineConfig } from '../pipeline/config.js';
import type { mergeUnitStats } from '../pipeline/UnitStats.js';
import { barChartSvg } from './barChartSvg.js';

type Merged = ReturnType<typeof mergeUnitStats>;

const pct = (a: number, b: number) => (b > 0 ? `${((100 * a) / b).toFixed(1)}%` : '–');
const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

/**
 * A run's report: Markdown with tables (documents and bytes kept per stage, drop reasons with
 * examples, malformed input, length and language histograms) and SVG charts beside it.
 */
export async function writeReport(path: string, cfg: PipelineConfig, m: Merged): Promise<void> {
  const dir = dirname(path);
  const stem = basename(path, '.md');
  await mkdir(dir, { recursive: true });
  const stageRows = [
    { label: 'input', values: [m.read, m.bytesRead / 1e6] },
    ...m.stages.map((s) => ({ label: s.name, values: [s.docsOut, s.bytesOut / 1e6] })),
  ];
  const charts: [string, string][] = [
    [
      `${stem}-docs.svg`,
      barChartSvg(
        'Documents kept after each stage',
        ['documents'],
        stageRows.map((r) => ({ label: r.label, values: [r.values[0] as number] })),
      ),
    ],
    [
      `${stem}-bytes.svg`,
      barChartSvg(
        'MB kept after each stage',
        ['MB'],
        stageRows.map((r) => ({ label: r.label, values: [r.values[1] as number] })),
        (v) => v.toFixed(2),
      ),
    ],
  ];
  const drops = m.stages.flatMap((s) => Object.entries(s.drops).map(([k, v]) => ({ stage: s.name, reason: k, n: v })));
  drops.sort((a, b) => b.n - a.n);
  if (drops.length > 0)
    charts.push([
      `${stem}-drops.svg`,
      barChartSvg(
        'Documents dropped, by reason',
        ['documents'],
        drops.map((d) => ({ label: d.reason, values: [d.n] })),
      ),
    ]);
  const lengths = Object.entries(m.lengthHistogram)
    .map(([b, n]) => [Number(b), n] as const)
    .sort((a, b) => a[0] - b[0]);
  if (lengths.length > 0)
    charts.push([
      `${stem}-lengths.svg`,
      barChartSvg(
        'Kept documents by length (characters)',
        ['documents'],
        lengths.map(([b, n]) => ({ label: `${2 ** b}–${2 ** (b + 1) - 1}`, values: [n] })),
      ),
    ]);
  const langs = Object.entries(m.languages).sort((a, b) => b[1] - a[1]);
  if (langs.length > 0)
    charts.push([
      `${stem}-languages.svg`,
      barChartSvg(
        'Kept documents by language',
        ['documents'],
        langs.slice(0, 20).map(([l, n]) => ({ label: l, values: [n] })),
      ),
    ]);
  for (const [name, svg] of charts) await writeFile(join(dir, name), svg);

  const md: string[] = [
    `# Data pipeline report: ${cfg.name}`,
    '',
    `${m.units} shard(s); read ${m.read} documents (${mb(m.bytesRead)}), kept ${m.kept} (${pct(m.kept, m.read)}; ${mb(m.bytesKept)}, ${pct(m.bytesKept, m.bytesRead)} of bytes); ${m.seconds.toFixed(1)} s of shard time.`,
    '',
    '## Per stage',
    '',
    '| stage | docs in | docs out | kept | MB in | MB out | seconds | events |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...m.stages.map(
      (s) =>
        `| ${s.name} | ${s.docsIn} | ${s.docsOut} | ${pct(s.docsOut, s.docsIn)} | ${(s.bytesIn / 1e6).toFixed(2)} | ${(s.bytesOut / 1e6).toFixed(2)} | ${Object.entries(
          s.events,
        )
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')} |`,
    ),
    '',
    ...charts.map(([name]) => `![${name}](${name})`),
    '',
    '## Drop reasons',
    '',
    '| stage | reason | documents | share of input | example |',
    '|---|---|---:|---:|---|',
    ...drops.map((d) => {
      const ex = m.stages.find((s) => s.name === d.stage)?.examples[d.reason]?.[0];
      return `| ${d.stage} | ${d.reason} | ${d.n} | ${pct(d.n, m.read)} | ${ex ? `\`${ex.id}\`: ${cell(ex.text)}` : ''} |`;
    }),
    '',
    '## Malformed input (skipped by the readers)',
    '',
    ...(Object.keys(m.malformed.counts).length === 0
      ? ['None.']
      : [
          '| reason | count | examples |',
          '|---|---:|---|',
          ...Object.entries(m.malformed.counts).map(
            ([k, v]) => `| ${k} | ${v} | ${((m.malformed.examples as Record<string, string[]>)[k] ?? []).map(cell).join('<br>')} |`,
          ),
        ]),
    '',
    '## Languages of kept documents',
    '',
    '| language | documents |',
    '|---|---:|',
    ...langs.map(([l, n]) => `| ${l} | ${n} |`),
    '',
  ];
  await writeFile(path, md.join('\n'));
  await writeFile(join(dir, `${stem}.json`), `${JSON.stringify(m, null, 1)}\n`);
}

function cell(s: string): string {
  return preview(s.replace(/\s+/g, ' '), 100).replace(/\|/g, '\\|');
}
