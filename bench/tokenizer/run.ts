/**
 * Encode throughput: our SentencePiece tokenizer vs python `sentencepiece` on the same text,
 * the peer run as a child process of this one. Prints MB/s for both and the ratio.
 *
 *   npm run bench:tokenizer [-- --mb 4 --reps 3 --model ../shared/models/internlm2-tokenizer/tokenizer.model]
 *
 * Text: lines from the shared datasets (English math/code/essays, Chinese CMMLU questions),
 * read at run time and never committed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SentencePieceTokenizer } from '../../packages/formats/src/tokenizer/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '4' },
    reps: { type: 'string', default: '3' },
    model: { type: 'string', default: resolve(ROOT, '../shared/models/internlm2-tokenizer/tokenizer.model') },
    datasets: { type: 'string', default: resolve(ROOT, '../shared/datasets') },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const targetBytes = Number(values.mb) * 1e6;
const reps = Number(values.reps);
const DATA = values.datasets as string;

function jsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Interleaves English, code and Chinese sources so none dominates, until `targetBytes`. */
function buildLines(): string[] {
  const sources: string[][] = [];
  const gsm = join(DATA, 'gsm8k/train.jsonl');
  if (existsSync(gsm)) sources.push(jsonl(gsm).flatMap((r) => [String(r.question), String(r.answer)]));
  const math = join(DATA, 'math/test.jsonl');
  if (existsSync(math)) sources.push(jsonl(math).flatMap((r) => [String(r.problem), String(r.solution)]));
  const he = join(DATA, 'humaneval/HumanEval.jsonl');
  if (existsSync(he)) sources.push(jsonl(he).flatMap((r) => [String(r.prompt), String(r.canonical_solution)]));
  const pg = join(DATA, 'paulgraham-essays');
  if (existsSync(pg)) {
    sources.push(
      readdirSync(pg)
        .filter((f) => f.endsWith('.txt'))
        .flatMap((f) => readFileSync(join(pg, f), 'utf8').split('\n\n')),
    );
  }
  const cm = join(DATA, 'cmmlu/test');
  if (existsSync(cm)) {
    // CMMLU rows: question and four options; one line per row keeps Chinese text realistic.
    sources.push(
      readdirSync(cm).flatMap((f) =>
        readFileSync(join(cm, f), 'utf8')
          .split('\n')
          .slice(1)
          .filter((l) => l.trim()),
      ),
    );
  }
  if (sources.length === 0) throw new Error(`no datasets found under ${DATA}`);
  // No line is used twice: repeats would flatter our chunk cache (python has none).
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < targetBytes; i++) {
    let added = false;
    for (const s of sources) {
      if (i >= s.length) continue;
      lines.push(s[i]);
      bytes += Buffer.byteLength(s[i]);
      added = true;
    }
    if (!added) break;
  }
  return lines;
}

function main(): void {
  if (!existsSync(values.model as string)) {
    console.error(`model not found: ${values.model}`);
    process.exit(2);
  }
  const lines = buildLines();
  const dir = mkdtempSync(join(tmpdir(), 'puyu-bench-tok-'));
  try {
    const input = join(dir, 'lines.json');
    writeFileSync(input, JSON.stringify(lines));
    const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);

    // Ours: a fresh tokenizer per repetition so the chunk cache starts cold every time;
    // one short warm-up pass on another instance lets the JIT compile first.
    SentencePieceTokenizer.load(values.model as string).encode(lines.slice(0, 2000).join('\n'));
    let best = Number.POSITIVE_INFINITY;
    let tokens = 0;
    let checksum = 0;
    for (let r = 0; r < reps; r++) {
      const tok = SentencePieceTokenizer.load(values.model as string);
      const t0 = performance.now();
      const all = lines.map((l) => tok.encode(l));
      best = Math.min(best, (performance.now() - t0) / 1000);
      tokens = 0;
      checksum = 0;
      for (const ids of all) {
        tokens += ids.length;
        for (const id of ids) checksum = (checksum * 31 + id) % 2147483647;
      }
    }

    const peerOut = execFileSync(
      values.python as string,
      [join(ROOT, 'scripts/reference/sentencepiece_bench.py'), '--model', values.model as string, '--input', input, '--reps', String(reps)],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    const peer = JSON.parse(peerOut.trim().split('\n').pop() as string) as {
      seconds: number;
      tokens: number;
      checksum: number;
      version: string;
    };
    const oursMBs = bytes / 1e6 / best;
    const peerMBs = bytes / 1e6 / peer.seconds;
    console.log(`text: ${lines.length} lines, ${(bytes / 1e6).toFixed(2)} MB, ${tokens} tokens, best of ${reps}`);
    console.log(`puyu SentencePieceTokenizer : ${oursMBs.toFixed(2)} MB/s (${best.toFixed(3)} s)`);
    console.log(`python sentencepiece ${peer.version} : ${peerMBs.toFixed(2)} MB/s (${peer.seconds.toFixed(3)} s)`);
    console.log(`ratio (puyu / python): ${(oursMBs / peerMBs).toFixed(2)}x`);
    const same = peer.tokens === tokens && peer.checksum === checksum;
    console.log(`same ids: ${same ? 'yes' : `NO (tokens ${tokens} vs ${peer.tokens})`}`);
    if (!same) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
