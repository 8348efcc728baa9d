import { describe, expect, it } from 'vitest';
import { parseDpoConfig } from './dpoConfig.js';

const base = {
  init_from: 'hf',
  data: { train: ['pairs.jsonl'] },
  train: { seq_len: 256, batch_size: 2, steps: 10, lr: 1e-4 },
  output: { dir: 'out' },
};

describe('dpo config', () => {
  it('defaults β to 0.1 and RPO off; paths are relative to the config file', () => {
    const c = parseDpoConfig(base, 'cfg.json', '/recipes');
    expect(c.dpo).toEqual({ beta: 0.1, rpo_alpha: 0 });
    expect(c.init_from).toBe('/recipes/hf');
    expect(c.data.train).toEqual(['/recipes/pairs.jsonl']);
  });

  it('names every bad field: β ≤ 0, a negative rpo_alpha, no data, generate together with files', () => {
    const bad = () => parseDpoConfig({ ...base, dpo: { beta: 0, rpo_alpha: -1 }, data: {} }, 'cfg.json');
    expect(bad).toThrow(/dpo\.beta[\s\S]*dpo\.rpo_alpha|dpo\.rpo_alpha[\s\S]*dpo\.beta/);
    expect(bad).toThrow(/data\.train/);
    expect(() =>
      parseDpoConfig({ ...base, data: { train: ['x.jsonl'], generate: { kind: 'calculator', train: 10 } } }, 'cfg.json'),
    ).toThrow(/data\.generate/);
  });
});
