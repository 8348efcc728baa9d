export {
  type ConfigPathField,
  formatIssues,
  loadJsonConfig,
  parseConfig,
  readJsonConfig,
  resolveConfigPaths,
} from './config.js';
export {
  type ContainedRunOptions,
  type ContainedRunResult,
  type NetworkIsolation,
  networkIsolation,
  runContained,
  withoutNetwork,
} from './contained.js';
export { CORE_ERROR_CODES, CORE_ERROR_PREFIXES, type CoreErrorCode, defineErrorCodes, type ErrorCodeInfo } from './errorCodes.js';
export {
  ConfigError,
  describeError,
  EngineError,
  FileError,
  FormatError,
  InternalError,
  isPuyuError,
  ModelError,
  PuyuError,
  TokenizerError,
  toPuyuError,
} from './errors.js';
export { JsonlWriter, parseJsonl, readJsonl } from './jsonl.js';
export { formatDuration, Progress, type ProgressOptions } from './progress.js';
export { abortReason, sleep, WaiterQueue } from './WaiterQueue.js';
