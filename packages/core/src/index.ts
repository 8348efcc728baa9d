export { formatIssues, loadJsonConfig, parseConfig } from './config.js';
export { ConfigError, describeError, EngineError, FormatError, isPuyuError, ModelError, PuyuError, TokenizerError } from './errors.js';
export { JsonlWriter, parseJsonl, readJsonl } from './jsonl.js';
export { formatDuration, Progress, type ProgressOptions } from './progress.js';
