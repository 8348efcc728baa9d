export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  at: number;
  samples: PromSample[];
}

export const sum = (s: PromSample[], name: string) => s.filter((x) => x.name === name).reduce((a, x) => a + x.value, 0);

/** A histogram's per-bucket counts (Prometheus buckets are cumulative) and a quantile read off them. */
export function histogram(s: PromSample[], name: string) {
  const buckets = s
    .filter((x) => x.name === `${name}_bucket`)
    .map((x) => ({ le: x.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(x.labels.le), cum: x.value }))
    .sort((a, b) => a.le - b.le);
  const count = sum(s, `${name}_count`);
  const total = sum(s, `${name}_sum`);
  const rows = buckets.map((b, i) => ({ le: b.le, n: b.cum - (i ? buckets[i - 1].cum : 0) }));
  const quantile = (q: number) => buckets.find((b) => b.cum >= q * count)?.le;
  return {
    rows,
    count,
    mean: count ? total / count : undefined,
    p50: count ? quantile(0.5) : undefined,
    p95: count ? quantile(0.95) : undefined,
  };
}

/** Rate of a counter between the first and last scrape of a window, per second. */
export function rate(history: Scrape[], name: string, window = 5): number | null {
  if (history.length < 2) return null;
  const a = history[Math.max(0, history.length - 1 - window)];
  const b = history[history.length - 1];
  const dt = (b.at - a.at) / 1000;
  return dt > 0 ? (sum(b.samples, name) - sum(a.samples, name)) / dt : null;
}
