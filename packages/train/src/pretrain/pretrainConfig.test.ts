import { describe, expect, it } from 'vitest';
import { parsePretrainConfig } from './pretrainConfig.js';

describe('pretrain config', () => {
  it('lists every bad field at once', () => {
    let message = '';
    try {
      parsePretrainConfig({
        tokenizer: '',
        model: { hidden_size: 30, num_hidden_layers: 0, num_attention_heads: 4, num_key_value_heads: 3, intermediate_size: 64 },
        data: { train: [] },
        train: { seq_len: 1, batch_size: 2, steps: 10, lr: -1, bogus: true },
        output: { dir: 'x' },
      });
    } catch (e) {
      expect((e as { code: string }).code).toBe('CONFIG_INVALID');
      message = (e as Error).message;
    }
    for (const field of ['tokenizer', 'model.num_hidden_layers', 'data.train', 'train.seq_len', 'train.lr', 'train'])
      expect(message).toContain(`${field}:`);
    expect(message).toMatch(/bogus/);
  });

  it('applies defaults and resolves paths against the config folder', () => {
    const c = parsePretrainConfig(
      {
        tokenizer: 'tok.model',
        model: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 64 },
        data: { train: ['a.txt'] },
        train: { seq_len: 16, batch_size: 2, steps: 10, lr: 1e-3 },
        output: { dir: 'run' },
      },
      'cfg',
      '/base',
    );
    expect(c.tokenizer).toBe('/base/tok.model');
    expect(c.data.train).toEqual(['/base/a.txt']);
    expect(c.train.grad_accum).toBe(1);
    expect(c.train.threads).toBe(1);
    expect(c.checkpoint.keep_last).toBe(3);
  });

  it('needs exactly one of model or init_from', () => {
    expect(() =>
      parsePretrainConfig({
        tokenizer: 't',
        data: { train: ['a'] },
        train: { seq_len: 4, batch_size: 1, steps: 1, lr: 1 },
        output: { dir: 'o' },
      }),
    ).toThrow(/exactly one of "model"/);
  });

  it("applies @puyu/model's shape rules: an odd head dimension is refused", () => {
    const raw = (model: Record<string, number>) => ({
      tokenizer: 't',
      model: { num_hidden_layers: 1, intermediate_size: 64, ...model },
      data: { train: ['a'] },
      train: { seq_len: 4, batch_size: 1, steps: 1, lr: 1 },
      output: { dir: 'o' },
    });
    // hidden 36 / 4 heads = head dimension 9: RoPE rotates pairs
    expect(() => parsePretrainConfig(raw({ hidden_size: 36, num_attention_heads: 4, num_key_value_heads: 2 }))).toThrow(
      /model\.hidden_size: head dimension 9 is odd/,
    );
    // every broken rule at once, each at its field
    let message = '';
    try {
      parsePretrainConfig(raw({ hidden_size: 30, num_attention_heads: 4, num_key_value_heads: 3 }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/model\.num_attention_heads: hidden_size 30 is not divisible by num_attention_heads 4/);
    expect(message).toMatch(/model\.num_key_value_heads: num_attention_heads 4 is not a multiple of num_key_value_heads 3/);
    // as in HF, num_key_value_heads defaults to num_attention_heads
    expect(parsePretrainConfig(raw({ hidden_size: 32, num_attention_heads: 4 })).model?.num_key_value_heads).toBeUndefined();
  });
});
