/** Small inline-SVG charts for self-contained HTML (no script, no fonts to fetch). */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A colour-blind-safe categorical palette (Okabe–Ito). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

export interface BarGroup {
  label: string;
  /** One value per series, in series order; undefined = no bar. */
  values: (number | undefined)[];
  /** Optional [low, high] interval per series (confidence intervals). */
  intervals?: ([number, number] | undefined)[];
}

/** Grouped vertical bars on a 0–`max` axis (scores are percentages by default). */
export function groupedBarChart(
  groups: readonly BarGroup[],
  series: readonly string[],
  opts: { max?: number; title?: string } = {},
): string {
  const max = opts.max ?? 100;
  const barW = 18;
  const gap = 14;
  const groupW = Math.max(1, series.length) * barW + gap;
  const left = 44;
  const top = 28;
  const plotH = 220;
  // Wide enough for the bars, the title and a legend row of up to three series.
  const width = Math.max(left + Math.max(1, groups.length) * groupW + 20, left + Math.min(3, series.length) * 180, 420);
  const legendY = top + plotH + 70;
  const height = legendY + 18 * Math.ceil(series.length / 3) + 10;
  const y = (v: number) => top + plotH - (Math.max(0, Math.min(max, v)) / max) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11" role="img">`,
  );
  if (opts.title) parts.push(`<text x="${left}" y="16" font-size="13" font-weight="bold">${escapeHtml(opts.title)}</text>`);
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${Number(v.toFixed(1))}</text>`);
  }
  groups.forEach((g, gi) => {
    const x0 = left + gi * groupW + gap / 2;
    g.values.forEach((v, si) => {
      if (v === undefined) return;
      const x = x0 + si * barW;
      parts.push(
        `<rect x="${x}" y="${y(v)}" width="${barW - 2}" height="${top + plotH - y(v)}" fill="${PALETTE[si % PALETTE.length]}"><title>${escapeHtml(`${series[si]} · ${g.label}: ${v.toFixed(2)}`)}</title></rect>`,
      );
      const ci = g.intervals?.[si];
      if (ci) {
        const cx = x + (barW - 2) / 2;
        parts.push(`<line x1="${cx}" x2="${cx}" y1="${y(ci[0])}" y2="${y(ci[1])}" stroke="#333"/>`);
        parts.push(`<line x1="${cx - 4}" x2="${cx + 4}" y1="${y(ci[0])}" y2="${y(ci[0])}" stroke="#333"/>`);
        parts.push(`<line x1="${cx - 4}" x2="${cx + 4}" y1="${y(ci[1])}" y2="${y(ci[1])}" stroke="#333"/>`);
      }
    });
    const lx = x0 + (series.length * barW) / 2;
    parts.push(
      `<text x="${lx}" y="${top + plotH + 14}" text-anchor="end" transform="rotate(-35 ${lx} ${top + plotH + 14})">${escapeHtml(g.label)}</text>`,
    );
  });
  series.forEach((s, si) => {
    const lx = left + (si % 3) * 180;
    const ly = legendY + 18 * Math.floor(si / 3);
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${PALETTE[si % PALETTE.length]}"/>`);
    parts.push(`<text x="${lx + 14}" y="${ly}">${escapeHtml(s)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Linear colour scale red (0) → yellow → green (max), as NeedleBench's heatmaps read. */
export function heatColor(v: number, max = 100): string {
  const t = Math.max(0, Math.min(1, v / max));
  const stops = [
    [215, 48, 39],
    [254, 224, 139],
    [26, 152, 80],
  ];
  const [a, b, f] = t < 0.5 ? [stops[0], stops[1], t * 2] : [stops[1], stops[2], (t - 0.5) * 2];
  const c = a.map((x, i) => Math.round(x + (b[i] - x) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

export interface HeatmapInput {
  title: string;
  /** Column labels (e.g. context lengths). */
  xLabels: string[];
  /** Row labels (e.g. needle depths). */
  yLabels: string[];
  /** values[row][col], 0–100; undefined = not measured. */
  values: (number | undefined)[][];
  xTitle?: string;
  yTitle?: string;
}

/** A labelled heatmap with the value printed in each cell. */
export function heatmapSvg(h: HeatmapInput): string {
  const cell = 44;
  const left = 70;
  const top = 34;
  const width = left + h.xLabels.length * cell + 20;
  const height = top + h.yLabels.length * cell + 50;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11" role="img">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  parts.push(`<text x="${left}" y="18" font-size="13" font-weight="bold">${escapeHtml(h.title)}</text>`);
  h.yLabels.forEach((yl, r) => {
    parts.push(`<text x="${left - 6}" y="${top + r * cell + cell / 2 + 4}" text-anchor="end">${escapeHtml(yl)}</text>`);
    h.xLabels.forEach((_, c) => {
      const v = h.values[r]?.[c];
      const x = left + c * cell;
      const y = top + r * cell;
      const fill = v === undefined ? '#eee' : heatColor(v);
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${fill}"><title>${escapeHtml(`${h.yLabels[r]} × ${h.xLabels[c]}: ${v === undefined ? 'n/a' : v.toFixed(1)}`)}</title></rect>`,
      );
      if (v !== undefined) parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle">${Math.round(v)}</text>`);
    });
  });
  h.xLabels.forEach((xl, c) => {
    parts.push(
      `<text x="${left + c * cell + cell / 2}" y="${top + h.yLabels.length * cell + 14}" text-anchor="middle">${escapeHtml(xl)}</text>`,
    );
  });
  if (h.xTitle)
    parts.push(`<text x="${left + (h.xLabels.length * cell) / 2}" y="${height - 12}" text-anchor="middle">${escapeHtml(h.xTitle)}</text>`);
  if (h.yTitle)
    parts.push(
      `<text x="12" y="${top + (h.yLabels.length * cell) / 2}" transform="rotate(-90 12 ${top + (h.yLabels.length * cell) / 2})" text-anchor="middle">${escapeHtml(h.yTitle)}</text>`,
    );
  parts.push('</svg>');
  return parts.join('');
}
