// SFT dialogue data (XTuner stage): JSONL readers, masked tokenization, packed batches.

export {
  parseSftJsonl,
  parseSftRecord,
  readSftJsonl,
  SFT_FORMATS,
  type SftDialogue,
  type SftFormat,
  type SftReadOptions,
  type SftReadResult,
} from './readSftJsonl.js';
export { SFT_PAD_DOC_ID, SftBatcher, type SftBatcherOptions } from './SftBatcher.js';
export { SftDataError, type SftLineCode, type SftSkippedLine } from './SftDataError.js';
export {
  assertChatMarkers,
  renderSftSegments,
  type SftExample,
  type SftSegment,
  type SftTokenizeOptions,
  sftRenderOptions,
  tokenizeSftDialogue,
  tokenizeSftDialogues,
} from './tokenizeSftDialogue.js';
