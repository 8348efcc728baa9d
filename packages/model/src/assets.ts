import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The default tokenizer shipped in packages/model/assets (both src/ and dist/ sit
 * one level below the package root, so the same relative path works from either).
 */
export function defaultTokenizerPath(): string | undefined {
  const p = join(import.meta.dirname, '..', 'assets', 'puyu-tiny.model');
  return existsSync(p) ? p : undefined;
}
