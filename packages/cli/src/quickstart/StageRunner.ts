import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDuration } from '@puyu/core/progress';

export interface StageSpec<T> {
  name: string;
  /** What the stage does, one line. */
  title: string;
  /** Everything the stage's result depends on: sizes, seeds, upstream results (hashes included). */
  inputs: unknown;
  /** Files or folders that must still exist for a finished stage to be skipped. */
  outputs: (result: T) => string[];
  run: () => Promise<T>;
}

interface StageRecord<T> {
  key: string;
  result: T;
  seconds: number;
  finished: string;
}

export interface StageTiming {
  name: string;
  seconds: number;
  skipped: boolean;
}

/**
 * Runs the quickstart's stages in order. Each finished stage leaves `stages/<name>.json` with a key
 * hashed from its inputs; a rerun whose key matches (and whose outputs still exist) skips the stage
 * and reuses its recorded result, so a changed input reruns that stage and every one after it
 * (their inputs include its result). A killed stage has no record and runs again; training stages
 * resume from their checkpoints.
 */
export class StageRunner {
  readonly timings: StageTiming[] = [];
  private index = 0;

  constructor(
    private readonly dir: string,
    private readonly total: number,
    private readonly say: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  ) {}

  static key(inputs: unknown): string {
    return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
  }

  async stage<T>(spec: StageSpec<T>): Promise<T> {
    this.index++;
    const recordPath = join(this.dir, 'stages', `${spec.name}.json`);
    const key = StageRunner.key(spec.inputs);
    const head = `[${this.index}/${this.total}] ${spec.name}: ${spec.title}`;
    const earlier = existsSync(recordPath) ? (JSON.parse(await readFile(recordPath, 'utf8')) as StageRecord<T>) : undefined;
    if (earlier?.key === key && spec.outputs(earlier.result).every((p) => existsSync(p))) {
      this.say(`\n${head}\n  done in an earlier run (${formatDuration(earlier.seconds)}), inputs unchanged: skipped`);
      this.timings.push({ name: spec.name, seconds: 0, skipped: true });
      return earlier.result;
    }
    this.say(`\n${head}`);
    const t0 = performance.now();
    const result = await spec.run();
    const seconds = (performance.now() - t0) / 1000;
    await mkdir(join(this.dir, 'stages'), { recursive: true });
    const record: StageRecord<T> = { key, result, seconds, finished: new Date().toISOString() };
    await writeFile(`${recordPath}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
    await rename(`${recordPath}.tmp`, recordPath);
    this.say(`  ${spec.name} took ${formatDuration(seconds)}`);
    this.timings.push({ name: spec.name, seconds, skipped: false });
    return result;
  }

  /** A stage that runs every time (serving, a live question): timed, never recorded. */
  async always<T>(name: string, title: string, run: () => Promise<T>): Promise<T> {
    this.index++;
    this.say(`\n[${this.index}/${this.total}] ${name}: ${title}`);
    const t0 = performance.now();
    const result = await run();
    this.timings.push({ name, seconds: (performance.now() - t0) / 1000, skipped: false });
    return result;
  }

  /** The per-stage wall times as a Markdown table. */
  table(): string {
    const rows = this.timings.map((t) => `| ${t.name} | ${t.skipped ? 'skipped (done earlier)' : formatDuration(t.seconds)} |`);
    const total = this.timings.reduce((s, t) => s + t.seconds, 0);
    return ['| stage | wall time |', '|---|---|', ...rows, `| **total** | **${formatDuration(total)}** |`].join('\n');
  }
}
