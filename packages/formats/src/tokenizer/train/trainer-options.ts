import { TokenizerError } from '@puyu/core';
import { ModelType, type NormalizerSpec, type TrainerSpec } from '../sentencepiece-proto.js';

/**
 * Options of the SentencePiece BPE trainer. Names and defaults follow `spm_train`
 * flags (camelCased), except where noted, so a recipe can be checked against the
 * reference trainer flag by flag.
 */
export interface BpeTrainerOptions {
  /** Size of the final vocabulary, meta pieces (unk/bos/eos/pad, user symbols, bytes) included. */
  vocabSize: number;
  /**
   * Only "identity" (InternLM2's rule): a SentencePiece NFKC model needs a compiled
   * charsmap (a Darts trie) we do not build yet. NFKC the corpus beforehand if wanted,
   * and the text you encode the same way.
   */
  normalization?: 'identity';
  /** Prepend one whitespace so "world" and "hello world" share "▁world" (default true). */
  addDummyPrefix?: boolean;
  /** Strip leading/trailing and collapse repeated spaces (spm default true; InternLM2 uses false). */
  removeExtraWhitespaces?: boolean;
  /** Pieces never cross a whitespace (default true). */
  splitByWhitespace?: boolean;
  /** Pieces never mix scripts, e.g. Latin and Han (default true). */
  splitByUnicodeScript?: boolean;
  /** Digits keep their own script, so "a1" is never one piece (default true). */
  splitByNumber?: boolean;
  /** Every digit is its own piece (default false; LLaMA-style tokenizers set it). */
  splitDigits?: boolean;
  /** Allow pieces made only of "▁▁▁" (default false). */
  allowWhitespaceOnlyPieces?: boolean;
  /** Fraction of character occurrences the alphabet must cover; rarer characters become unk / bytes (default 0.9995). */
  characterCoverage?: number;
  /** Add the 256 `<0xXX>` pieces so no text is ever unknown (default false). */
  byteFallback?: boolean;
  /** Pieces always kept whole and matched before segmentation (e.g. chat markers). */
  userDefinedSymbols?: string[];
  /** Pieces that only the program emits (never matched in text). */
  controlSymbols?: string[];
  /** Characters that must be in the alphabet whatever their frequency. */
  requiredChars?: string;
  unkId?: number;
  bosId?: number;
  eosId?: number;
  /** -1 (default) means no pad piece. */
  padId?: number;
  unkPiece?: string;
  bosPiece?: string;
  eosPiece?: string;
  padPiece?: string;
  unkSurface?: string;
  /** Lines longer than this many UTF-8 bytes are skipped (default 4192). */
  maxSentenceLength?: number;
  /** Longest piece in characters (default 16). */
  maxSentencepieceLength?: number;
  /** "text" (default): one sentence per line; "tsv": `sentence<TAB>count` per line (pre-counted words). */
  inputFormat?: 'text' | 'tsv';
  /** Read at most this many non-empty lines; 0 = all (spm's input_sentence_size without shuffling). */
  maxLines?: number;
  /** Fail when fewer pieces than vocabSize can be learned (default true), else shrink vocabSize. */
  hardVocabLimit?: boolean;
  /** Called now and then; `phase` is "read" (done = lines) or "merge" (done = pieces of total). */
  onProgress?: (p: { phase: 'read' | 'merge'; done: number; total: number }) => void;
}

export type ResolvedBpeOptions = Required<Omit<BpeTrainerOptions, 'onProgress'>> & Pick<BpeTrainerOptions, 'onProgress'>;

export function resolveBpeOptions(o: BpeTrainerOptions): ResolvedBpeOptions {
  const r: ResolvedBpeOptions = {
    normalization: 'identity',
    inputFormat: 'text',
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    splitByWhitespace: true,
    splitByUnicodeScript: true,
    splitByNumber: true,
    splitDigits: false,
    allowWhitespaceOnlyPieces: false,
    characterCoverage: 0.9995,
    byteFallback: false,
    userDefinedSymbols: [],
    controlSymbols: [],
    requiredChars: '',
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
    unkPiece: '<unk>',
    bosPiece: '<s>',
    eosPiece: '</s>',
    padPiece: '<pad>',
    unkSurface: ' \u2047 ',
    maxSentenceLength: 4192,
    maxSentencepieceLength: 16,
    maxLines: 0,
    hardVocabLimit: true,
    ...stripUndefined(o),
    vocabSize: o.vocabSize,
  };
  const bad = (what: string) => {
    throw new TokenizerError('TOKENIZER_TRAIN_BAD_OPTION', `Invalid trainer option: ${what}.`);
  };
  if (!Number.isInteger(r.vocabSize) || r.vocabSize <= 0) bad(`vocabSize must be a positive integer (got ${r.vocabSize})`);
  if (!(r.characterCoverage >= 0.98 && r.characterCoverage <= 1))
    bad(`characterCoverage must be within [0.98, 1] as in SentencePiece (got ${r.characterCoverage})`);
  if (!Number.isInteger(r.maxSentencepieceLength) || r.maxSentencepieceLength < 1 || r.maxSentencepieceLength > 512)
    bad(`maxSentencepieceLength must be an integer in [1, 512] (got ${r.maxSentencepieceLength})`);
  if (!Number.isInteger(r.maxSentenceLength) || r.maxSentenceLength < 10)
    bad(`maxSentenceLength must be an integer >= 10 (got ${r.maxSentenceLength})`);
  if (!Number.isInteger(r.maxLines) || r.maxLines < 0) bad(`maxLines must be a non-negative integer (got ${r.maxLines})`);
  if (r.inputFormat !== 'text' && r.inputFormat !== 'tsv')
    bad(`inputFormat must be "text" or "tsv" (got ${JSON.stringify(r.inputFormat)})`);
  if (r.normalization !== 'identity')
    bad(`normalization must be "identity" (got ${JSON.stringify(r.normalization)}); NFKC-normalize the corpus beforehand instead`);
  for (const s of [...r.userDefinedSymbols, ...r.controlSymbols]) {
    if (s.length === 0) bad('user-defined and control symbols must not be empty strings');
  }
  return r;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The trainer_spec written into the model, with every field the trainer honours set explicitly. */
export function toTrainerSpec(r: ResolvedBpeOptions, input: string[], vocabSize: number): TrainerSpec {
  return {
    input,
    modelPrefix: '',
    modelType: ModelType.BPE,
    vocabSize,
    selfTestSampleSize: 0,
    inputFormat: r.inputFormat === 'tsv' ? 'tsv' : '',
    characterCoverage: r.characterCoverage,
    inputSentenceSize: r.maxLines,
    seedSentencepieceSize: 1000000,
    shrinkingFactor: 0.75,
    numThreads: 1,
    numSubIterations: 2,
    maxSentenceLength: r.maxSentenceLength,
    shuffleInputSentence: false,
    maxSentencepieceLength: r.maxSentencepieceLength,
    splitByUnicodeScript: r.splitByUnicodeScript,
    splitByWhitespace: r.splitByWhitespace,
    splitByNumber: r.splitByNumber,
    treatWhitespaceAsSuffix: false,
    splitDigits: r.splitDigits,
    allowWhitespaceOnlyPieces: r.allowWhitespaceOnlyPieces,
    controlSymbols: r.controlSymbols,
    userDefinedSymbols: r.userDefinedSymbols,
    vocabularyOutputPieceScore: true,
    hardVocabLimit: r.hardVocabLimit,
    useAllVocab: false,
    byteFallback: r.byteFallback,
    requiredChars: r.requiredChars,
    unkId: r.unkId,
    bosId: r.bosId,
    eosId: r.eosId,
    padId: r.padId,
    unkSurface: r.unkSurface,
    unkPiece: r.unkPiece,
    bosPiece: r.bosPiece,
    eosPiece: r.eosPiece,
    padPiece: r.padPiece,
    trainExtremelyLargeCorpus: false,
  };
}

export function toNormalizerSpec(r: ResolvedBpeOptions): NormalizerSpec {
  return {
    name: r.normalization,
    precompiledCharsmap: new Uint8Array(0),
    addDummyPrefix: r.addDummyPrefix,
    removeExtraWhitespaces: r.removeExtraWhitespaces,
    escapeWhitespaces: true,
    normalizationRuleTsv: '',
  };
}
