/** One bar group: a label and one value per series. */
export interface Bars {
  label: string;
  values: number[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759'];

/**
 * A horizontal bar chart as standalone SVG (no library: the report must render anywhere, and a
 * chart of a dozen bars needs no axis engine). One row per group, one bar per series.
 */
export function barChartSvg(title: string, series: string[], rows: Bars[], fmt: (v: number) => string = (v) => String(v)): string {
  const rowH = 14 * series.length + 8;
  const labelW = 190;
  const barW = 380;
  const h = 40 + rows.length * rowH + 20;
  const max = Math.max(1e-12, ...rows.flatMap((r) => r.values));
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 110}" height="${h}" font-family="sans-serif" font-size="11">`,
    `<text x="8" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ];
  series.forEach((s, i) => {
    out.push(`<rect x="${labelW + i * 120}" y="26" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`);
    out.push(`<text x="${labelW + i * 120 + 14}" y="35">${esc(s)}</text>`);
  });
  rows.forEach((r, ri) => {
    const y0 = 44 + ri * rowH;
    out.push(`<text x="${labelW - 6}" y="${y0 + rowH / 2}" text-anchor="end">${esc(r.label)}</text>`);
    r.values.forEach((v, si) => {
      const w = Math.max(0.5, (v / max) * barW);
      const y = y0 + si * 14;
      out.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="12" fill="${COLORS[si % COLORS.length]}"/>`);
      out.push(`<text x="${labelW + w + 4}" y="${y + 10}">${esc(fmt(v))}</text>`);
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
