import { makeInternLM2Config } from '@puyu/model';
import { describe, expect, it } from 'vitest';
import { checkMemory, estimateTrainingBytes, replicaParamCopies } from './estimateMemory.js';

describe('the training memory estimate', () => {
  it('counts what data-parallel replicas add: three copies each past the first, one shared copy, no more than there are rows', () => {
    expect(replicaParamCopies(1, 8)).toBe(0);
    expect(replicaParamCopies(2, 8)).toBe(4);
    expect(replicaParamCopies(4, 8)).toBe(10);
    // 4 replicas on a 2-row batch: the loop runs 2
    expect(replicaParamCopies(4, 2)).toBe(4);
  });

  it('refuses a run whose replicas would not fit, where one replica would', () => {
    const c = makeInternLM2Config({
      vocab_size: 2048,
      hidden_size: 256,
      intermediate_size: 768,
      num_hidden_layers: 4,
      num_attention_heads: 4,
    });
    const one = estimateTrainingBytes(c, 8, 128).total;
    const four = estimateTrainingBytes(c, 8, 128, 6 + replicaParamCopies(4, 8)).total;
    const limitGb = (one + (four - one) / 2) / 2 ** 30;
    expect(checkMemory(c, 8, 128, limitGb)).toBe(one);
    expect(() => checkMemory(c, 8, 128, limitGb, 6 + replicaParamCopies(4, 8))).toThrow(
      expect.objectContaining({ code: 'TRAIN_OUT_OF_MEMORY' }),
    );
  });
});
