import { open, stat } from 'node:fs/promises';

export interface MetricsRow {
  step: number;
  loss: number | null;
  lr?: number;
  grad_norm?: number;
  tokens?: number;
  tokens_per_s?: number;
  val_loss?: number | null;
}

function parseRow(line: string): MetricsRow | undefined {
  try {
    const r = JSON.parse(line) as MetricsRow;
    return typeof r?.step === 'number' ? r : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Follows a `metrics.jsonl` as `puyu train` appends to it. Reads only complete lines (a
 * half-written last line waits for its newline). When the file shrinks or is replaced — a
 * resumed run rewrites it crash-safely through a rename — the reader starts over and says so
 * with `reset`, so the page redraws instead of duplicating points.
 */
export class MetricsTail {
  private offset = 0;
  private ino = -1;
  private partial = '';

  constructor(readonly path: string) {}

  /** New rows since the last call; `reset` when the file was replaced or cut. */
  async poll(): Promise<{ reset: boolean; rows: MetricsRow[] }> {
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(this.path);
    } catch {
      return { reset: false, rows: [] };
    }
    let reset = false;
    if (st.ino !== this.ino || st.size < this.offset) {
      reset = this.ino !== -1;
      this.ino = st.ino;
      this.offset = 0;
      this.partial = '';
    }
    if (st.size === this.offset) return { reset, rows: [] };
    const fh = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(st.size - this.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      this.offset += bytesRead;
      const text = this.partial + buf.subarray(0, bytesRead).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      const rows = lines.map(parseRow).filter((r): r is MetricsRow => r !== undefined);
      return { reset, rows };
    } finally {
      await fh.close();
    }
  }
}
