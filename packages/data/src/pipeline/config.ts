import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DataError } from '../errors.js';
import { INPUT_FORMATS, type InputFormat } from '../io/readers.js';

/** One step: `{ <operator>: { options } }` in YAML. */
export interface StepConfig {
  op: string;
  options: Record<string, unknown>;
}

export interface PipelineConfig {
  name: string;
  /** Folder of the pipeline file: relative paths inside it resolve here. */
  baseDir: string;
  input: {
    paths: string[];
    format?: InputFormat;
    textField?: string;
    idField?: string;
    split?: 'file' | 'line' | 'paragraph';
    /** PDF/DOCX through @puyu/extract: OCR of pages without a text layer, page time limit, PDF password. */
    ocr?: 'auto' | 'off';
    pageTimeoutS?: number;
    password?: string;
  };
  output: {
    dir: string;
    gzip: boolean;
    maxDocsPerFile: number;
    keepDropped: boolean;
    /** Also tokenize each shard's kept documents with this SentencePiece model. */
    tokenizer?: string;
    /** `.ptok` for puyu train, `internevo` for InternEvo's .bin + .bin.meta (default ptok). */
    tokenized?: 'ptok' | 'internevo';
  };
  steps: StepConfig[];
  examplesPerReason: number;
}

export const OPERATORS = [
  'normalize',
  'langid',
  'gopher_quality',
  'gopher_repetition',
  'c4',
  'pii',
  'blocklist',
  'exact_dedup',
  'minhash_dedup',
  'decontaminate',
  'perplexity',
  'quality_classifier',
] as const;

const bad = (msg: string) => new DataError('DATA_BAD_PIPELINE', msg);

function obj(v: unknown, where: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad(`${where} must be a mapping.`);
  return v as Record<string, unknown>;
}

/** camelCase keys, so YAML may say `min_words` or `minWords`. */
function camel(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

export function parsePipeline(doc: unknown, baseDir: string): PipelineConfig {
  const root = obj(doc, 'the pipeline');
  const input = camel(obj(root.input, 'input'));
  const paths = typeof input.paths === 'string' ? [input.paths] : input.paths;
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string'))
    throw bad('input.paths must be a list of files, folders or globs (relative to the pipeline file).');
  const output = camel(obj(root.output ?? {}, 'output'));
  const steps = root.steps ?? [];
  if (!Array.isArray(steps)) throw bad('steps must be a list of {operator: options}.');
  const parsed: StepConfig[] = steps.map((s, i) => {
    const entry = typeof s === 'string' ? { [s]: {} } : obj(s, `steps[${i}]`);
    const keys = Object.keys(entry);
    if (keys.length !== 1) throw bad(`steps[${i}] must name one operator, got ${keys.join(', ') || 'none'}.`);
    const op = keys[0] as string;
    if (!(OPERATORS as readonly string[]).includes(op)) throw bad(`steps[${i}]: unknown operator "${op}"; known: ${OPERATORS.join(', ')}.`);
    return { op, options: camel(obj(entry[op] ?? {}, `steps[${i}].${op}`)) };
  });
  const globalAt = parsed.findIndex((s) => s.op === 'minhash_dedup' && s.options.scope === 'global');
  if (globalAt >= 0 && globalAt !== parsed.length - 1)
    throw bad('minhash_dedup with scope: global must be the last step (its signatures must line up with the written documents).');
  const format = input.format as InputFormat | undefined;
  if (format !== undefined && !INPUT_FORMATS.includes(format))
    throw bad(`input.format must be one of ${INPUT_FORMATS.join(', ')}, got "${format}".`);
  if (input.ocr !== undefined && input.ocr !== 'auto' && input.ocr !== 'off')
    throw bad(`input.ocr must be auto or off, got "${input.ocr}".`);
  if (input.pageTimeoutS !== undefined && !(typeof input.pageTimeoutS === 'number' && input.pageTimeoutS > 0))
    throw bad('input.page_timeout_s must be a positive number of seconds.');
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    name: typeof root.name === 'string' ? root.name : 'pipeline',
    baseDir,
    input: {
      paths: (paths as string[]).map(abs),
      format,
      textField: input.textField as string | undefined,
      idField: input.idField as string | undefined,
      split: input.split as 'file' | 'line' | 'paragraph' | undefined,
      ocr: input.ocr as 'auto' | 'off' | undefined,
      pageTimeoutS: input.pageTimeoutS as number | undefined,
      password: typeof input.password === 'string' ? input.password : undefined,
    },
    output: {
      dir: abs(typeof output.dir === 'string' ? output.dir : 'out'),
      gzip: output.gzip === true,
      maxDocsPerFile: typeof output.maxDocsPerFile === 'number' ? output.maxDocsPerFile : 100_000,
      keepDropped: output.keepDropped === true,
      tokenizer: typeof output.tokenizer === 'string' ? abs(output.tokenizer) : undefined,
      tokenized: output.tokenized === 'internevo' ? 'internevo' : 'ptok',
    },
    steps: parsed,
    examplesPerReason: typeof root.examples_per_reason === 'number' ? root.examples_per_reason : 3,
  };
}

export async function loadPipeline(path: string): Promise<PipelineConfig> {
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    doc = parse(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw e;
    throw bad(`${path} is not valid YAML: ${(e as Error).message}`);
  }
  return parsePipeline(doc, dirname(resolve(path)));
}
