import type { LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { DirectDecoder } from './DirectDecoder.js';

// The model-level behaviour (same tokens as node-llama-cpp's generator, batching, bookkeeping) is in
// DirectDecoder.model.test.ts; here: what happens when node-llama-cpp's private surface is not there.
const stats = { batches: 0, items: 0, maxItems: 0 };
const nativeContext = () => ({ initBatch() {}, addToBatch() {}, decodeBatch() {}, sampleToken() {}, disposeSequence() {} });
const model = { _model: {}, _llama: { _bindings: { AddonSampler: class {} } } } as unknown as LlamaModel;

describe('DirectDecoder availability', () => {
  it('says which native method is missing instead of failing later', () => {
    const ctx = nativeContext() as Partial<ReturnType<typeof nativeContext>>;
    delete ctx.decodeBatch;
    const got = DirectDecoder.create({ _ctx: ctx } as unknown as LlamaContext, model, stats);
    expect(got).toEqual({ unavailable: "node-llama-cpp's native context has no decodeBatch()" });
    expect(DirectDecoder.create({} as LlamaContext, model, stats)).toEqual({
      unavailable: "node-llama-cpp's native context has no initBatch()",
    });
  });

  it('needs the native sampler class', () => {
    const got = DirectDecoder.create({ _ctx: nativeContext() } as unknown as LlamaContext, {} as LlamaModel, stats);
    expect(got).toEqual({ unavailable: "node-llama-cpp's bindings have no AddonSampler" });
    expect(DirectDecoder.create({ _ctx: nativeContext() } as unknown as LlamaContext, model, stats)).toBeInstanceOf(DirectDecoder);
  });

  it('leaves sequences it cannot drive exactly to node-llama-cpp', () => {
    const seq = (o: object) =>
      ({
        _sequenceId: 0,
        _nextTokenIndex: 0,
        _contextTokens: [],
        _lock: {},
        _resolveSamplerConfig() {},
        _loadedTokenPredictions: [],
        ...o,
      }) as unknown as LlamaContextSequence;
    expect(DirectDecoder.unsupported(seq({}))).toBeUndefined();
    expect(DirectDecoder.unsupported(seq({ needsCheckpoints: true }))).toMatch(/checkpoints/);
    expect(DirectDecoder.unsupported(seq({ _tokenPredictor: {} }))).toMatch(/token predictor/);
    expect(DirectDecoder.unsupported(seq({ _sequenceId: undefined }))).toMatch(/_sequenceId/);
  });
});
