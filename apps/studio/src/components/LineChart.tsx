import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  color: string;
  /** y per x (null = no point there). */
  values: (number | null)[];
  dash?: number[];
  /** Draw points only (sparse series such as held-out loss). */
  points?: boolean;
}

/** Axis ticks that stay readable for learning rates (1e-4) as well as token counts. */
function tick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a < 1e-2 || a >= 1e6 ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f'];
export const color = (i: number) => PALETTE[i % PALETTE.length];

/**
 * A uPlot line chart. The plot is made once per shape (series count) and then fed with
 * setData, so a live stream of points redraws without re-creating the canvas.
 */
export function LineChart({
  x,
  series,
  xLabel,
  yLabel,
  height = 280,
  testId,
}: {
  x: number[];
  series: Series[];
  xLabel: string;
  yLabel: string;
  height?: number;
  testId?: string;
}) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => `${s.label}|${s.color}|${s.points ? 1 : 0}`).join(';');

  // biome-ignore lint/correctness/useExhaustiveDependencies: the plot is rebuilt only when its shape changes; data flows through setData below
  useEffect(() => {
    if (!el.current) return;
    const opts: uPlot.Options = {
      width: el.current.clientWidth || 600,
      height,
      scales: { x: { time: false } },
      axes: [{ label: xLabel }, { label: yLabel, size: 64, values: (_u, ticks) => ticks.map(tick) }],
      series: [
        { label: xLabel },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          dash: s.dash,
          spanGaps: true,
          points: s.points ? { show: true, size: 6, fill: s.color } : { show: false },
          ...(s.points ? { paths: () => null } : {}),
        })),
      ],
    };
    plot.current = new uPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el.current);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: el.current?.clientWidth || 600, height }));
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape, height, xLabel, yLabel]);

  useEffect(() => {
    plot.current?.setData([x, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [x, series]);

  return <div ref={el} className="chart" data-testid={testId} data-points={x.length} data-last-x={x.at(-1) ?? ''} />;
}
