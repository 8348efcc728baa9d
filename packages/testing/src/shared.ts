/**
 * The one place tests find `../shared`: the folder beside the repository that holds what is too
 * big, or not ours, to commit (the real InternLM2 tokenizer, benchmark copies, design notes).
 * Fresh clones and CI machines do not have it, so tests ask here, check that the path exists,
 * and skip with a printed reason when it does not.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is packages/testing/{src,dist}/shared.*). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `$PUYU_SHARED_ROOT`, else `../shared` beside the repository, else `shared/` inside it (where a
 * copied working tree carries it); when none exists, `../shared`, so skip messages name it.
 */
export const SHARED_ROOT: string = (() => {
  const candidates = [process.env.PUYU_SHARED_ROOT, resolve(REPO_ROOT, '../shared'), resolve(REPO_ROOT, 'shared')];
  return candidates.find((c): c is string => !!c && existsSync(c)) ?? resolve(REPO_ROOT, '../shared');
})();

/** Where `parts` lie under ../shared, whether or not they are there. */
export function sharedPath(...parts: string[]): string {
  return join(SHARED_ROOT, ...parts);
}

/** Whether `parts` exist under ../shared. */
export function hasShared(...parts: string[]): boolean {
  return existsSync(sharedPath(...parts));
}

/** Benchmark copies: `$PUYU_DATA_ROOT`, else ../shared/datasets (a path, present or not). */
export function sharedDataPath(...parts: string[]): string {
  return join(process.env.PUYU_DATA_ROOT ?? sharedPath('datasets'), ...parts);
}

/** The benchmark copies' root when it exists, else null. */
export function sharedDataRoot(): string | null {
  const root = sharedDataPath();
  return existsSync(root) ? root : null;
}

/** The real InternLM2 tokenizer folder (tokenizer.model, tokenizer_config.json, config.json). */
export const INTERNLM2_TOKENIZER_DIR = sharedPath('models', 'internlm2-tokenizer');
