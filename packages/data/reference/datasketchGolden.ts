/**
 * Writes src/dedup/fixtures/datasketch-golden.json: datasketch's decisions on the corpus of
 * datasketch.test.ts (the same generator and seed), from its own code run in python3.
 *
 *   npx tsx --conditions=source packages/data/reference/datasketchGolden.ts [DATASKETCH_DIR]
 *
 * DATASKETCH_DIR (default .cache/datasketch) holds a checkout of ekzhu/datasketch (its
 * `datasketch/` package folder); numpy and scipy must be importable.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATASKETCH_CORPUS, runDatasketch } from '../src/dedup/datasketchPeer.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(process.argv[2] ?? join(here, '..', '..', '..', '.cache', 'datasketch'));
const r = runDatasketch(dir);
const commit = spawnSync('git', ['-C', '/work/.mirror/ekzhu+datasketch/repo', 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
writeFileSync(
  join(here, '..', 'src', 'dedup', 'fixtures', 'datasketch-golden.json'),
  `${JSON.stringify({ datasketch: commit || 'unknown', corpus: DATASKETCH_CORPUS, bands: r.bands, rows: r.rows, removed: r.removed })}\n`,
);
console.log(`datasketch removed ${r.removed.length}; bands ${r.bands} × rows ${r.rows}`);
