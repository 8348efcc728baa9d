/**
 * Data pipeline throughput (issue 12), on one core, everything in this run:
 *   floor       read the JSONL file and JSON.parse every line (nothing else)
 *   pipeline    `puyu data run` with the default recipe's operators (recipes/data-default.yaml)
 *   minhash     `puyu data dedup` end to end (read, parse, MinHash-LSH, write kept lines)
 *   sig         our MinHash-LSH alone on parsed texts (docs/s, the datatrove comparison)
 *   datatrove   datatrove's MinhashDedupSignature.get_shingles/get_signature + bucket matching
 *               (bench/data/datatrove_minhash.py; same 5-grams, 14 × 9 hashes)
 * Corpus: paragraphs of ../shared/datasets/paulgraham-essays as base documents (generated words
 * when absent), each with near-duplicates at controlled word-edit rates; exact Jaccard is computed
 * per family, so recall (J ≥ 0.8) and precision (nothing at J ≤ 0.6 removed) are printed for
 * ours and datatrove's. Prints the CPU and the load average, and warns when the load is high.
 *
 *   npm run bench:data [-- --families 2000 --reps 2]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dedupJsonl, exactJaccard, loadPipeline, NearDeduper, nearDuplicateCorpus, runPipelineConfig } from '@puyu/data';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    families: { type: 'string', default: '1500' },
    reps: { type: 'string', default: '2' },
    python: { type: 'string', default: 'python3' },
  },
});
const families = Number(values.families);
const reps = Number(values.reps);

const load = loadavg()[0] as number;
console.log(
  `CPU: ${cpus()[0]?.model} × ${cpus().length}; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
if (load > cpus().length * 0.5)
  console.log(`WARNING: load ${load.toFixed(1)} on ${cpus().length} cores — figures are measured under load and noisy.`);

// Base documents: the essays cut into 150-word pieces, each a distinct document.
const essays = join(ROOT, '..', 'shared', 'datasets', 'paulgraham-essays');
const bases: string[] = [];
if (existsSync(essays))
  for (const f of readdirSync(essays).filter((x) => x.endsWith('.txt') && x !== 'LICENSE.txt')) {
    const words = readFileSync(join(essays, f), 'utf8').split(/\s+/).filter(Boolean);
    for (let i = 0; i + 150 <= words.length; i += 150) bases.push(words.slice(i, i + 150).join(' '));
  }
const nFamilies = bases.length ? Math.min(families, bases.length) : families;
console.log(
  bases.length
    ? `corpus: ${nFamilies} 150-word pieces of the essays as bases`
    : 'corpus: generated words (../shared/datasets/paulgraham-essays absent)',
);
const rates = [0, 0.01, 0.02, 0.04, 0.08, 0.2];
const docs = nearDuplicateCorpus({ families: nFamilies, words: 150, rates, seed: 5, bases: bases.length ? bases : undefined });
const dir = mkdtempSync(join(tmpdir(), 'puyu-bench-data-'));
const input = join(dir, 'corpus.jsonl');
writeFileSync(input, `${docs.map((d) => JSON.stringify({ id: d.id, text: d.text, url: `https://example.org/${d.family}` })).join('\n')}\n`);
const mb = statSync(input).size / 1e6;
console.log(`${docs.length} documents, ${mb.toFixed(2)} MB`);

// Ground truth: exact Jaccard to earlier documents of the same family.
const truth = new Map<string, number>();
const byFamily = new Map<number, string[]>();
for (const d of docs) {
  const earlier = byFamily.get(d.family) ?? [];
  truth.set(d.id, Math.max(0, ...earlier.map((t) => exactJaccard(d.text, t))));
  earlier.push(d.text);
  byFamily.set(d.family, earlier);
}
function quality(removed: Set<string>): { recall: number; precision: number; lowRemoved: number } {
  let should = 0;
  let hit = 0;
  let good = 0;
  let low = 0;
  for (const d of docs) {
    const j = truth.get(d.id) as number;
    if (j >= 0.8) should++;
    if (!removed.has(d.id)) continue;
    if (j >= 0.8) hit++;
    if (j > 0.6) good++;
    else low++;
  }
  return { recall: hit / should, precision: removed.size ? good / removed.size : 1, lowRemoved: low };
}

const floor = () => {
  const t0 = performance.now();
  let n = 0;
  for (const l of readFileSync(input, 'utf8').split('\n')) if (l) n += (JSON.parse(l) as { text: string }).text.length > 0 ? 1 : 0;
  if (n !== docs.length) throw new Error(`floor parsed ${n} of ${docs.length} documents`);
  return (performance.now() - t0) / 1000;
};

const cfg = await loadPipeline(join(ROOT, 'recipes', 'data-default.yaml'));
const texts = docs.map((d) => d.text);
const rows: Record<string, number[]> = { floor: [], pipeline: [], minhash: [], sig: [], datatrove: [] };
let oursRemoved = new Set<string>();
let dtRemoved = new Set<string>();
const dtSrc = join(ROOT, '.cache', 'datatrove', 'src');
const hasDt = existsSync(join(dtSrc, 'datatrove', 'pipeline', 'dedup', 'minhash.py'));
if (!hasDt) console.log(`datatrove peer skipped: its source is not at ${dtSrc} (see packages/data/README.md, "Bench")`);
for (let r = 0; r < reps; r++) {
  rows.floor?.push(mb / floor());
  const out = join(dir, `run-${r}`);
  const res = await runPipelineConfig(
    { ...cfg, input: { ...cfg.input, paths: [input] }, output: { ...cfg.output, dir: out } },
    { silent: true },
  );
  rows.pipeline?.push(mb / (res.units[0]?.seconds as number));
  const s = await dedupJsonl(input, join(dir, `dedup-${r}.jsonl`), { silent: true, force: true });
  rows.minhash?.push(mb / s.seconds);
  const dd = new NearDeduper();
  const removed = new Set<string>();
  const t0 = performance.now();
  for (let i = 0; i < texts.length; i++) if (dd.check(texts[i] as string).duplicateOf >= 0) removed.add((docs[i] as { id: string }).id);
  rows.sig?.push(docs.length / ((performance.now() - t0) / 1000));
  oursRemoved = removed;
  if (hasDt) {
    const p = spawnSync(values.python as string, [join(ROOT, 'bench', 'data', 'datatrove_minhash.py'), input, dtSrc], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
      maxBuffer: 1 << 28,
    });
    if (p.status !== 0) console.log(`datatrove peer failed: ${p.stderr.slice(-800)}`);
    else {
      const o = JSON.parse(p.stdout.trim().split('\n').pop() as string) as { seconds: number; docs: number; removed_ids: string[] };
      rows.datatrove?.push(o.docs / o.seconds);
      dtRemoved = new Set(o.removed_ids);
    }
  }
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
console.log(`\nper core (single thread), median of ${reps} (range):`);
console.log(`  floor (read + JSON.parse)     ${med(rows.floor as number[]).toFixed(1)} MB/s (${range(rows.floor as number[])})`);
console.log(
  `  default pipeline              ${med(rows.pipeline as number[]).toFixed(2)} MB/s (${range(rows.pipeline as number[])}) = ${(med(rows.pipeline as number[]) / med(rows.floor as number[])).toFixed(3)}× the floor (goal ≥ 0.25)`,
);
console.log(
  `  puyu data dedup end to end    ${med(rows.minhash as number[]).toFixed(2)} MB/s (${range(rows.minhash as number[])}) = ${(med(rows.minhash as number[]) / med(rows.floor as number[])).toFixed(3)}× the floor`,
);
console.log(`  MinHash-LSH (ours)            ${med(rows.sig as number[]).toFixed(0)} docs/s`);
const qo = quality(oursRemoved);
console.log(`    recall@J≥0.8 ${qo.recall.toFixed(4)}, precision ${qo.precision.toFixed(4)}, removed at J≤0.6: ${qo.lowRemoved}`);
if (rows.datatrove?.length) {
  const qd = quality(dtRemoved);
  console.log(
    `  MinHash (datatrove)           ${med(rows.datatrove).toFixed(0)} docs/s → ours / datatrove = ${(med(rows.sig as number[]) / med(rows.datatrove)).toFixed(2)}× (goal ≥ 2)`,
  );
  console.log(`    recall@J≥0.8 ${qd.recall.toFixed(4)}, precision ${qd.precision.toFixed(4)}, removed at J≤0.6: ${qd.lowRemoved}`);
  const per = rows.sig?.map((v, i) => (v / (rows.datatrove?.[i] as number)).toFixed(2)).join(', ');
  console.log(`    ratio per repetition: ${per}`);
}
console.log(
  `load average at the end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
