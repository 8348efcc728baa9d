import { InternalError } from './errors.js';

/**
 * Error-code registry. Every `PuyuError.code` starts with a prefix that exactly one package
 * owns (core: CONFIG_, FILE_…; formats: GGUF_, TOKENIZER_…), and every package lists the codes
 * it throws or returns in its own `src/errorCodes.ts`, made with `defineErrorCodes`. A package
 * may also use codes registered by the packages it depends on. `docs/errors.md` is generated
 * from these tables (`npm run docs:errors`); `scripts/errors-doc.test.ts` checks the sources
 * against them.
 */

/** What a code means and what the user should do about it, one sentence each. */
export interface ErrorCodeInfo {
  readonly meaning: string;
  readonly action: string;
  /**
   * Set for a code that an outside protocol defines and clients switch on (`'OpenAI'` for
   * `context_length_exceeded`): it keeps that protocol's spelling and needs no owned prefix.
   */
  readonly standard?: string;
}

/** `GGUF_`, `TOOL_CALL_`: capitals and digits, ending in `_`. */
const PREFIX_RE = /^[A-Z][A-Z0-9]*_(?:[A-Z0-9]+_)*$/;
/** `GGUF_CORRUPT`, or a family such as `PROVIDER_HTTP_<status>` (the part in <> varies). */
const CODE_RE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_<[a-z][a-z0-9_]*>$/;
/** An outside protocol's code: `context_length_exceeded`. */
const STANDARD_RE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/**
 * Checks and freezes one package's table: every prefix is well formed, every code is in
 * CODE form and starts with one of the package's prefixes (or is a `standard` code), and
 * every entry has a one-line meaning and action. Throws INTERNAL_BAD_ERROR_TABLE listing
 * every problem, so a bad table fails as soon as its module loads.
 */
export function defineErrorCodes<const T extends Record<string, ErrorCodeInfo>>(
  pkg: string,
  prefixes: readonly string[],
  table: T,
): Readonly<T> {
  const problems: string[] = [];
  if (prefixes.length === 0) problems.push('it owns no prefix');
  for (const p of prefixes) if (!PREFIX_RE.test(p)) problems.push(`prefix "${p}" is not capitals and digits ending in "_"`);
  for (const [code, info] of Object.entries(table)) {
    if (info.standard !== undefined) {
      if (!STANDARD_RE.test(code)) problems.push(`${code}: a standard code is lower_snake_case`);
    } else if (!CODE_RE.test(code)) {
      problems.push(`${code}: not in CODE form (capitals, digits and underscores, e.g. GGUF_CORRUPT)`);
    } else if (!prefixes.some((p) => code.startsWith(p))) {
      problems.push(`${code}: starts with none of ${pkg}'s prefixes (${prefixes.join(', ')})`);
    }
    for (const field of ['meaning', 'action'] as const) {
      const s = info[field];
      if (typeof s !== 'string' || s.trim() === '' || s.includes('\n')) problems.push(`${code}: ${field} must be one non-empty line`);
    }
    Object.freeze(info);
  }
  if (problems.length > 0)
    throw new InternalError('INTERNAL_BAD_ERROR_TABLE', `the error-code table of ${pkg} is invalid:\n  - ${problems.join('\n  - ')}`, {
      details: { pkg, problems },
    });
  return Object.freeze(table);
}

export const CORE_ERROR_PREFIXES = ['CONFIG_', 'FILE_', 'JSONL_', 'NET_', 'INTERNAL_'] as const;

export const CORE_ERROR_CODES = defineErrorCodes('@puyu/core', CORE_ERROR_PREFIXES, {
  CONFIG_INVALID: {
    meaning: 'A configuration (a config file or command-line input) breaks one or more rules; the message lists every bad field.',
    action: 'Fix each field the message names and run again.',
  },
  CONFIG_NOT_FOUND: {
    meaning: 'A config file cannot be read: it does not exist or is not readable.',
    action: 'Check the path and its permissions.',
  },
  CONFIG_NOT_JSON: {
    meaning: 'A config file is not valid JSON.',
    action: 'Fix the JSON syntax at the position the message gives (no comments or trailing commas).',
  },
  FILE_NOT_FOUND: {
    meaning: 'A file or folder the command needs does not exist.',
    action: 'Check the path in the message.',
  },
  FILE_NO_ACCESS: {
    meaning: 'A file or folder exists but this user may not read or write it.',
    action: 'Fix its permissions or run as a user who may access it.',
  },
  FILE_IS_DIRECTORY: {
    meaning: 'A folder was given where a file was expected.',
    action: 'Name the file inside that folder.',
  },
  FILE_NOT_DIRECTORY: {
    meaning: 'A path cannot be reached because one of its parts is a file, not a folder.',
    action: 'Check the path: a file stands where a folder is expected.',
  },
  FILE_EXISTS: {
    meaning: 'The output path already exists and would be overwritten.',
    action: 'Remove it or choose another path.',
  },
  FILE_LINEAGE_CORRUPT: {
    meaning: "An artefact's lineage manifest (lineage.json or NAME.lineage.json) is not a puyu.lineage/1 manifest.",
    action: 'Delete the manifest (the artefact then reads as a raw input) or re-run the command that made the artefact.',
  },
  FILE_DISK_FULL: {
    meaning: 'A write failed because the disk is full.',
    action: 'Free disk space (or write elsewhere) and run again.',
  },
  FILE_TOO_MANY_OPEN: {
    meaning: 'The process hit its limit of open files.',
    action: 'Raise the limit (`ulimit -n`) or read fewer files at once.',
  },
  NET_ADDRESS_IN_USE: {
    meaning: 'The address and port to listen on are already taken by another process.',
    action: 'Stop what listens there or choose another --port.',
  },
  JSONL_BAD_LINE: {
    meaning: 'A line of a JSONL file is not valid JSON.',
    action: 'Fix or remove the line the message names (file:line).',
  },
  INTERNAL_ERROR: {
    meaning: 'Something failed that should not: a bug in Puyu, not a problem with your input.',
    action: 'Rerun with PUYU_DEBUG=1 and report the stack trace.',
  },
  INTERNAL_BAD_ERROR_TABLE: {
    meaning: "A package's error-code table breaks the code convention (found when the package loads).",
    action: 'A bug in Puyu: fix the table the message names (see docs/errors.md).',
  },
});

export type CoreErrorCode = keyof typeof CORE_ERROR_CODES;
