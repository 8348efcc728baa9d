import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { FormatError } from './errors.js';

/** Streams a JSONL file one parsed object at a time; blank lines are skipped. */
export async function* readJsonl<T = unknown>(path: string): AsyncGenerator<T> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of rl) {
    lineNo++;
    if (!line.trim()) continue;
    try {
      yield JSON.parse(line) as T;
    } catch (e) {
      rl.close();
      throw new FormatError('JSONL_BAD_LINE', `${path}:${lineNo} is not valid JSON (${(e as Error).message}). Fix or remove that line.`, {
        cause: e,
      });
    }
  }
}

/** Parses JSONL text held in memory. */
export function parseJsonl<T = unknown>(text: string, source = 'input'): T[] {
  const out: T[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch (e) {
      throw new FormatError('JSONL_BAD_LINE', `${source}:${i + 1} is not valid JSON (${(e as Error).message}).`, { cause: e });
    }
  }
  return out;
}

/** An append-only JSONL writer that respects stream backpressure. */
export class JsonlWriter {
  private readonly stream;
  constructor(path: string, opts: { append?: boolean } = {}) {
    this.stream = createWriteStream(path, { flags: opts.append ? 'a' : 'w', encoding: 'utf8' });
  }
  async write(obj: unknown): Promise<void> {
    if (!this.stream.write(`${JSON.stringify(obj)}\n`)) await once(this.stream, 'drain');
  }
  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
