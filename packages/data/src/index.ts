// @puyu/data — the 书生·万卷-style corpus pipeline: streaming readers and writers, operators
// (normalisation, language ID, Gopher/C4 heuristics, PII, blocklists, exact and MinHash-LSH
// dedup, decontamination, model scoring), `puyu data run` / `puyu data dedup`, synthetic data
// and the flywheel, exports to puyu train (.ptok, XTuner, DPO) and InternEvo (.bin + .bin.meta).

export { type DedupJsonlOptions, type DedupStats, dedupJsonl } from './dedup/dedupJsonl.js';
export { falseNegativeArea, falsePositiveArea, type LshParams, optimalLshParams } from './dedup/lshParams.js';
export { bandKey, estimateJaccard, MinHasher, type MinHashOptions, resolveMinHashOptions } from './dedup/minhash.js';
export { NearDeduper, type NearDedupOptions, type NearDedupVerdict } from './dedup/NearDeduper.js';
export { DATA_ERROR_CODES, DATA_ERROR_PREFIXES, type DataErrorCode } from './errorCodes.js';
export { DataError } from './errors.js';
export { type Doc, type JsonlRecord, readJsonlDocs } from './io/jsonlDocs.js';
export { MalformedLog, type MalformedReason } from './io/Malformed.js';
export { readBytes } from './io/openBytes.js';
export { splitLines } from './io/splitLines.js';
export { fmix32, hashNgrams, normaliseForTokens, WordTokenizer, wordTokenStrings } from './text/wordTokens.js';
