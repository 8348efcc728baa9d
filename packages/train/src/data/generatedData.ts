import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Version of the calculator generators (SFT dialogues and DPO pairs). Raise it whenever a
 * change alters what a seed generates, so a run folder holding the older files regenerates
 * them instead of silently training or evaluating on data the code no longer writes.
 * 2: a bare question's call copies the question's own expression text.
 */
export const CALCULATOR_GENERATOR_VERSION = 2;

/**
 * Writes `files` with `write` unless `out/generate.json` records exactly these settings (and
 * generator version) and every file exists. A rerun or resume therefore finds the very files
 * its fingerprint hashed, and changed settings regenerate rather than reuse. Returns whether
 * it wrote.
 */
export async function ensureGenerated(
  out: string,
  settings: object,
  files: readonly string[],
  write: () => Promise<void>,
): Promise<boolean> {
  const stamp = join(out, 'generate.json');
  const wanted = JSON.stringify({ ...settings, generator_version: CALCULATOR_GENERATOR_VERSION });
  const have = existsSync(stamp) ? await readFile(stamp, 'utf8') : undefined;
  if (have === wanted && files.every((f) => existsSync(f))) return false;
  await write();
  await writeFile(stamp, wanted);
  return true;
}
