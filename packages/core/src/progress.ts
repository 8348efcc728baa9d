/**
 * Progress for long work: a redrawn bar on a TTY, one line per update elsewhere
 * (CI logs, pipes), always with rate and ETA. Written to stderr so stdout stays
 * machine-readable.
 */
export interface ProgressOptions {
  total: number;
  label?: string;
  /** Where to write; defaults to process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Minimum ms between non-TTY lines (default 2000). */
  lineIntervalMs?: number;
  /** Unit name for the rate, e.g. "tok" → "tok/s". */
  unit?: string;
  /** Silence all output (tests). */
  silent?: boolean;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

export class Progress {
  private done = 0;
  private readonly start = Date.now();
  private lastLine = 0;
  private readonly opts: Required<Omit<ProgressOptions, 'stream'>> & { stream: NonNullable<ProgressOptions['stream']> };

  constructor(opts: ProgressOptions) {
    this.opts = {
      label: '',
      lineIntervalMs: 2000,
      unit: 'it',
      silent: false,
      stream: process.stderr,
      ...opts,
    };
  }

  get value(): number {
    return this.done;
  }

  /** Advances by `n` and redraws; `info` is appended (e.g. "loss 3.21"). */
  tick(n = 1, info = ''): void {
    this.done += n;
    this.render(info, false);
  }

  /** Sets the absolute position. */
  update(value: number, info = ''): void {
    this.done = value;
    this.render(info, false);
  }

  finish(info = ''): void {
    this.render(info, true);
  }

  /** The status line without decoration (also used by tests). */
  line(info = ''): string {
    const { total, label, unit } = this.opts;
    const elapsed = (Date.now() - this.start) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const eta = rate > 0 ? (total - this.done) / rate : Number.NaN;
    const pct = total > 0 ? Math.min(100, (100 * this.done) / total) : 100;
    const parts = [
      label,
      `${this.done}/${total}`,
      `${pct.toFixed(1)}%`,
      `${rate.toFixed(rate < 10 ? 2 : 0)} ${unit}/s`,
      `ETA ${formatDuration(eta)}`,
    ];
    if (info) parts.push(info);
    return parts.filter(Boolean).join(' | ');
  }

  private render(info: string, final: boolean): void {
    if (this.opts.silent) return;
    const s = this.opts.stream;
    const text = this.line(info);
    if (s.isTTY) {
      const width = 24;
      const frac = this.opts.total > 0 ? Math.min(1, this.done / this.opts.total) : 1;
      const filled = Math.round(frac * width);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
      s.write(`\r\x1b[2K${bar} ${text}${final ? '\n' : ''}`);
      return;
    }
    const now = Date.now();
    if (final || now - this.lastLine >= this.opts.lineIntervalMs) {
      this.lastLine = now;
      s.write(`${text}\n`);
    }
  }
}
