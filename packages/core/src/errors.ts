/**
 * One base error for the whole toolkit. Every error carries a stable `code`
 * (machine-readable, never reworded) and a message that says what to do.
 * Domain packages subclass it so callers can `instanceof` by domain.
 */
export class PuyuError extends Error {
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details;
  }

  toJSON(): { name: string; code: string; message: string; details?: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** Invalid configuration or command-line input. */
export class ConfigError extends PuyuError {}
/** A file is missing, unreadable, truncated or not in the expected format. */
export class FormatError extends PuyuError {}
/** A tokenizer cannot be loaded or cannot encode/decode. */
export class TokenizerError extends PuyuError {}
/** A model is inconsistent: unknown architecture, mismatched shapes, missing tensors. */
export class ModelError extends PuyuError {}
/** A native engine (llama.cpp / ggml) failed. */
export class EngineError extends PuyuError {}

export function isPuyuError(e: unknown): e is PuyuError {
  return e instanceof PuyuError;
}

/** Formats any thrown value as one line for a CLI: `[CODE] message`. */
export function describeError(e: unknown): string {
  if (e instanceof PuyuError) return `[${e.code}] ${e.message}`;
  if (e instanceof Error) return e.message;
  return String(e);
}
