export { type BpeTrainingResult, type BpeTrainingStats, trainBpe, writeSentencePieceModel } from './bpe-trainer.js';
export { type CorpusOptions, decodeUtf8LikeSentencePiece, readCorpusLines } from './corpus-lines.js';
export { bytePiece } from './meta-pieces.js';
export type { BpeTrainerOptions } from './trainer-options.js';
