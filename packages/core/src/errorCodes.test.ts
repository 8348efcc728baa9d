import { describe, expect, it } from 'vitest';
import { CORE_ERROR_CODES, type CoreErrorCode, defineErrorCodes } from './errorCodes.js';
import { InternalError } from './errors.js';

const ok = { meaning: 'It broke.', action: 'Fix it.' };

describe('defineErrorCodes', () => {
  it('returns the table frozen, entries included, with its codes as a type', () => {
    const t = defineErrorCodes('@x/pkg', ['PKG_', 'OTHER_'], { PKG_BROKEN: ok, OTHER_GONE: { ...ok }, 'PKG_HTTP_<status>': ok });
    const code: keyof typeof t = 'PKG_BROKEN';
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t[code])).toBe(true);
    expect(Object.keys(t)).toEqual(['PKG_BROKEN', 'OTHER_GONE', 'PKG_HTTP_<status>']);
  });

  it('refuses codes outside the owned prefixes, malformed codes and prefixes, and empty texts, listing every problem', () => {
    let err: unknown;
    try {
      defineErrorCodes('@x/pkg', ['PKG_', 'bad'], {
        PKG_FINE: ok,
        GGUF_CORRUPT: ok,
        PKG_lower: ok,
        PKG_EMPTY: { meaning: ' ', action: 'Fix it.' },
        PKG_TWO_LINES: { meaning: 'One.\nTwo.', action: 'Fix it.' },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InternalError);
    expect(err).toMatchObject({ code: 'INTERNAL_BAD_ERROR_TABLE' });
    const problems = (err as InternalError).details?.problems as string[];
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/prefix "bad"/);
    expect(problems.join('\n')).toMatch(/GGUF_CORRUPT: starts with none of @x\/pkg's prefixes/);
    expect(problems.join('\n')).toMatch(/PKG_lower: not in CODE form/);
    expect(problems.join('\n')).toMatch(/PKG_EMPTY: meaning/);
    expect(problems.join('\n')).toMatch(/PKG_TWO_LINES: meaning/);
  });

  it('needs at least one prefix', () => {
    expect(() => defineErrorCodes('@x/pkg', [], {})).toThrow(/owns no prefix/);
  });

  it("lets an outside protocol's lower_snake_case code through only when marked standard", () => {
    expect(() => defineErrorCodes('@x/pkg', ['PKG_'], { not_found: { ...ok, standard: 'OpenAI' } })).not.toThrow();
    expect(() => defineErrorCodes('@x/pkg', ['PKG_'], { not_found: ok })).toThrow(/not_found: not in CODE form/);
    expect(() => defineErrorCodes('@x/pkg', ['PKG_'], { NOT_FOUND: { ...ok, standard: 'OpenAI' } })).toThrow(/lower_snake_case/);
  });
});

describe('CORE_ERROR_CODES', () => {
  it('registers the codes toPuyuError maps system errors to', () => {
    const mapped: CoreErrorCode[] = [
      'FILE_NOT_FOUND',
      'FILE_NO_ACCESS',
      'FILE_IS_DIRECTORY',
      'FILE_EXISTS',
      'NET_ADDRESS_IN_USE',
      'INTERNAL_ERROR',
    ];
    for (const c of mapped) expect(CORE_ERROR_CODES[c].action).not.toBe('');
  });
});
