import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatIssues, PuyuError } from '@puyu/core';
import { SafetensorsFile, writeSafetensors } from '@puyu/formats';
import { z } from 'zod';

export class CheckpointError extends PuyuError {}

/**
 * What a checkpoint holds besides tensors; `extra` is the trainer's own resumable state,
 * `fingerprint` what the run was trained on (config and data hashes, checked on resume).
 */
export interface CheckpointManifest {
  step: number;
  files: Record<string, string>; // file name → sha256
  extra: Record<string, unknown>;
  fingerprint?: Record<string, unknown>;
}

const manifestSchema = z.object({
  step: z.number().int().nonnegative(),
  files: z.record(z.string(), z.string()),
  extra: z.record(z.string(), z.unknown()).default({}),
  fingerprint: z.record(z.string(), z.unknown()).optional(),
});

export interface CheckpointData {
  step: number;
  params: Map<string, { shape: number[]; data: Float32Array }>;
  /** Optimizer moments, keyed like params. */
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
  extra: Record<string, unknown>;
  fingerprint?: Record<string, unknown>;
}

const STEP_DIR = /^step-(\d{8})$/;

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Checkpoints under `dir/step-NNNNNNNN/`: model.safetensors (HF names, fp32 master
 * weights), optimizer.safetensors (`m.<name>`, `v.<name>`), manifest.json (step,
 * sha256 of each file, trainer state). A checkpoint is written into a temp folder,
 * fsynced, then renamed, so a crash mid-write (even `kill -9`) never leaves a
 * half checkpoint where a complete one was expected; older ones are pruned only after.
 */
export class Checkpoints {
  constructor(
    readonly dir: string,
    readonly keepLast = 3,
  ) {}

  async save(data: CheckpointData): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const name = `step-${String(data.step).padStart(8, '0')}`;
    const tmp = join(this.dir, `.${name}.tmp-${process.pid}`);
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp);
    const params = [...data.params].map(([n, t]) => ({ name: n, dtype: 'F32' as const, shape: t.shape, data: t.data }));
    await writeSafetensors(join(tmp, 'model.safetensors'), params);
    const moments = [...data.params].flatMap(([n, t]) => [
      { name: `m.${n}`, dtype: 'F32' as const, shape: t.shape, data: data.m.get(n) ?? new Float32Array(t.data.length) },
      { name: `v.${n}`, dtype: 'F32' as const, shape: t.shape, data: data.v.get(n) ?? new Float32Array(t.data.length) },
    ]);
    await writeSafetensors(join(tmp, 'optimizer.safetensors'), moments);
    const files: Record<string, string> = {};
    for (const f of ['model.safetensors', 'optimizer.safetensors']) {
      await fsyncPath(join(tmp, f));
      files[f] = await sha256(join(tmp, f));
    }
    const manifest: CheckpointManifest = { step: data.step, files, extra: data.extra, fingerprint: data.fingerprint };
    await writeFile(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await fsyncPath(join(tmp, 'manifest.json'));
    const final = join(this.dir, name);
    await rm(final, { recursive: true, force: true });
    await rename(tmp, final);
    await this.prune();
    return final;
  }

  /** Complete checkpoints, oldest first. */
  async list(): Promise<{ step: number; path: string }[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    return names
      .map((n) => ({ n, m: STEP_DIR.exec(n) }))
      .filter((x) => x.m)
      .map((x) => ({ step: Number(x.m![1]), path: join(this.dir, x.n) }))
      .sort((a, b) => a.step - b.step);
  }

  async latest(): Promise<{ step: number; path: string } | undefined> {
    return (await this.list()).at(-1);
  }

  /** Loads and verifies a checkpoint (checksums, tensor shapes). */
  async load(path: string): Promise<CheckpointData> {
    const corrupt = (why: string, cause?: unknown) =>
      new CheckpointError(
        'CHECKPOINT_CORRUPT',
        `checkpoint ${path} is unusable: ${why}. Delete that folder to resume from the previous checkpoint, or start over.`,
        { cause },
      );
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8'));
    } catch (e) {
      throw corrupt('manifest.json is missing or not JSON', e);
    }
    const parsed = manifestSchema.safeParse(raw);
    if (!parsed.success) throw corrupt(`manifest.json is malformed (${formatIssues(parsed.error.issues).join('; ')})`);
    const manifest = parsed.data;
    // the two tensor files must be listed: an empty list would skip every checksum
    for (const f of ['model.safetensors', 'optimizer.safetensors'])
      if (!manifest.files[f]) throw corrupt(`manifest.json lists no checksum for ${f}`);
    for (const [f, want] of Object.entries(manifest.files)) {
      let got: string;
      try {
        got = await sha256(join(path, f));
      } catch (e) {
        throw corrupt(`${f} is missing`, e);
      }
      if (got !== want) throw corrupt(`${f} does not match its checksum (it was modified or damaged)`);
    }
    try {
      const params = new Map<string, { shape: number[]; data: Float32Array }>();
      const m = new Map<string, Float32Array>();
      const v = new Map<string, Float32Array>();
      {
        await using st = await SafetensorsFile.open(join(path, 'model.safetensors'));
        for (const t of st.tensors) params.set(t.name, { shape: [...t.shape], data: await st.readF32(t.name) });
      }
      {
        await using st = await SafetensorsFile.open(join(path, 'optimizer.safetensors'));
        for (const t of st.tensors) {
          const kind = t.name.startsWith('m.') ? m : t.name.startsWith('v.') ? v : undefined;
          if (!kind) throw new Error(`optimizer.safetensors holds ${t.name}, neither an m. nor a v. moment`);
          kind.set(t.name.slice(2), await st.readF32(t.name));
        }
      }
      return { step: manifest.step, params, m, v, extra: manifest.extra, fingerprint: manifest.fingerprint };
    } catch (e) {
      throw corrupt((e as Error).message, e);
    }
  }

  private async prune(): Promise<void> {
    const all = await this.list();
    for (const old of all.slice(0, Math.max(0, all.length - this.keepLast))) await rm(old.path, { recursive: true, force: true });
  }
}
