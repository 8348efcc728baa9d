import { defineErrorCodes } from '@puyu/core';

/** The error codes @puyu/assistant throws or reports (see docs/errors.md and @puyu/core's defineErrorCodes). */
export const ASSISTANT_ERROR_PREFIXES = ['ASSISTANT_'] as const;

export const ASSISTANT_ERROR_CODES = defineErrorCodes('@puyu/assistant', ASSISTANT_ERROR_PREFIXES, {
  ASSISTANT_FILE_TOO_LARGE: {
    meaning: 'A document or upload is larger than the size limit (100 MiB by default).',
    action: 'Split the document, or raise the limit (maxFileBytes / --max-file-mb) if the file is trusted.',
  },
  ASSISTANT_ARCHIVE_BOMB: {
    meaning:
      'A ZIP container (an uploaded .zip or a DOCX) would expand past the size, ratio or entry-count limits: an archive bomb, or simply too large.',
    action: 'Upload the documents unpacked or in smaller archives; nothing from this archive was read.',
  },
  ASSISTANT_BAD_ARCHIVE: {
    meaning: 'An uploaded .zip is truncated, encrypted, or uses a compression method other than stored/deflate.',
    action: 'Re-create the archive with a standard zip tool (deflate, no password), or upload the files one by one.',
  },
  ASSISTANT_UNREADABLE_FILE: {
    meaning: 'A document could not be read or extracted during ingest; it was skipped and listed in the report (returned as data).',
    action: 'Open the file to check it is intact; the report line says why it failed.',
  },
  ASSISTANT_NO_DOCUMENTS: {
    meaning: 'Ingest found no readable Markdown, text, PDF, DOCX or HTML file in the folder.',
    action: 'Point ingest at the folder that holds the documents (it recurses into sub-folders).',
  },
  ASSISTANT_KB_NOT_FOUND: {
    meaning: 'The knowledge-base folder has no config.json: it was never ingested into.',
    action: 'Run `puyu assistant ingest DIR --kb KB` first, or check the --kb path.',
  },
  ASSISTANT_KB_CORRUPT: {
    meaning: 'A knowledge-base file (config.json, chunks.json, the vector index) cannot be parsed.',
    action: 'Re-run ingest into a fresh --kb folder; the source documents are not touched.',
  },
  ASSISTANT_NO_VECTORS: {
    meaning: 'Dense or hybrid retrieval was asked of a knowledge base ingested without an embedding endpoint.',
    action: 'Re-run ingest with --embed URL@model, or use --retriever bm25.',
  },
  ASSISTANT_EMBED_FAILED: {
    meaning: 'The /v1/embeddings endpoint failed or answered vectors of the wrong count or size.',
    action: 'Check the endpoint is up and serves embeddings; the message carries its PROVIDER_* code. Re-run to resume.',
  },
  ASSISTANT_NO_MODEL: {
    meaning: 'The full pipeline needs a chat model, and none was given or stored in the knowledge base.',
    action: 'Pass --model URL@model (or local:PATH.gguf), or use --retrieval-only.',
  },
  ASSISTANT_BAD_QUESTIONS: {
    meaning: 'calibrate needs at least one good and one bad question.',
    action: 'Give --good and --bad files with one question per line.',
  },
  ASSISTANT_NOT_CALIBRATED: {
    meaning:
      'No threshold is stored for the asked retriever, so a default was used (returned as data in the retrieval step of the decision log).',
    action: 'Run `puyu assistant calibrate --kb KB --good FILE --bad FILE`; until then a default threshold is used (reported as data).',
  },
  ASSISTANT_WEBHOOK_BAD_SIGNATURE: {
    meaning: 'A webhook request had no signature, or its HMAC-SHA256 signature does not match the shared secret.',
    action: 'Sign `timestamp.nonce.body` with the shared secret and send it as X-Puyu-Signature: sha256=<hex>.',
  },
  ASSISTANT_WEBHOOK_REPLAY: {
    meaning: 'A webhook request reused a nonce already seen within the replay window.',
    action: 'Send a fresh random X-Puyu-Nonce with every request.',
  },
  ASSISTANT_WEBHOOK_STALE: {
    meaning: 'A webhook request timestamp is missing or outside the allowed window (300 s by default).',
    action: 'Send X-Puyu-Timestamp as the current Unix time in seconds and check the sender clock.',
  },
  ASSISTANT_BAD_REQUEST: {
    meaning: 'An HTTP request to the assistant API is malformed (not JSON, missing question, too large).',
    action: 'Send JSON such as {"question": "…"}; the message names the field.',
  },
});

export type AssistantErrorCode = keyof typeof ASSISTANT_ERROR_CODES;
