import { describe, expect, it } from 'vitest';
import { type LoopMethod, type LoopSettings, trainLoop } from './trainLoop.js';

describe('trainLoop refuses settings a method cannot take', () => {
  it('refuses bf16 for a method whose model trains in fp32 only (LoRA, DPO), before touching anything', async () => {
    const settings = { train: { precision: 'bf16' }, output: { dir: '/nonexistent/never-written' } } as unknown as LoopSettings;
    const method = { label: 'lora' } as unknown as LoopMethod;
    await expect(trainLoop(settings, method)).rejects.toMatchObject({
      code: 'TRAIN_PRECISION_UNSUPPORTED',
      message: expect.stringContaining('lora trains in fp32 only'),
    });
  });

  it('refuses data-parallel replicas for a method that trains one model copy (LoRA, DPO), before touching anything', async () => {
    const settings = { train: { replicas: 2, batch_size: 4 }, output: { dir: '/nonexistent/never-written' } } as unknown as LoopSettings;
    const method = { label: 'dpo' } as unknown as LoopMethod;
    await expect(trainLoop(settings, method)).rejects.toMatchObject({
      code: 'TRAIN_REPLICAS_UNSUPPORTED',
      message: expect.stringContaining('dpo trains on one model copy'),
    });
  });
});
