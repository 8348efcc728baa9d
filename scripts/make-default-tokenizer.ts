/**
 * Trains the tokenizer shipped with Puyu (`packages/model/assets/puyu-tiny.model`), the one
 * `puyu model init` uses for tiny models. Run from the repo root:
 *
 *   npx tsx --conditions=source scripts/make-default-tokenizer.ts [--check]
 *
 * It trains a 2048-piece SentencePiece BPE on the public-domain corpus in
 * packages/model/assets/corpus (see SOURCE.md there) with InternLM2's conventions: identity
 * normalization, no dummy prefix, spaces kept as written, digits split, byte fallback, and
 * InternLM2's chat markers as user-defined symbols. Training is deterministic, so `--check`
 * verifies that the committed file is exactly what the corpus and options give.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BpeTrainerOptions } from '@puyu/formats';
import { encodeModelProto, readCorpusLines, trainBpe, writeSentencePieceModel } from '@puyu/formats';

export const ASSETS = join(import.meta.dirname, '../packages/model/assets');
export const CORPUS_DIR = join(ASSETS, 'corpus');
export const DEFAULT_TOKENIZER = join(ASSETS, 'puyu-tiny.model');

export const DEFAULT_TOKENIZER_OPTIONS: BpeTrainerOptions = {
  vocabSize: 2048,
  byteFallback: true,
  // 98 % keeps ~600 characters (Latin + the commonest Han); rarer ones fall back to bytes,
  // leaving ~1200 ids for merges in a 2048 vocabulary.
  characterCoverage: 0.98,
  addDummyPrefix: false,
  removeExtraWhitespaces: false,
  splitDigits: true,
  // Every printable ASCII character gets its own piece, however rare in the corpus
  // (digits and code punctuation are scarce in 19th-century prose and Tang poetry).
  requiredChars: Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join(''),
  userDefinedSymbols: ['<|im_start|>', '<|im_end|>', '<|action_start|>', '<|action_end|>', '<|interpreter|>', '<|plugin|>'],
};

export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((n) => n.endsWith('.txt'))
    .sort()
    .map((n) => join(CORPUS_DIR, n));
}

export async function trainDefaultTokenizer() {
  const files = corpusFiles();
  return trainBpe(
    readCorpusLines(files),
    DEFAULT_TOKENIZER_OPTIONS,
    files.map((f) => `corpus/${f.slice(CORPUS_DIR.length + 1)}`),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { model, stats } = await trainDefaultTokenizer();
  if (process.argv.includes('--check')) {
    const same = Buffer.from(encodeModelProto(model)).equals(readFileSync(DEFAULT_TOKENIZER));
    console.log(same ? `${DEFAULT_TOKENIZER} is up to date` : `${DEFAULT_TOKENIZER} differs from a fresh training: re-run without --check`);
    process.exitCode = same ? 0 : 1;
  } else {
    await writeSentencePieceModel(DEFAULT_TOKENIZER, model);
    console.log(`wrote ${DEFAULT_TOKENIZER}: ${model.pieces.length} pieces`, { ...stats });
  }
}
