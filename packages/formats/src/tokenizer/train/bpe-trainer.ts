import { writeFile } from 'node:fs/promises';
import { TokenizerError } from '@puyu/core';
import { encodeModelProto, type ModelProto, type SentencePiece } from '../sentencepiece-proto.js';
import { runBpeMerges } from './bpe-merger.js';
import { layoutMetaPieces } from './meta-pieces.js';
import { loadSentences } from './sentence-loader.js';
import { type BpeTrainerOptions, resolveBpeOptions, toNormalizerSpec, toTrainerSpec } from './trainer-options.js';

export interface BpeTrainingStats {
  linesRead: number;
  linesSkippedTooLong: number;
  linesSkippedReserved: number;
  /** Distinct words (or sentences) the merges ran on. */
  uniqueWords: number;
  alphabetSize: number;
  /** Fraction of character occurrences inside the alphabet. */
  characterCoverage: number;
  metaPieces: number;
  learnedPieces: number;
  seconds: number;
}

export interface BpeTrainingResult {
  model: ModelProto;
  stats: BpeTrainingStats;
}

/**
 * Trains a SentencePiece BPE model (`--model_type=bpe`) on lines of text.
 * The result loads in SentencePiece itself, in our tokenizer and, exported with
 * `sentencePieceToGgufVocab`, in llama.cpp.
 *
 * @param lines the corpus, one sentence per item (see `readCorpusLines` for files and JSONL)
 * @param inputNames recorded in trainer_spec.input (file names, for provenance)
 */
export async function trainBpe(
  lines: Iterable<string> | AsyncIterable<string>,
  options: BpeTrainerOptions,
  inputNames: string[] = [],
): Promise<BpeTrainingResult> {
  const t0 = performance.now();
  const o = resolveBpeOptions(options);
  const meta = layoutMetaPieces(o);
  const loaded = await loadSentences(
    lines,
    o,
    [...meta.values()].map((m) => m.piece),
  );
  const toLearn = o.vocabSize - meta.size - loaded.requiredChars.size;
  if (toLearn < 0) {
    throw new TokenizerError(
      'TOKENIZER_TRAIN_VOCAB_TOO_SMALL',
      `vocabSize ${o.vocabSize} is smaller than the ${meta.size} special pieces plus the ${loaded.requiredChars.size}-character alphabet. Increase vocabSize or lower characterCoverage.`,
    );
  }
  // Learned merges first, then the alphabet (both scored by rank).
  const learned = runBpeMerges(loaded.sentences, loaded.requiredChars, toLearn, o).pieces;

  const pieces: SentencePiece[] = [];
  let next = 0;
  for (let id = 0; id < o.vocabSize; id++) {
    const m = meta.get(id);
    if (m) pieces.push({ piece: m.piece, score: 0, type: m.type });
    else if (next < learned.length) {
      const p = learned[next++] as { piece: string; score: number };
      pieces.push({ piece: p.piece, score: p.score });
    }
  }
  if (next < learned.length || pieces.length !== meta.size + learned.length) {
    throw new TokenizerError(
      'TOKENIZER_TRAIN_META_ID_GAP',
      'A special piece id lies beyond the pieces the corpus could fill; move padId/bosId/eosId lower or use a larger corpus.',
    );
  }
  if (o.hardVocabLimit && pieces.length !== o.vocabSize) {
    throw new TokenizerError(
      'TOKENIZER_TRAIN_VOCAB_TOO_LARGE',
      `The corpus only supports ${pieces.length} pieces, fewer than vocabSize ${o.vocabSize}. Set vocabSize <= ${pieces.length}, add text, or disable hardVocabLimit.`,
    );
  }
  const model: ModelProto = {
    pieces,
    trainerSpec: toTrainerSpec(o, inputNames, pieces.length),
    normalizerSpec: toNormalizerSpec(o),
  };
  return {
    model,
    stats: {
      linesRead: loaded.linesRead,
      linesSkippedTooLong: loaded.linesSkippedTooLong,
      linesSkippedReserved: loaded.linesSkippedReserved,
      uniqueWords: loaded.sentences.length,
      alphabetSize: loaded.requiredChars.size,
      characterCoverage: loaded.coverage,
      metaPieces: meta.size,
      learnedPieces: learned.length - loaded.requiredChars.size,
      seconds: (performance.now() - t0) / 1000,
    },
  };
}

/** Writes a model as a SentencePiece `.model` file. */
export async function writeSentencePieceModel(path: string, model: ModelProto): Promise<void> {
  await writeFile(path, encodeModelProto(model));
}
