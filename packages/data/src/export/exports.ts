import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import { TokenShardWriter } from '@puyu/formats/tokens';
import type { Doc } from '../io/jsonlDocs.js';

/** What turns a text into token ids (a SentencePieceTokenizer from @puyu/formats/tokenizer fits). */
export interface TextEncoder {
  encode(text: string, opts?: { addBos?: boolean; addEos?: boolean }): number[];
  readonly vocabSize: number;
  readonly eosId: number;
}

export interface TokenizedExportStats {
  docs: number;
  tokens: number;
  path: string;
}

/** Documents as a `.ptok` token shard for `puyu train pretrain` (EOS appended to each document). */
export async function writePtok(path: string, docs: AsyncIterable<Doc> | Iterable<Doc>, tok: TextEncoder): Promise<TokenizedExportStats> {
  await mkdir(dirname(path), { recursive: true });
  const w = await TokenShardWriter.create(path, { vocabSize: tok.vocabSize, eosId: tok.eosId });
  let n = 0;
  let tokens = 0;
  try {
    for await (const d of docs) {
      const ids = tok.encode(d.text, { addEos: true });
      await w.addDocument(ids);
      n++;
      tokens += ids.length;
    }
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
  return { docs: n, tokens, path };
}

/**
 * InternEvo's tokenized format, as its tools/tokenizer.py writes and
 * internlm/data/tokenized/single_dataset.py reads: `X.bin` is JSONL with one
 * `{"tokens": [ids]}` per document (BOS and EOS added, as its tokenizer does), and `X.bin.meta`
 * is `np.save` of an int32 (N, 2) array of [byte offset of the line, token count].
 */
export async function writeInternEvoBin(
  path: string,
  docs: AsyncIterable<Doc> | Iterable<Doc>,
  tok: TextEncoder,
): Promise<TokenizedExportStats> {
  const { npyInt32 } = await import('./npyInt32.js');
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const meta: [number, number][] = [];
  let offset = 0;
  let tokens = 0;
  for await (const d of docs) {
    const ids = tok.encode(d.text, { addBos: true, addEos: true });
    // Python's json.dumps separators: ", " between items.
    const line = `{"tokens": [${ids.join(', ')}]}\n`;
    meta.push([offset, ids.length]);
    offset += Buffer.byteLength(line);
    tokens += ids.length;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  await writeFile(`${path}.meta`, npyInt32(meta, 2));
  return { docs: meta.length, tokens, path };
}

/** One SFT conversation. */
export interface Conversation {
  system?: string;
  turns: { input: string; output: string }[];
}

/** XTuner's JSONL: `{"conversation": [{"system"?, "input", "output"}, …]}` (the system prompt on the first turn). */
export function xtunerLine(c: Conversation): string {
  return JSON.stringify({
    conversation: c.turns.map((t, i) => ({ ...(i === 0 && c.system ? { system: c.system } : {}), input: t.input, output: t.output })),
  });
}

/** A preference pair as `puyu train dpo` and XTuner's DPO dataset read it. */
export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
}

export function dpoLine(p: PreferencePair, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected, ...extra });
}

/** Writes lines to a file (XTuner / DPO sets). */
export async function writeLines(path: string, lines: Iterable<string>): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  let n = 0;
  let body = '';
  for (const l of lines) {
    body += `${l}\n`;
    n++;
  }
  await writeFile(path, body);
  return n;
}
