import { describe, expect, it } from 'vitest';
import { internLM2ParamCount, makeInternLM2Config } from '../config.js';
import { initInternLM2 } from '../init/initInternLM2.js';
import { INTERNLM2_PRESETS } from '../presets.js';
import { InternLM2Reference } from './InternLM2Reference.js';

// Benchmark-as-test: `npx vitest run --project slow packages/model` prints reference-forward throughput.
describe('reference forward throughput', () => {
  it('small preset (d256 L4 ffn768 V2048): prefill 256 tokens and cached decoding', () => {
    const c = makeInternLM2Config({ ...INTERNLM2_PRESETS.small, vocab_size: 2048 });
    const m = new InternLM2Reference(c, initInternLM2(c, { seed: 1 }));
    const T = 256;
    const toks = Array.from({ length: T }, (_, i) => (i * 31) % c.vocab_size);
    m.forward(toks.slice(0, 16)); // warm up the JIT
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      m.forward(toks);
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    const matmulFlops = 2 * (internLM2ParamCount(c) - c.vocab_size * c.hidden_size) * T;
    const attnFlops = 2 * 2 * ((T * T) / 2) * c.hidden_size * c.num_hidden_layers;
    const cache = m.createCache();
    m.forward(toks.slice(0, 128), cache);
    const t1 = performance.now();
    for (let i = 0; i < 32; i++) m.forward([i], cache);
    const decode = 32 / ((performance.now() - t1) / 1000);
    console.log(
      `[bench] reference prefill T=${T}: ${best.toFixed(2)} s, ${(T / best).toFixed(0)} tok/s, ` +
        `${((matmulFlops + attnFlops) / best / 1e9).toFixed(2)} GFLOP/s; cached decode at ctx 128–160: ${decode.toFixed(0)} tok/s`,
    );
    expect(best).toBeGreaterThan(0);
  });
});
