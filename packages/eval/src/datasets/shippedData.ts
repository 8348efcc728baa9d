import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A data root with the benchmark items Puyu ships (packages/eval/assets: 50 GSM8K test items under
 * their MIT licence, see SOURCE.md there), for offline runs such as `puyu quickstart`. Both src/
 * and dist/ sit one level below the package folder.
 */
export function shippedEvalDataRoot(): string | undefined {
  const p = join(import.meta.dirname, '..', '..', 'assets');
  return existsSync(join(p, 'gsm8k', 'test.jsonl')) ? p : undefined;
}
