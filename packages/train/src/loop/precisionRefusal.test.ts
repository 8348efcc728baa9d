import { describe, expect, it } from 'vitest';
import { type LoopMethod, type LoopSettings, trainLoop } from './trainLoop.js';

describe('trainLoop precision', () => {
  it('refuses bf16 for a method whose model trains in fp32 only (LoRA, DPO), before touching anything', async () => {
    const settings = { train: { precision: 'bf16' }, output: { dir: '/nonexistent/never-written' } } as unknown as LoopSettings;
    const method = { label: 'lora' } as unknown as LoopMethod;
    await expect(trainLoop(settings, method)).rejects.toMatchObject({
      code: 'TRAIN_PRECISION_UNSUPPORTED',
      message: expect.stringContaining('lora trains in fp32 only'),
    });
  });
});
