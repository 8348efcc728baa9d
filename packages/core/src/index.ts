export { PuyuError, ConfigError, FormatError, TokenizerError, ModelError, EngineError, isPuyuError, describeError } from './errors.js';
export { parseConfig, loadJsonConfig, formatIssues } from './config.js';
export { readJsonl, parseJsonl, JsonlWriter } from './jsonl.js';
export { Progress, formatDuration, type ProgressOptions } from './progress.js';
