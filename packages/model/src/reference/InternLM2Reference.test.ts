import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInternLM2Config } from '../config.js';
import { loadHfFixture } from '../fixtures/load-fixture.js';
import { InternLM2Reference } from './InternLM2Reference.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('InternLM2Reference vs PyTorch', () => {
  for (const name of ['tiny-gqa', 'tiny-dynamic', 'tiny-linear']) {
    it(`${name}: logits match torch within 1e-4`, () => {
      const dir = join(fixtures, name);
      const { config, weights } = loadHfFixture(dir);
      const meta = JSON.parse(readFileSync(join(dir, 'logits.json'), 'utf8')) as { tokens: number[]; shape: number[] };
      const buf = readFileSync(join(dir, 'logits.bin'));
      const expected = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      const model = new InternLM2Reference(config, weights);
      const logits = model.forward(meta.tokens);
      const diff = maxAbsDiff(logits, expected);
      console.log(`[reference] ${name}: max |TS − torch| = ${diff.toExponential(3)} over ${meta.shape.join('×')} logits`);
      expect(diff).toBeLessThanOrEqual(1e-4);
    });
  }

  it('rope scaling matters: ignoring it moves the logits (negative control)', () => {
    for (const name of ['tiny-dynamic', 'tiny-linear']) {
      const { config, weights } = loadHfFixture(join(fixtures, name));
      const tokens = Array.from({ length: 24 }, (_, i) => (i * 7) % config.vocab_size);
      const scaled = new InternLM2Reference(config, weights).forward(tokens);
      const plain = new InternLM2Reference({ ...config, rope_scaling: null }, weights).forward(tokens);
      expect(maxAbsDiff(scaled, plain)).toBeGreaterThan(1e-3);
    }
  });

  it('incremental decoding with the KV cache equals one full forward', () => {
    const { config, weights } = loadHfFixture(join(fixtures, 'tiny-gqa'));
    const model = new InternLM2Reference(config, weights);
    const tokens = [1, 5, 9, 77, 3, 120, 64, 2, 33, 48];
    const full = model.forward(tokens);
    const cache = model.createCache(2); // small capacity forces the cache to grow
    const parts = [model.forward(tokens.slice(0, 4), cache)];
    for (let t = 4; t < tokens.length; t++) parts.push(model.forward([tokens[t]], cache));
    const inc = new Float32Array(full.length);
    let o = 0;
    for (const p of parts) {
      inc.set(p, o);
      o += p.length;
    }
    expect(cache.length).toBe(tokens.length);
    const diff = maxAbsDiff(full, inc);
    console.log(`[reference] incremental vs full: max diff ${diff.toExponential(3)}`);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('dynamic NTK: token-by-token decoding matches HF-style incremental torch (bases change past the context)', () => {
    const dir = join(fixtures, 'tiny-dynamic');
    const { config, weights } = loadHfFixture(dir);
    const meta = JSON.parse(readFileSync(join(dir, 'logits.json'), 'utf8')) as { tokens: number[] };
    const buf = readFileSync(join(dir, 'logits_incremental.bin'));
    const expected = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const model = new InternLM2Reference(config, weights);
    const cache = model.createCache();
    const got = new Float32Array(expected.length);
    for (const [i, t] of meta.tokens.entries()) got.set(model.forward([t], cache), i * config.vocab_size);
    const diff = maxAbsDiff(got, expected);
    console.log(`[reference] tiny-dynamic incremental: max |TS − torch| = ${diff.toExponential(3)}`);
    expect(diff).toBeLessThanOrEqual(1e-4);
    // Past max_position_embeddings incremental decoding differs from one full forward, as in HF.
    expect(maxAbsDiff(got, model.forward(meta.tokens))).toBeGreaterThan(1e-3);
  });

  it('lastOnly returns just the last row, identical to the full forward; typed-array tokens work', () => {
    const { config, weights } = loadHfFixture(join(fixtures, 'tiny-gqa'));
    const model = new InternLM2Reference(config, weights);
    const full = model.forward([5, 6, 7]);
    const last = model.forward(Int32Array.of(5, 6, 7), undefined, { lastOnly: true });
    expect(last.length).toBe(config.vocab_size);
    expect(Array.from(last)).toEqual(Array.from(full.subarray(2 * config.vocab_size)));
  });

  it('truncating the cache rewinds decoding', () => {
    const { config, weights } = loadHfFixture(join(fixtures, 'tiny-gqa'));
    const model = new InternLM2Reference(config, weights);
    const cache = model.createCache();
    model.forward([1, 2, 3, 4, 5], cache);
    cache.truncate(3);
    const again = model.forward([9], cache);
    const full = model.forward([1, 2, 3, 9]);
    expect(maxAbsDiff(again, full.subarray(3 * config.vocab_size))).toBeLessThanOrEqual(1e-5);
    expect(() => cache.truncate(10)).toThrow(expect.objectContaining({ code: 'MODEL_CACHE_RANGE' }));
  });

  it('a different token changes later logits but not earlier ones (causal mask)', () => {
    const { config, weights } = loadHfFixture(join(fixtures, 'tiny-gqa'));
    const model = new InternLM2Reference(config, weights);
    const v = config.vocab_size;
    const a = model.forward([1, 2, 3, 4]);
    const b = model.forward([1, 2, 9, 4]);
    expect(maxAbsDiff(a.subarray(0, 2 * v), b.subarray(0, 2 * v))).toBe(0);
    expect(maxAbsDiff(a.subarray(2 * v), b.subarray(2 * v))).toBeGreaterThan(1e-3);
  });

  it('rejects token ids outside the vocabulary', () => {
    const { config, weights } = loadHfFixture(join(fixtures, 'tiny-gqa'));
    const model = new InternLM2Reference(config, weights);
    expect(() => model.forward([1, 128])).toThrow(expect.objectContaining({ code: 'MODEL_TOKEN_RANGE' }));
    expect(() => model.forward([-1])).toThrow(expect.objectContaining({ code: 'MODEL_TOKEN_RANGE' }));
  });

  it('config parse of a fixture keeps rope scaling', () => {
    const raw = JSON.parse(readFileSync(join(fixtures, 'tiny-dynamic', 'config.json'), 'utf8'));
    expect(parseInternLM2Config(raw).rope_scaling).toEqual({ type: 'dynamic', factor: 2 });
  });
});
