import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_ACTIONS_FILE, renderErrorActions } from './error-hints.js';
import { ROOT } from './errors-doc.js';
import { loadTables } from './errors-scan.js';

describe('CLI error hints', () => {
  it('packages/cli/error-actions.json matches the error-code tables (run `npm run docs:errors`)', async () => {
    const tables = await loadTables(ROOT);
    expect(existsSync(ERROR_ACTIONS_FILE)).toBe(true);
    expect(readFileSync(ERROR_ACTIONS_FILE, 'utf8')).toBe(renderErrorActions(tables));
    expect(Object.keys(JSON.parse(readFileSync(ERROR_ACTIONS_FILE, 'utf8')))).toContain('CLI_USAGE');
  });
});
