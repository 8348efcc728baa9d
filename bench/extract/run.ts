/**
 * Extraction benchmark (issue 13): the generated ground-truth set (packages/extract/src/
 * fixtures/bench, made by generate.ts) through ours and the peers in the same run:
 *   ours         @puyu/extract (pdfjs-dist), in this process
 *   unpdf        unpdf's extractText (its bundled pdfjs), in this process
 *   pymupdf4llm  to_markdown, in a Python child (bench/extract/peers.py)
 *   pdfplumber   page.extract_text(), in a Python child
 * Each tool is warmed up on the whole set once, then timed per file (loading the library is not timed);
 * tool order rotates every repetition. Prints per tool: normalised edit distance, heading
 * accuracy, table-cell accuracy, two-column reading order, header/footer leakage (all scored
 * from the tool's text output by the same code), pages/s and its ratio to pymupdf4llm per
 * repetition, plus the CPU and the load average.
 *
 *   npm run bench:extract [-- --reps 3 --peers ours,unpdf,pymupdf4llm,pdfplumber]
 *
 * The Python peers run in a venv this script makes under .cache/extract-venv (Debian's
 * python3 with system packages, so Debian's python3-fitz supplies PyMuPDF; pdfplumber comes
 * from pip). PyPI's pymupdf4llm needs PyMuPDF ≥ 1.26 which Debian lacks, so the peer is the
 * source of pymupdf4llm 0.0.2 (pymupdf/RAG repository, commit 9bb1c84, folder pdf4llm/)
 * placed in .cache/extract-peers/pdf4llm; a missing peer is skipped with the reason printed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type DocumentScore, extractPdf, scoreDocument, type TruthDocument } from '@puyu/extract';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const FIX = join(ROOT, 'packages/extract/src/fixtures/bench');
const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    peers: { type: 'string', default: 'ours,unpdf,pymupdf4llm,pdfplumber' },
    venv: { type: 'string', default: join(ROOT, '.cache/extract-venv') },
    'peers-dir': { type: 'string', default: join(ROOT, '.cache/extract-peers') },
  },
});
const reps = Number(values.reps);
const venv = values.venv as string;
const peersDir = values['peers-dir'] as string;
const python = join(venv, 'bin/python');

interface FileRun {
  file: string;
  seconds: number;
  pages: number;
  markdown: string;
}
type Tool = (files: string[]) => Promise<FileRun[]>;

const names = readdirSync(FIX)
  .filter((f) => f.endsWith('.pdf'))
  .map((f) => f.slice(0, -4))
  .sort();
const files = names.map((n) => join(FIX, `${n}.pdf`));
const truths = new Map(
  names.map((n) => [join(FIX, `${n}.pdf`), JSON.parse(readFileSync(join(FIX, `${n}.truth.json`), 'utf8')) as TruthDocument]),
);

const ours: Tool = async (list) => {
  for (const file of list) await extractPdf(new Uint8Array(readFileSync(file)), { ocr: 'off' });
  const out: FileRun[] = [];
  for (const file of list) {
    const bytes = new Uint8Array(readFileSync(file));
    const t0 = performance.now();
    const r = await extractPdf(bytes, { ocr: 'off', name: file });
    out.push({ file, seconds: (performance.now() - t0) / 1000, pages: r.pages.length, markdown: r.markdown });
  }
  return out;
};

const unpdf: Tool = async (list) => {
  const { extractText, getDocumentProxy } = await import('unpdf');
  const run = async (file: string) => {
    const pdf = await getDocumentProxy(new Uint8Array(readFileSync(file)));
    const { totalPages, text } = await extractText(pdf, { mergePages: true });
    await pdf.cleanup();
    return { totalPages, text };
  };
  for (const file of list) await run(file);
  const out: FileRun[] = [];
  for (const file of list) {
    const t0 = performance.now();
    const { totalPages, text } = await run(file);
    out.push({ file, seconds: (performance.now() - t0) / 1000, pages: totalPages, markdown: text });
  }
  return out;
};

function pythonTool(tool: 'pymupdf4llm' | 'pdfplumber'): Tool {
  return async (list) => {
    const out = execFileSync(python, [join(HERE, 'peers.py'), tool, '--peers-dir', peersDir, ...list], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    return out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FileRun);
  };
}

/** Makes the venv when missing; returns why a Python peer cannot run, or undefined. */
function pythonPeerProblem(tool: string): string | undefined {
  if (!existsSync(python)) {
    try {
      execFileSync('/usr/bin/python3', ['-m', 'venv', '--system-site-packages', venv], { stdio: 'inherit' });
      execFileSync(python, ['-m', 'pip', 'install', '-q', 'pdfplumber'], { stdio: 'inherit' });
    } catch (e) {
      return `could not make ${venv}: ${(e as Error).message}`;
    }
  }
  const probe = (code: string) => {
    try {
      execFileSync(python, ['-c', code], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (tool === 'pdfplumber' && !probe('import pdfplumber')) return `pdfplumber is not installed in ${venv} (pip install pdfplumber)`;
  if (tool === 'pymupdf4llm') {
    if (!probe('import fitz')) return 'PyMuPDF is missing: apt-get install python3-fitz';
    if (!existsSync(join(peersDir, 'pdf4llm', 'helpers', 'pymupdf_rag.py')))
      return `pymupdf4llm 0.0.2 source is not in ${join(peersDir, 'pdf4llm')}`;
  }
  return undefined;
}

const available: [string, Tool][] = [];
for (const name of (values.peers as string).split(',')) {
  if (name === 'ours') available.push([name, ours]);
  else if (name === 'unpdf') available.push([name, unpdf]);
  else if (name === 'pymupdf4llm' || name === 'pdfplumber') {
    const problem = pythonPeerProblem(name);
    if (problem) process.stdout.write(`skipping ${name}: ${problem}\n`);
    else available.push([name, pythonTool(name)]);
  } else process.stdout.write(`skipping unknown peer ${name}\n`);
}

const cores = cpus().length;
const load0 = loadavg();
process.stdout.write(`CPU: ${cpus()[0]?.model ?? 'unknown'} × ${cores}; load average ${load0.map((l) => l.toFixed(2)).join(' ')}\n`);
if (load0[0] > cores) process.stdout.write(`WARNING: load ${load0[0].toFixed(1)} > ${cores} cores: timings are noisy and slow\n`);
process.stdout.write(
  `documents: ${names.join(', ')} (${[...truths.values()].reduce((n, t) => n + t.pages, 0)} pages); ${reps} repetitions\n`,
);

const rate = new Map<string, number[]>();
const lastRuns = new Map<string, FileRun[]>();
for (let rep = 0; rep < reps; rep++) {
  const order = available.map((_, i) => available[(i + rep) % available.length] as [string, Tool]);
  for (const [name, tool] of order) {
    const runs = await tool(files);
    const seconds = runs.reduce((s, r) => s + r.seconds, 0);
    const pages = runs.reduce((s, r) => s + r.pages, 0);
    rate.set(name, [...(rate.get(name) ?? []), pages / seconds]);
    lastRuns.set(name, runs);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const mean = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};
const fmt = (v: number | null, d = 3) => (v === null ? '   -  ' : v.toFixed(d).padStart(6));
const summary = new Map<string, Record<keyof DocumentScore, number | null>>();
process.stdout.write('\ntool         edit↓   heading↑ cells↑  order↑  leak↓   pages/s  ×pymupdf4llm per rep\n');
for (const [name] of available) {
  const scores = (lastRuns.get(name) ?? []).map((r) => scoreDocument(truths.get(r.file) as TruthDocument, r.markdown));
  const s = {
    editDistance: mean(scores.map((x) => x.editDistance)),
    headingAccuracy: mean(scores.map((x) => x.headingAccuracy)),
    tableCellAccuracy: mean(scores.map((x) => x.tableCellAccuracy)),
    readingOrder: mean(scores.map((x) => x.readingOrder)),
    headerFooterLeakage: mean(scores.map((x) => x.headerFooterLeakage)),
  };
  summary.set(name, s);
  const mine = rate.get(name) ?? [];
  const ref = rate.get('pymupdf4llm');
  const ratios = ref ? mine.map((r, i) => r / (ref[i] as number)) : [];
  const ratioText = ratios.length ? `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}` : '-';
  process.stdout.write(
    `${name.padEnd(12)} ${fmt(s.editDistance)}  ${fmt(s.headingAccuracy)}  ${fmt(s.tableCellAccuracy)}  ${fmt(s.readingOrder)}  ${fmt(s.headerFooterLeakage)}  ${median(mine).toFixed(1).padStart(7)}  ${ratioText}\n`,
  );
  for (const [i, sc] of scores.entries())
    process.stdout.write(
      `  ${names[i]?.padEnd(14)} edit ${sc.editDistance.toFixed(3)} heading ${sc.headingAccuracy.toFixed(2)} cells ${fmt(sc.tableCellAccuracy, 2)} order ${fmt(sc.readingOrder, 2)} leak ${sc.headerFooterLeakage.toFixed(2)}\n`,
    );
}

const load1 = loadavg();
process.stdout.write(`\nload average after: ${load1.map((l) => l.toFixed(2)).join(' ')}\n`);
const me = summary.get('ours');
if (me) {
  const peers = [...summary].filter(([n]) => n !== 'ours').map(([, s]) => s);
  const bestEdit = Math.min(...peers.map((p) => p.editDistance ?? 1));
  const bestHeading = Math.max(...peers.map((p) => p.headingAccuracy ?? 0));
  const check = (ok: boolean, text: string) => process.stdout.write(`${ok ? 'PASS' : 'FAIL'} ${text}\n`);
  check((me.editDistance ?? 1) <= 0.05, `edit distance ${fmt(me.editDistance)} ≤ 0.05`);
  check((me.headingAccuracy ?? 0) >= 0.9, `heading accuracy ${fmt(me.headingAccuracy)} ≥ 0.9`);
  if (peers.length) {
    check((me.editDistance ?? 1) <= bestEdit, `edit distance ≤ best peer's ${bestEdit.toFixed(3)}`);
    check((me.headingAccuracy ?? 0) >= bestHeading, `heading accuracy ≥ best peer's ${bestHeading.toFixed(3)}`);
  }
  const ref = rate.get('pymupdf4llm');
  if (ref) {
    const ratio = median((rate.get('ours') ?? []).map((r, i) => r / (ref[i] as number)));
    check(ratio >= 0.5, `pages/s ${ratio.toFixed(2)}× pymupdf4llm's (goal ≥ 0.5×, median of per-repetition ratios)`);
  }
}
