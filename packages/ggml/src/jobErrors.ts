import { ConfigError, EngineError, FormatError, ModelError, PuyuError, TokenizerError } from '@puyu/core';

/** An error as it crosses the IPC channel: enough to rebuild it, as the same class, on the other side. */
export interface SerializedError {
  /** Class name (`ConfigError`, `CheckpointError`, `TypeError`…). */
  name: string;
  /** The stable PuyuError code; absent for errors that are not PuyuErrors. */
  code?: string;
  message: string;
  details?: Record<string, unknown>;
  stack?: string;
}

/** The last message a job sent with serveNativeJob: its result, or the error it ended with. */
export type JobOutcome = { puyuJob: 1; ok: true; value: unknown } | { puyuJob: 1; ok: false; error: SerializedError };

/** A PuyuError subclass, constructible the way PuyuError is. */
export type PuyuErrorClass = new (
  code: string,
  message: string,
  options?: { cause?: unknown; details?: Record<string, unknown> },
) => PuyuError;

/** @puyu/core's classes are always known; packages add their own (e.g. CheckpointError). */
const CORE_CLASSES: readonly PuyuErrorClass[] = [PuyuError, ConfigError, FormatError, TokenizerError, ModelError, EngineError];

export function isJobOutcome(m: unknown): m is JobOutcome {
  return typeof m === 'object' && m !== null && (m as { puyuJob?: unknown }).puyuJob === 1 && typeof (m as JobOutcome).ok === 'boolean';
}

/** JSON-safe copy of an error's details (IPC serializes as JSON; a BigInt would make send throw). */
function jsonSafe(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!details) return undefined;
  try {
    return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof PuyuError) return { name: e.name, code: e.code, message: e.message, details: jsonSafe(e.details), stack: e.stack };
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

/**
 * Rebuilds a child's error in the parent: a known class (core's, or one of `classes`)
 * comes back as that class with the same code and message; an unknown PuyuError
 * subclass as PuyuError with its code kept; anything else (a bug in the child, e.g. a
 * TypeError) as PuyuError with `fallbackCode`. The child's class and stack stay in details.
 */
export function reviveError(s: SerializedError, classes: readonly PuyuErrorClass[] = [], fallbackCode = 'NATIVE_JOB_ERROR'): PuyuError {
  const known = [...classes, ...CORE_CLASSES].find((c) => c.name === s.name);
  const details = { ...s.details, childError: s.name, ...(s.stack ? { childStack: s.stack } : {}) };
  if (s.code !== undefined) return new (known ?? PuyuError)(s.code, s.message, { details });
  return new PuyuError(fallbackCode, `${s.name}: ${s.message}`, { details });
}
