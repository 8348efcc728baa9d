import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export interface ShardedWriterOptions {
  dir: string;
  /** File name prefix (default "part"). */
  prefix?: string;
  /** Documents per output file before a new one starts (default 100,000). */
  maxDocs?: number;
  gzip?: boolean;
}

/**
 * JSONL output split into numbered files (`part-00000.jsonl[.gz]`, …). Each file is written under
 * a `.tmp` name and renamed when complete, so a killed run never leaves a truncated file that
 * looks finished.
 */
export class ShardedJsonlWriter {
  private file?: { stream: WriteStream; sink: NodeJS.WritableStream; tmp: string; final: string };
  private inFile = 0;
  private index = 0;
  readonly files: string[] = [];
  docs = 0;
  bytes = 0;

  constructor(private readonly o: ShardedWriterOptions) {}

  async write(line: string): Promise<void> {
    if (!this.file || this.inFile >= (this.o.maxDocs ?? 100_000)) await this.rotate();
    const f = this.file as NonNullable<typeof this.file>;
    this.inFile++;
    this.docs++;
    this.bytes += Buffer.byteLength(line) + 1;
    if (!f.sink.write(`${line}\n`)) await new Promise<void>((res) => f.sink.once('drain', () => res()));
  }

  private async rotate(): Promise<void> {
    await this.closeFile();
    await mkdir(this.o.dir, { recursive: true });
    const final = join(this.o.dir, `${this.o.prefix ?? 'part'}-${String(this.index++).padStart(5, '0')}.jsonl${this.o.gzip ? '.gz' : ''}`);
    const tmp = `${final}.tmp`;
    const stream = createWriteStream(tmp);
    let sink: NodeJS.WritableStream = stream;
    if (this.o.gzip) {
      const gz = createGzip();
      gz.pipe(stream);
      sink = gz;
    }
    this.file = { stream, sink, tmp, final };
    this.inFile = 0;
  }

  private async closeFile(): Promise<void> {
    const f = this.file;
    if (!f) return;
    this.file = undefined;
    f.sink.end();
    await finished(f.stream);
    await rename(f.tmp, f.final);
    this.files.push(f.final);
  }

  /** Finishes the last file (an empty run still writes one empty file, so "done" is visible). */
  async close(): Promise<string[]> {
    if (!this.file && this.files.length === 0) await this.rotate();
    await this.closeFile();
    return this.files;
  }
}
