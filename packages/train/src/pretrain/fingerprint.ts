import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@puyu/core';
import type { InternLM2Config, InternLM2Weights } from '@puyu/model';
import { z } from 'zod';
import type { TrainPrecision } from '../graph/precision.js';
import type { PretrainConfig } from './pretrainConfig.js';

/**
 * What a run was trained on, stored in every checkpoint manifest so `--resume` can refuse
 * to continue it with another model, optimiser or data. Each part keeps a sha256 (what is
 * compared) and the settings it covers (to name what changed). Settings that may change on
 * resume — steps, threads, eval and checkpoint intervals, exports — are in no part
 * (packages/train/README.md lists them).
 */
export interface RunFingerprint {
  version: 1;
  /** The architecture, and how the weights started (seed + init std, or the init_from weights). */
  model: { sha256: string; config: Record<string, unknown> };
  /** AdamW, clipping, the LR schedule's shape, and the tokens per step. */
  optimizer: { sha256: string; config: Record<string, unknown> };
  /** The content of every data file and of the tokenizer, and how batches are cut from them. */
  data: { sha256: string; settings: Record<string, unknown>; files: FileDigest[] };
}

export interface FileDigest {
  role: 'train' | 'val' | 'tokenizer';
  /** Where it was read (for messages only: moving an unchanged file is fine). */
  path: string;
  bytes: number;
  sha256: string;
}

const digestSchema = z.object({ role: z.enum(['train', 'val', 'tokenizer']), path: z.string(), bytes: z.number(), sha256: z.string() });
export const runFingerprintSchema = z.object({
  version: z.literal(1),
  model: z.object({ sha256: z.string(), config: z.record(z.string(), z.unknown()) }),
  optimizer: z.object({ sha256: z.string(), config: z.record(z.string(), z.unknown()) }),
  data: z.object({ sha256: z.string(), settings: z.record(z.string(), z.unknown()), files: z.array(digestSchema) }),
});

/** JSON with keys sorted at every level, so equal settings always hash equal. */
function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (x !== null && typeof x === 'object')
    return `{${Object.keys(x)
      .sort()
      .filter((k) => (x as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((x as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(x);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** sha256 of a file's bytes, streamed (data files can be far larger than memory). */
export async function digestFile(path: string, role: FileDigest['role']): Promise<FileDigest> {
  const h = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(path)) {
      h.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (e) {
    throw new ConfigError('TRAIN_DATA_NOT_FOUND', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  return { role, path, bytes, sha256: h.digest('hex') };
}

/** The tokenizer file: the `.model` itself, or `tokenizer.model` inside an HF folder. */
export async function tokenizerFile(path: string): Promise<string> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ? join(path, 'tokenizer.model') : path;
}

/** sha256 over the weights a run starts from (init_from), name by name. */
export function digestWeights(weights: InternLM2Weights): string {
  const h = createHash('sha256');
  for (const name of [...weights.keys()].sort()) {
    const t = weights.get(name) as { shape: number[]; data: Float32Array };
    h.update(`${name}:${t.shape.join('x')};`);
    h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return h.digest('hex');
}

/** The fingerprint of a run about to start (`initial` = the weights before step 1, hashed when init_from). */
export async function runFingerprint(cfg: PretrainConfig, model: InternLM2Config, initial: InternLM2Weights): Promise<RunFingerprint> {
  const t = cfg.train;
  const modelConfig = {
    ...model,
    init: cfg.init_from ? { weights_sha256: digestWeights(initial) } : { seed: t.seed, std: cfg.model?.init_std },
  };
  const settings = {
    'train.seq_len': t.seq_len,
    'train.seed': t.seed,
    'data.val_fraction': cfg.data.val ? undefined : cfg.data.val_fraction,
    'data.text_field': cfg.data.text_field,
  };
  const files = [
    ...(await Promise.all(cfg.data.train.map((p) => digestFile(p, 'train')))),
    ...(await Promise.all((cfg.data.val ?? []).map((p) => digestFile(p, 'val')))),
    await digestFile(await tokenizerFile(cfg.tokenizer), 'tokenizer'),
  ];
  return makeFingerprint(modelConfig, optimizerSettings(t), settings, files);
}

/** The optimizer part's settings: every method trains with the same AdamW, clipping and schedule. */
export function optimizerSettings(t: PretrainConfig['train']): Record<string, unknown> {
  return {
    'train.lr': t.lr,
    'train.min_lr': t.min_lr,
    'train.warmup_steps': t.warmup_steps,
    'train.weight_decay': t.weight_decay,
    'train.beta1': t.beta1,
    'train.beta2': t.beta2,
    'train.eps': t.eps,
    'train.grad_clip': t.grad_clip,
    'train.batch_size': t.batch_size,
    'train.grad_accum': t.grad_accum,
  };
}

/** Hashes the three parts; each method supplies what its model, optimizer and data parts cover. */
export function makeFingerprint(
  modelConfig: Record<string, unknown>,
  optimizer: Record<string, unknown>,
  settings: Record<string, unknown>,
  files: FileDigest[],
): RunFingerprint {
  const contents = files.map(({ role, bytes, sha256 }) => ({ role, bytes, sha256 }));
  return {
    version: 1,
    model: { sha256: sha256(canonical(modelConfig)), config: modelConfig },
    optimizer: { sha256: sha256(canonical(optimizer)), config: optimizer },
    data: { sha256: sha256(canonical({ settings, files: contents })), settings, files },
  };
}

/**
 * The fingerprint with the precision the run trains in added to its optimizer part, so a resume
 * keeps it (bf16 and fp32 runs differ in every step's rounding). fp32 adds nothing: fingerprints
 * from before bf16 existed stay valid, and a missing `train.precision` means fp32.
 */
export function withPrecision(fp: RunFingerprint, precision: TrainPrecision): RunFingerprint {
  if (precision === 'fp32') return fp;
  const config = { ...fp.optimizer.config, 'train.precision': precision };
  return { ...fp, optimizer: { sha256: sha256(canonical(config)), config } };
}

const show = (v: unknown) => (v === undefined ? '(unset)' : canonical(v));

/** "key a → b" for every setting that differs. */
function diffSettings(before: Record<string, unknown>, after: Record<string, unknown>, prefix = ''): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .filter((k) => canonical(before[k]) !== canonical(after[k]))
    .map((k) => `${prefix}${k} ${show(before[k])} → ${show(after[k])}`);
}

function diffFiles(before: readonly FileDigest[], after: readonly FileDigest[]): string[] {
  const out: string[] = [];
  for (const role of ['train', 'val', 'tokenizer'] as const) {
    const a = before.filter((f) => f.role === role);
    const b = after.filter((f) => f.role === role);
    if (a.length !== b.length) {
      out.push(`${role} files ${a.map((f) => f.path).join(', ') || '(none)'} → ${b.map((f) => f.path).join(', ') || '(none)'}`);
      continue;
    }
    a.forEach((f, i) => {
      if (f.sha256 !== b[i].sha256)
        out.push(
          `${role} file ${b[i].path} has other content (${f.bytes} → ${b[i].bytes} bytes, sha256 ${f.sha256.slice(0, 12)}… → ${b[i].sha256.slice(0, 12)}…)`,
        );
    });
  }
  return out;
}

/** What changed between a checkpoint's fingerprint and this run's, one line per part that differs. */
export function fingerprintChanges(stored: RunFingerprint, current: RunFingerprint): string[] {
  const out: string[] = [];
  if (stored.model.sha256 !== current.model.sha256)
    out.push(`model: ${diffSettings(stored.model.config, current.model.config, 'model.').join('; ') || 'its settings differ'}`);
  if (stored.optimizer.sha256 !== current.optimizer.sha256)
    out.push(`optimizer: ${diffSettings(stored.optimizer.config, current.optimizer.config).join('; ') || 'its settings differ'}`);
  if (stored.data.sha256 !== current.data.sha256) {
    const what = [...diffSettings(stored.data.settings, current.data.settings), ...diffFiles(stored.data.files, current.data.files)];
    out.push(`data: ${what.join('; ') || 'its settings differ'}`);
  }
  return out;
}

/**
 * Refuses to resume a checkpoint trained on another model, optimiser or data. Checkpoints
 * from before fingerprints existed cannot be checked: `warn` is told, and the run resumes.
 */
export function checkResumable(stored: unknown, current: RunFingerprint, path: string, warn: (msg: string) => void): void {
  if (stored === undefined) {
    warn(`checkpoint ${path} records no fingerprint (written by an older Puyu): cannot check that the config and data are unchanged.`);
    return;
  }
  const r = runFingerprintSchema.safeParse(stored);
  if (!r.success)
    throw new ConfigError(
      'TRAIN_RESUME_CHANGED',
      `checkpoint ${path} has a fingerprint this version cannot read, so it cannot check the run is unchanged; start a new run in another output.dir.`,
    );
  const changes = fingerprintChanges(r.data as RunFingerprint, current);
  if (changes.length)
    throw new ConfigError(
      'TRAIN_RESUME_CHANGED',
      `cannot resume from ${path}: the run changed since that checkpoint.\n  - ${changes.join('\n  - ')}\n` +
        'Restore those settings and files to resume, or start a new run in another output.dir. ' +
        '(steps, threads, eval and checkpoint intervals and exports may change on resume.)',
      { details: { changes } },
    );
}
