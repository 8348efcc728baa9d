import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { hashArtefact } from '@puyu/core/lineage';
import type { QuickstartProfile } from './profile.js';

/** The shipped public-domain corpus (packages/model/assets/corpus/SOURCE.md) beside the default tokenizer. */
export function shippedCorpus(defaultTokenizer: string): string[] {
  const dir = join(dirname(defaultTokenizer), 'corpus');
  return [join(dir, 'devils-dictionary.txt'), join(dir, 'tang300-song100.txt')];
}

export interface CorpusResult {
  /** Kept-document JSONL files, in shard order. */
  files: string[];
  hashes: string[];
  report: string;
  read: number;
  kept: number;
}

/**
 * Stage 1: the 万卷-style cleaning pipeline over the shipped text, written as a pipeline file a
 * user can rerun with `puyu data run`: paragraphs as documents, prose unwrapped, language ID,
 * PII redaction, exact and MinHash dedup, and decontamination against the shipped GSM8K items
 * the quickstart evaluates on.
 */
export async function buildCorpus(o: { out: string; inputs: string[]; benchmark: string }): Promise<CorpusResult> {
  const { runPipeline } = await import('@puyu/data');
  const { stringify } = await import('yaml');
  const dir = join(o.out, 'data');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  const rel = (p: string) => relative(dir, p);
  const pipeline = {
    name: 'quickstart',
    input: { paths: o.inputs.map(rel), split: 'paragraph' },
    output: { dir: 'corpus', max_docs_per_file: 100000 },
    steps: [
      { normalize: { unwrap: true } },
      { langid: { keep: ['en', 'zh'] } },
      { pii: {} },
      { exact_dedup: {} },
      { minhash_dedup: { ngram: 5, permutations: 128, threshold: 0.7 } },
      { decontaminate: { benchmarks: [rel(o.benchmark)], fields: ['question'] } },
    ],
  };
  const path = join(dir, 'pipeline.yaml');
  await writeFile(path, `# written by puyu quickstart; rerun with: puyu data run ${relative(process.cwd(), path)}\n${stringify(pipeline)}`);
  const r = await runPipeline(path, { command: `puyu data run ${relative(process.cwd(), path)}` });
  const files = r.units.flatMap((u) => u.outputs.map((f) => join(dir, 'corpus', f))).filter((f) => /\.jsonl(\.gz)?$/.test(f));
  const read = r.units.reduce((s, u) => s + u.read, 0);
  const kept = r.units.reduce((s, u) => s + u.kept, 0);
  process.stderr.write(
    `  kept ${kept} of ${read} documents → ${relative(process.cwd(), join(dir, 'corpus'))}; report: ${relative(process.cwd(), r.reportPath)}\n`,
  );
  return { files, hashes: await Promise.all(files.map(async (f) => (await hashArtefact(f)).hash)), report: r.reportPath, read, kept };
}

export interface TokenizerResult {
  path: string;
  hash: string;
}

/** Stage 2: a SentencePiece BPE trained on the cleaned corpus with InternLM2's conventions. */
export async function trainQuickstartTokenizer(o: {
  out: string;
  corpus: CorpusResult;
  profile: QuickstartProfile;
}): Promise<TokenizerResult> {
  const { runTokenizerTrain } = await import('../commands/tokenizer-train.js');
  const path = join(o.out, 'tokenizer', 'quickstart.model');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dirname(path), { recursive: true });
  const args = [
    '--input',
    ...o.corpus.files.map((f) => relative(process.cwd(), f)),
    '--jsonl-field',
    'text',
    '--vocab-size',
    String(o.profile.tokenizer.vocabSize),
    '--output',
    relative(process.cwd(), path),
    '--character-coverage 0.98 --byte-fallback --split-digits --required-ascii --keep-extra-whitespace --no-dummy-prefix',
    "--user-defined-symbols '<|im_start|>,<|im_end|>,<|action_start|>,<|action_end|>,<|interpreter|>,<|plugin|>'",
  ];
  const summary = await runTokenizerTrain({
    input: o.corpus.files,
    jsonlField: 'text',
    vocabSize: o.profile.tokenizer.vocabSize,
    output: path,
    modelType: 'bpe',
    // InternLM2's conventions, as the shipped tokenizer (scripts/make-default-tokenizer.ts)
    characterCoverage: 0.98,
    byteFallback: true,
    splitDigits: true,
    requiredAscii: true,
    keepExtraWhitespace: true,
    dummyPrefix: false,
    userDefinedSymbols: '<|im_start|>,<|im_end|>,<|action_start|>,<|action_end|>,<|interpreter|>,<|plugin|>',
    command: `puyu tokenizer train ${args.join(' ')}`,
  });
  process.stderr.write(`  ${summary}\n`);
  return { path, hash: (await hashArtefact(path)).hash };
}

/** The first lines of a JSONL file, for a fixture-sized eval set. */
export async function firstLines(path: string, n: number): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter(Boolean).slice(0, n);
}
