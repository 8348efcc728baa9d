import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERRORS_DOC, RENAMED_CODES, ROOT, renderErrorsDoc } from './errors-doc.js';
import {
  duplicateCodes,
  type ErrorCodeSurvey,
  normalizeCode,
  ownershipProblems,
  scanSource,
  surveyErrorCodes,
  unregisteredCodes,
  unusedCodes,
} from './errors-scan.js';

const list = (offenders: readonly string[]): string => `\n  - ${offenders.join('\n  - ')}\n`;

describe('error codes', () => {
  let s: ErrorCodeSurvey;
  beforeAll(async () => {
    s = await surveyErrorCodes(ROOT);
  });

  it('the scan finds codes in throws, code fields, code unions, helpers and [CODE] text, and nothing else', () => {
    const src = `
      // new FormatError('GGUF_IN_A_COMMENT', 'x')
      /** \`GGUF_IN_JSDOC\` */
      throw new FormatError('GGUF_A', 'm');
      throw new ServeError(
        'context_length_exceeded', 'm');
      throw new FormatError(missing ? 'GGUF_B' : 'GGUF_C', 'm');
      throw new Error('NOT_A_CODE_MESSAGE');
      const r = { ok: false, code: 'X_ANY_PREFIX', message: 'm' };
      const code = big ? 'GGUF_D' : 'GGUF_E';
      function bad(name: string, code = 'GGUF_F') {}
      runJob(child, { errorCode: 'TRAIN_G' });
      export type ToolCallErrorCode = 'TOOL_CALL_H' | 'TOOL_CALL_I';
      interface P { code: 'MODEL_J' | 'MODEL_K'; }
      badTensor(name, 'twice', 'GGUF_L');
      write(\`puyu: [CLI_M] \${s}\`);
      const e = { code: \`PROVIDER_HTTP_\${status}\` };
      checkLength(bytes, n, 'Q8_0');
      const kv: Record<K, 'Q4_0' | 'F16'> = { q4_0: 'Q4_0' };
      if (err.code === 'ERR_MODULE_NOT_FOUND') {}
      const t = \`[UNUSED_TOKEN_\${i}]\`;
    `;
    const found = scanSource(src, ['GGUF_', 'TRAIN_', 'CLI_', 'PROVIDER_']).map((u) => `${u.code}:${u.kind}`);
    expect(found).toEqual([
      'GGUF_A:throw',
      'context_length_exceeded:throw',
      'GGUF_B:throw',
      'GGUF_C:throw',
      'X_ANY_PREFIX:code-property',
      'GGUF_D:code-variable',
      'GGUF_E:code-variable',
      'GGUF_F:code-variable',
      'TRAIN_G:code-property',
      'TOOL_CALL_H:code-type',
      'TOOL_CALL_I:code-type',
      'MODEL_J:code-type',
      'MODEL_K:code-type',
      'GGUF_L:owned-prefix',
      'CLI_M:bracket',
      'PROVIDER_HTTP_*:code-property',
    ]);
    expect(normalizeCode('PROVIDER_HTTP_<status>')).toBe('PROVIDER_HTTP_*');
  });

  it('the checks name each offender with its package and sites', () => {
    const pkg = (name: string, deps: string[] = []) => ({ dir: `packages/${name}`, src: 'src', name: `@x/${name}`, deps });
    const entry = { meaning: 'm.', action: 'a.' };
    const [a, b, c] = [pkg('a'), pkg('b', ['@x/a']), pkg('c')];
    const fake: ErrorCodeSurvey = {
      packages: [a, b, c],
      tables: [
        {
          pkg: a,
          prefixes: ['A_'],
          codes: { A_USED: entry, A_UNUSED: entry, B_STOLEN: entry, 'A_HTTP_<n>': entry },
          codesExport: 'A_ERROR_CODES',
        },
        { pkg: b, prefixes: ['B_', 'A_SUB_'], codes: { B_USED: entry, A_USED: entry }, codesExport: 'B_ERROR_CODES' },
      ],
      uses: [
        { code: 'A_USED', pkg: '@x/b', file: 'b.ts', line: 1, kind: 'throw' },
        { code: 'B_USED', pkg: '@x/b', file: 'b.ts', line: 2, kind: 'throw' },
        { code: 'B_USED', pkg: '@x/c', file: 'c.ts', line: 3, kind: 'throw' },
        { code: 'Z_NOBODY', pkg: '@x/c', file: 'c.ts', line: 4, kind: 'code-property' },
        { code: 'A_HTTP_*', pkg: '@x/a', file: 'a.ts', line: 5, kind: 'code-property' },
        { code: 'B_STOLEN', pkg: '@x/a', file: 'a.ts', line: 6, kind: 'owned-prefix' },
      ],
    };
    expect(unregisteredCodes(fake)).toEqual([
      '@x/c: B_USED is registered only by @x/b, which @x/c does not depend on — used at c.ts:3',
      '@x/c: Z_NOBODY is in no table, and no package owns its prefix — used at c.ts:4',
    ]);
    expect(unusedCodes(fake)).toEqual([
      '@x/a: A_UNUSED is registered in A_ERROR_CODES but never used in its sources (packages/*/src, apps/*/server)',
    ]);
    expect(ownershipProblems(fake)).toEqual([
      '@x/a: B_STOLEN is in A_ERROR_CODES but its prefix belongs to @x/b',
      '@x/b: A_USED is in B_ERROR_CODES but its prefix belongs to @x/a',
      'prefix A_SUB_ of @x/b lies inside prefix A_ of @x/a',
    ]);
    expect(duplicateCodes(fake)).toEqual(['A_USED is registered by @x/a and @x/b']);
  });

  it('finds the codes of every package (the scan is not silently empty)', () => {
    const pkgs = new Set(s.uses.map((u) => u.pkg));
    for (const t of s.tables) expect(pkgs.has(t.pkg.name), `${t.pkg.name} uses no code`).toBe(true);
    expect(s.uses.length).toBeGreaterThan(200);
  });

  it('every code a package uses is registered by that package or one it depends on', () => {
    const offenders = unregisteredCodes(s);
    expect(offenders, `codes in no table the package can see:${list(offenders)}`).toEqual([]);
  });

  it('every registered code is used somewhere in packages/*/src', () => {
    const offenders = unusedCodes(s);
    expect(offenders, `registered but unused (remove them, or use them):${list(offenders)}`).toEqual([]);
  });

  it('every code is registered by the package that owns its prefix, and each prefix has one owner', () => {
    const offenders = ownershipProblems(s);
    expect(offenders, `prefix ownership broken:${list(offenders)}`).toEqual([]);
  });

  it('no code is registered by two packages', () => {
    const offenders = duplicateCodes(s);
    expect(offenders, `registered twice:${list(offenders)}`).toEqual([]);
  });

  it('renamed codes are gone from the sources and the tables, and their new names are registered', () => {
    const used = new Set(s.uses.map((u) => u.code));
    const all = new Set(s.tables.flatMap((t) => Object.keys(t.codes)));
    const offenders = RENAMED_CODES.flatMap((r) => [
      ...(used.has(r.from) ? [`${r.from} (renamed to ${r.to}) is used again`] : []),
      ...(all.has(r.from) ? [`${r.from} (renamed to ${r.to}) is registered again`] : []),
      ...(!s.tables.find((t) => t.pkg.name === r.pkg)?.codes[r.to] ? [`${r.to} is not registered by ${r.pkg}`] : []),
    ]);
    expect(offenders, `renames broken:${list(offenders)}`).toEqual([]);
  });

  it('every package that uses codes has a table, exported from its index', () => {
    const withTable = new Set(s.tables.map((t) => t.pkg.name));
    const registeredBy = new Map(s.tables.flatMap((t) => Object.keys(t.codes).map((c) => [normalizeCode(c), t.pkg.name] as const)));
    const offenders = s.packages.flatMap((p) => {
      const own = s.uses.some((u) => u.pkg === p.name && (registeredBy.get(u.code) ?? p.name) === p.name);
      if (!withTable.has(p.name)) return own ? [`${p.name} has no src/errorCodes.ts`] : [];
      const index = join(ROOT, p.dir, p.src, 'index.ts');
      return existsSync(index) && readFileSync(index, 'utf8').includes("'./errorCodes.js'")
        ? []
        : [`${p.dir}/${p.src}/index.ts does not export ./errorCodes.js`];
    });
    expect(offenders, `missing tables or exports:${list(offenders)}`).toEqual([]);
  });

  it('docs/errors.md is what scripts/errors-doc.ts writes now (run `npm run docs:errors`)', () => {
    const current = existsSync(ERRORS_DOC) ? readFileSync(ERRORS_DOC, 'utf8') : '';
    expect(current === renderErrorsDoc(s), 'docs/errors.md is stale: run `npm run docs:errors` and commit it').toBe(true);
  });
});
