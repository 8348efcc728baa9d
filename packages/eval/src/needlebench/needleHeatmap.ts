import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { heatColor, heatmapSvg } from '../report/svg.js';
import { safeName } from '../runner/partition.js';
import type { ReportArtifacts, ReportArtifactsInput, ScoredSample } from '../types.js';
import { Raster } from './png.js';

/** Mean score (0–100) per depth (rows) × length (columns) for one kind × language. */
export interface NeedleGrid {
  title: string;
  lengths: number[];
  depths: number[];
  values: (number | undefined)[][];
}

type Detail = { kind?: string; language?: string; length?: number; depth?: number };

/** Groups scored NeedleBench samples into one grid per kind × language (`single-en`, `multi-zh`, …). */
export function needleGrids(samples: readonly ScoredSample[], modelLabel = ''): NeedleGrid[] {
  const groups = new Map<string, ScoredSample[]>();
  for (const s of samples) {
    const d = (s.detail ?? {}) as Detail;
    const key = `${d.kind}-${d.language}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(s);
  }
  return [...groups.entries()].map(([key, list]) => {
    const det = (s: ScoredSample) => s.detail as Detail;
    const lengths = [...new Set(list.map((s) => det(s).length!))].sort((a, b) => a - b);
    const depths = [...new Set(list.map((s) => det(s).depth!))].sort((a, b) => a - b);
    const values = depths.map((depth) =>
      lengths.map((length) => {
        const cell = list.filter((s) => det(s).depth === depth && det(s).length === length);
        return cell.length ? (100 * cell.reduce((a, s) => a + s.score, 0)) / cell.length : undefined;
      }),
    );
    return { title: `${modelLabel ? `${modelLabel} · ` : ''}NeedleBench ${key}`, lengths, depths, values };
  });
}

const lengthLabel = (n: number) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));

export function needleHeatmapSvg(g: NeedleGrid): string {
  return heatmapSvg({
    title: g.title,
    xLabels: g.lengths.map(lengthLabel),
    yLabels: g.depths.map((d) => `${d}%`),
    values: g.values,
    xTitle: 'context length (tokens)',
    yTitle: 'needle depth',
  });
}

/** The same heatmap as a PNG, drawn in-process: cells, cell values and numeric axis labels (no title: the file name carries it). */
export function needleHeatmapPng(g: NeedleGrid): Buffer {
  const cell = 48;
  const scale = 2;
  const left = 60;
  const top = 10;
  const width = left + g.lengths.length * cell + 10;
  const height = top + g.depths.length * cell + 30;
  const img = new Raster(width, height);
  const black: [number, number, number] = [20, 20, 20];
  g.depths.forEach((depth, r) => {
    const label = `${depth}%`;
    img.text(left - 8 - Raster.textWidth(label, scale), top + r * cell + cell / 2 - 5, label, scale, black);
    g.lengths.forEach((_, c) => {
      const v = g.values[r][c];
      const rgb =
        v === undefined
          ? ([238, 238, 238] as [number, number, number])
          : (heatColor(v).match(/\d+/g)!.map(Number) as [number, number, number]);
      img.fillRect(left + c * cell, top + r * cell, cell - 1, cell - 1, rgb);
      if (v !== undefined) {
        const t = String(Math.round(v));
        img.text(left + c * cell + (cell - Raster.textWidth(t, scale)) / 2, top + r * cell + cell / 2 - 5, t, scale, black);
      }
    });
  });
  g.lengths.forEach((length, c) => {
    const t = lengthLabel(length);
    img.text(left + c * cell + (cell - Raster.textWidth(t, scale)) / 2, top + g.depths.length * cell + 10, t, scale, black);
  });
  return img.toPng();
}

/**
 * NeedleBench's report artefacts (its dataset's `reportArtifacts` hook): one SVG + PNG heatmap
 * per model × kind × language under `heatmaps/<model>/`, and the SVGs embedded in report.html.
 */
export function needleReportArtifacts(input: ReportArtifactsInput): ReportArtifacts | undefined {
  const svgs: string[] = [];
  const files: string[] = [];
  for (const u of input.units) {
    const rel = join('heatmaps', safeName(u.model));
    mkdirSync(join(input.outDir, rel), { recursive: true });
    for (const g of needleGrids(input.scored(u), u.model)) {
      const name = safeName(g.title.split('NeedleBench ').at(-1)!);
      const svg = needleHeatmapSvg(g);
      writeFileSync(join(input.outDir, rel, `${name}.svg`), svg);
      writeFileSync(join(input.outDir, rel, `${name}.png`), needleHeatmapPng(g));
      svgs.push(svg);
      files.push(join(rel, `${name}.png`));
    }
  }
  if (svgs.length === 0) return undefined;
  return { title: 'NeedleBench', html: svgs.map((h) => `<figure>${h}</figure>`).join(''), files };
}
