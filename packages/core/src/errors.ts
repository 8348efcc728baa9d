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

/** A file-system failure: missing, unreadable or of the wrong kind. */
export class FileError extends PuyuError {}
/** Something that should not happen: a bug to report, never the user's fault. */
export class InternalError extends PuyuError {}

/** Node's system error codes (`err.code`) → our stable code and what to tell the user. */
const SYSTEM_ERRORS: Record<string, { code: string; hint: string }> = {
  ENOENT: { code: 'FILE_NOT_FOUND', hint: 'does not exist: check the path' },
  EACCES: { code: 'FILE_NO_ACCESS', hint: 'is not accessible: check its permissions' },
  EPERM: { code: 'FILE_NO_ACCESS', hint: 'is not accessible: check its permissions' },
  EISDIR: { code: 'FILE_IS_DIRECTORY', hint: 'is a folder where a file was expected: name the file inside it' },
  ENOTDIR: { code: 'FILE_NOT_DIRECTORY', hint: 'cannot be reached: a part of that path is a file, not a folder' },
  EEXIST: { code: 'FILE_EXISTS', hint: 'already exists: remove it or choose another path' },
  ENOSPC: { code: 'FILE_DISK_FULL', hint: 'cannot be written: the disk is full, free some space' },
  EMFILE: { code: 'FILE_TOO_MANY_OPEN', hint: 'cannot be opened: too many open files, raise `ulimit -n`' },
  EADDRINUSE: { code: 'NET_ADDRESS_IN_USE', hint: 'is in use: stop what listens there or choose another --port' },
};

/**
 * Any thrown value as a PuyuError, so every failure reaches the user as `[CODE] sentence`:
 * PuyuErrors pass through, Node's system errors (a raw `ENOENT: no such file or directory,
 * open 'x'`) get a stable code and a hint, anything else is an INTERNAL_ERROR (a bug).
 */
export function toPuyuError(e: unknown): PuyuError {
  if (e instanceof PuyuError) return e;
  if (e instanceof Error) {
    const sys = e as NodeJS.ErrnoException & { address?: string; port?: number };
    const known = typeof sys.code === 'string' ? SYSTEM_ERRORS[sys.code] : undefined;
    if (known) {
      const what = sys.path ?? (sys.port !== undefined ? `${sys.address ?? ''}:${sys.port}` : undefined);
      const message = what ? `${what} ${known.hint}.` : `${e.message} (${known.hint}).`;
      const Cls = known.code.startsWith('FILE_') ? FileError : EngineError;
      return new Cls(known.code, message, { cause: e, details: { syscall: sys.syscall, errno: sys.code } });
    }
    return new InternalError('INTERNAL_ERROR', `${e.message} (this is a bug: rerun with PUYU_DEBUG=1 and report the stack).`, {
      cause: e,
    });
  }
  return new InternalError('INTERNAL_ERROR', `${String(e)} (this is a bug: rerun with PUYU_DEBUG=1 and report it).`);
}

/** Formats any thrown value as one line for a CLI: `[CODE] message`. */
export function describeError(e: unknown): string {
  const p = toPuyuError(e);
  return `[${p.code}] ${p.message}`;
}
