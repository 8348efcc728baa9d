// @puyu/assistant — a domain assistant in the manner of HuixiangDou, with calibrated rejection:
// ingest documents into an on-disk KB (BM25 with jieba + dense vectors in usearch), decide
// answer-or-refuse with logged scores, answer with numbered citations, serve over HTTP and a
// signed webhook.
export { type ArchiveLimits, checkZipBomb, unzip, type ZipEntry, zipEntries } from './archive.js';
export { Bm25Index, buildBm25 } from './bm25.js';
export { fitThreshold, parseQuestions, prPoint } from './calibrate.js';
export { type Chunk, type ChunkOptions, chunkDocument, pageOf } from './chunk.js';
export { type Embedder, embedderFor, openEmbedder } from './embedder.js';
export { ASSISTANT_ERROR_CODES, ASSISTANT_ERROR_PREFIXES, type AssistantErrorCode } from './errorCodes.js';
export { AssistantError } from './errors.js';
export { askOptions, createAssistantHandler, readBody, type ServeOptions, serveAssistant } from './http.js';
export { DEFAULT_MAX_FILE_BYTES, type IngestOptions, type IngestReport, ingestFolder, type SkippedFile } from './ingest.js';
export { injectionPayloads, looksLikeInjection } from './injection.js';
export {
  createKnowledgeBase,
  DEFAULT_THRESHOLDS,
  type KbStats,
  KnowledgeBase,
  type OpenKbOptions,
  openKnowledgeBase,
} from './knowledgeBase.js';
export type { Citation, DecideOptions, Decision, HistoryTurn, LogEntry } from './pipeline.js';
export { endpointReranker, llmReranker, type Reranker } from './rerank.js';
export { type Hit, type Retrieval, retrieve, rrf } from './retrieve.js';
export { securityCheck } from './security.js';
export { AssistantService, type QuestionLists, type ServiceLimits } from './service.js';
export type { Calibration, KbConfig, PrPoint, RetrieverKind } from './store.js';
export { tokenize } from './tokenize.js';
export { signWebhook, type WebhookHeaders, WebhookVerifier } from './webhook.js';
