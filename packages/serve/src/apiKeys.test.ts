import { describe, expect, it } from 'vitest';
import { ApiKeys } from './apiKeys.js';

describe('ApiKeys', () => {
  it('accepts any configured key as a Bearer token, scheme in any case, and nothing else', () => {
    const keys = new ApiKeys(['k1', 'a longer key']);
    for (const h of ['Bearer k1', 'bearer k1', 'BEARER  k1 ', 'Bearer a longer key']) expect(keys.authorizes(h), h).toBe(true);
    for (const h of [undefined, null, '', 'k1', 'Bearer', 'Bearer k', 'Bearer k1x', 'Basic k1', 'Bearer K1'])
      expect(keys.authorizes(h), String(h)).toBe(false);
  });

  it('no keys = open; empty keys are ignored', () => {
    expect(new ApiKeys([]).authorizes(undefined)).toBe(true);
    expect(new ApiKeys(['']).open).toBe(true);
  });
});
