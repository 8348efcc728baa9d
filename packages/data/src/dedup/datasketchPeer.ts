import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nearDuplicateCorpus, shingleSet } from './nearDupFixture.js';

/** The corpus of the datasketch differential check (regenerated, never stored). */
export const DATASKETCH_CORPUS = { families: 60, words: 80, rates: [0, 0.01, 0.03, 0.05, 0.1], seed: 21 };

export function datasketchCorpus() {
  return nearDuplicateCorpus(DATASKETCH_CORPUS);
}

/** Runs packages/data/reference/datasketch_dedup.py with `dir` on PYTHONPATH; throws when python3 fails. */
export function runDatasketch(dir: string): { bands: number; rows: number; removed: string[] } {
  const input = datasketchCorpus()
    .map((d) => JSON.stringify({ id: d.id, shingles: [...shingleSet(d.text)] }))
    .join('\n');
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'reference', 'datasketch_dedup.py');
  const p = spawnSync('python3', [script], { input, encoding: 'utf8', env: { ...process.env, PYTHONPATH: dir }, maxBuffer: 1 << 26 });
  if (p.status !== 0) throw new Error(`datasketch failed: ${p.stderr.slice(-600)}`);
  return JSON.parse(p.stdout) as { bands: number; rows: number; removed: string[] };
}
