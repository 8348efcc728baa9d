import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One input line a fine-tuning method left out, and why (the shape SFT and DPO both report). */
export interface SkippedLineReport {
  file: string;
  line: number;
  code: string;
  reason: string;
}

/**
 * Writes every skipped line to `out/skipped.jsonl` (one JSON object per line, also when none was
 * skipped, so a rerun never leaves a stale list) and logs the first 50; returns the file's path.
 * `what` names the lines in the log ("SFT", "preference").
 */
export async function writeSkippedReport(
  out: string,
  skipped: readonly SkippedLineReport[],
  what: string,
  log: (msg: string) => void,
): Promise<string> {
  const path = join(out, 'skipped.jsonl');
  await writeFile(path, skipped.map((s) => `${JSON.stringify(s)}\n`).join(''));
  if (skipped.length) {
    log(`skipped ${skipped.length} ${what} line(s) (all listed in ${path}):`);
    for (const s of skipped.slice(0, 50)) log(`  ${s.file}:${s.line} [${s.code}] ${s.reason}`);
    if (skipped.length > 50) log(`  … and ${skipped.length - 50} more`);
  }
  return path;
}
