import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ConfigError, readJsonl } from '@puyu/core';
import { readTokenShard, type SentencePieceTokenizer, type TokenShard, tokenShardFromDocs } from '@puyu/formats';

/**
 * Loads training data as one in-memory token shard. Accepted inputs:
 * - `.ptok` token shards (already tokenized, e.g. by the data stage);
 * - `.txt`: documents separated by blank lines, tokenized on the fly;
 * - `.jsonl`: one document per line in `textField` (default "text"), tokenized on the fly.
 * Tokenized documents get BOS and EOS, as InternEvo's packed datasets do.
 */
export async function loadTrainingTokens(
  paths: readonly string[],
  opts: { tokenizer?: SentencePieceTokenizer; vocabSize: number; textField?: string },
): Promise<TokenShard> {
  const docs: ArrayLike<number>[] = [];
  for (const path of paths) {
    const ext = extname(path).toLowerCase();
    if (ext === '.ptok') {
      const s = await readTokenShard(path);
      if (s.vocabSize > opts.vocabSize) {
        throw new ConfigError(
          'TRAIN_VOCAB_MISMATCH',
          `${path} was tokenized with a vocabulary of ${s.vocabSize}, larger than the model's ${opts.vocabSize}.`,
        );
      }
      for (let i = 0; i < s.docStarts.length - 1; i++) docs.push(s.tokens.subarray(s.docStarts[i], s.docStarts[i + 1]));
      continue;
    }
    const tok = opts.tokenizer;
    if (!tok) throw new ConfigError('TRAIN_NEED_TOKENIZER', `${path} is text; set "tokenizer" in the config so it can be tokenized.`);
    const encode = (text: string) => tok.encode(text, { addBos: true, addEos: true });
    if (ext === '.jsonl') {
      const field = opts.textField ?? 'text';
      let n = 0;
      for await (const row of readJsonl<Record<string, unknown>>(path)) {
        n++;
        const text = row[field];
        if (typeof text !== 'string')
          throw new ConfigError('TRAIN_BAD_JSONL', `${path}: line ${n} has no string field "${field}"; set data.text_field.`);
        if (text.trim()) docs.push(encode(text));
      }
    } else if (ext === '.txt' || ext === '.md' || ext === '') {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        throw new ConfigError('TRAIN_DATA_NOT_FOUND', `cannot read training data ${path}: ${(e as Error).message}`, { cause: e });
      }
      for (const block of text.split(/\r?\n\s*\r?\n/)) if (block.trim()) docs.push(encode(block.trim()));
    } else {
      throw new ConfigError('TRAIN_DATA_FORMAT', `${path}: unknown data format "${ext}"; use .ptok, .txt or .jsonl.`);
    }
  }
  if (docs.length === 0) throw new ConfigError('TRAIN_DATA_EMPTY', `no documents found in ${paths.join(', ')}.`);
  return tokenShardFromDocs(docs, { vocabSize: opts.vocabSize, eosId: opts.tokenizer?.eosId });
}

/** Splits document indices into train / held-out, deterministically (every k-th document is held out). */
export function splitDocuments(nDocs: number, valFraction: number): { train: number[]; val: number[] } {
  const train: number[] = [];
  const val: number[] = [];
  if (valFraction <= 0 || nDocs < 2) return { train: Array.from({ length: nDocs }, (_, i) => i), val };
  const every = Math.max(2, Math.round(1 / valFraction));
  for (let i = 0; i < nDocs; i++) (i % every === every - 1 ? val : train).push(i);
  return { train, val };
}
