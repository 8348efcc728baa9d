/** Why an input record was skipped by a reader. */
export type MalformedReason =
  | 'bad_json'
  | 'not_an_object'
  | 'no_text'
  | 'bad_encoding'
  | 'line_too_long'
  | 'empty_file'
  | 'unreadable_file'
  /** A PDF or DOCX that @puyu/extract could not read (corrupt, encrypted, empty). */
  | 'extract_failed'
  | 'binary';

/** Counts of skipped input records with a few examples each: readers report, they never throw on data. */
export class MalformedLog {
  readonly counts: Partial<Record<MalformedReason, number>> = {};
  readonly examples: Partial<Record<MalformedReason, string[]>> = {};

  constructor(private readonly keepExamples = 3) {}

  add(reason: MalformedReason, where: string, sample = ''): void {
    this.counts[reason] = (this.counts[reason] ?? 0) + 1;
    const ex = this.examples[reason] ?? [];
    if (ex.length < this.keepExamples) ex.push(`${where}${sample ? `: ${preview(sample)}` : ''}`);
    this.examples[reason] = ex;
  }

  get total(): number {
    let n = 0;
    for (const v of Object.values(this.counts)) n += v ?? 0;
    return n;
  }

  merge(other: { counts: Partial<Record<MalformedReason, number>>; examples: Partial<Record<MalformedReason, string[]>> }): void {
    for (const [k, v] of Object.entries(other.counts)) {
      const r = k as MalformedReason;
      this.counts[r] = (this.counts[r] ?? 0) + (v ?? 0);
      const ex = this.examples[r] ?? [];
      for (const e of other.examples[r] ?? []) if (ex.length < this.keepExamples) ex.push(e);
      this.examples[r] = ex;
    }
  }

  toJSON(): { counts: Partial<Record<MalformedReason, number>>; examples: Partial<Record<MalformedReason, string[]>> } {
    return { counts: this.counts, examples: this.examples };
  }
}

/** A short printable preview: control characters shown as \\xNN, cut at 80 characters. */
export function preview(s: string, max = 80): string {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return cut.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
