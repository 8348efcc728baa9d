import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Turns zod issues into one readable sentence per bad field, so a user sees
 * every problem of a config at once rather than fixing them one run at a time.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const where = i.path.length ? i.path.map(String).join('.') : '(root)';
    return `${where}: ${i.message}`;
  });
}

/** Validates `value` against `schema`; throws a ConfigError listing every bad field. */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, source = 'config'): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const lines = formatIssues(r.error.issues);
  throw new ConfigError(
    'CONFIG_INVALID',
    `${source} is invalid (${lines.length} problem${lines.length > 1 ? 's' : ''}):\n  - ${lines.join('\n  - ')}`,
    {
      details: { issues: lines },
    },
  );
}

/**
 * Where a config keeps file paths. Each entry is a dotted key into the raw JSON: `a.b`,
 * `a[]` for every element of an array, `a[].b` for a field of every element. `prefix`
 * marks values like `local:model.gguf` whose path follows a scheme word (others are left).
 */
export type ConfigPathField = string | { key: string; prefix: string };

function resolveOne(value: unknown, baseDir: string, prefix: string): unknown {
  if (typeof value !== 'string' || !value.startsWith(prefix)) return value;
  const p = value.slice(prefix.length);
  // A URL (http://…) is not a path even when it has no scheme prefix to strip.
  if (p === '' || isAbsolute(p) || /^[a-z][a-z0-9+.-]*:\/\//i.test(p)) return value;
  return prefix + resolve(baseDir, p);
}

function resolveAt(node: unknown, keys: string[], baseDir: string, prefix: string): unknown {
  if (keys.length === 0) return resolveOne(node, baseDir, prefix);
  const [head, ...rest] = keys as [string, ...string[]];
  if (head.endsWith('[]')) {
    const name = head.slice(0, -2);
    const arr = name === '' ? node : (node as Record<string, unknown> | undefined)?.[name];
    if (!Array.isArray(arr)) return node;
    const mapped = arr.map((el) => resolveAt(el, rest, baseDir, prefix));
    return name === '' ? mapped : { ...(node as object), [name]: mapped };
  }
  if (node === null || typeof node !== 'object' || Array.isArray(node) || !(head in node)) return node;
  return { ...node, [head]: resolveAt((node as Record<string, unknown>)[head], rest, baseDir, prefix) };
}

/**
 * Resolves the relative paths of a raw config against `baseDir` (the config file's folder),
 * so a config means the same thing whatever folder the command runs from. Absolute paths,
 * URLs and fields that are absent or not strings are left as they are.
 */
export function resolveConfigPaths(raw: unknown, baseDir: string, fields: readonly ConfigPathField[]): unknown {
  let out = raw;
  for (const f of fields) {
    const { key, prefix } = typeof f === 'string' ? { key: f, prefix: '' } : f;
    out = resolveAt(out, key.split('.'), baseDir, prefix);
  }
  return out;
}

/** Reads a JSON file as an untyped value, with errors that name the file and what to do. */
export async function readJsonConfig(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError('CONFIG_NOT_FOUND', `cannot read config ${path}: ${(e as Error).message}. Check the path.`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError('CONFIG_NOT_JSON', `${path} is not valid JSON: ${(e as Error).message}. Fix the syntax and run again.`, {
      cause: e,
    });
  }
}

/**
 * Reads a JSON config file and validates it. The one rule for every config Puyu reads:
 * the paths it names (`opts.paths`) are relative to the config file, not to the folder
 * the command runs from.
 */
export async function loadJsonConfig<S extends z.ZodType>(
  schema: S,
  path: string,
  opts: { paths?: readonly ConfigPathField[] } = {},
): Promise<z.output<S>> {
  const raw = await readJsonConfig(path);
  const resolved = opts.paths ? resolveConfigPaths(raw, dirname(resolve(path)), opts.paths) : raw;
  return parseConfig(schema, resolved, path);
}
