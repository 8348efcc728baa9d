import { readFileSync } from 'node:fs';

/**
 * How the training graph runs its weight matrix products. `fp32`: everything in f32. `bf16`:
 * mixed precision as InternEvo trains — f32 master weights, gradients and AdamW state, while
 * each product with a weight (forward, input gradient, weight gradient) reads bf16 operands
 * and accumulates in f32 (see @puyu/ggml's castWeightProducts). Attention's activation ×
 * activation products, norms, softmax and the loss stay f32.
 */
export const TRAIN_PRECISIONS = ['fp32', 'bf16'] as const;
export type TrainPrecision = (typeof TRAIN_PRECISIONS)[number];

let cpuBf16: boolean | undefined;

/**
 * Whether this CPU has native bf16 dot products (x86 AVX512-BF16: `vdpbf16ps`), which ggml's
 * CPU variants for Cooper Lake, Sapphire Rapids and Zen 4 use. Elsewhere ggml emulates bf16
 * products in f32 with extra conversions, slower than plain f32, so bf16 is not the default.
 */
export function cpuHasBf16(): boolean {
  if (cpuBf16 === undefined) {
    try {
      cpuBf16 = process.platform === 'linux' && /\bavx512_bf16\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
    } catch {
      cpuBf16 = false;
    }
  }
  return cpuBf16;
}

/**
 * The precision a run trains in when its config names none: bf16 where the CPU has
 * AVX512-BF16 and no BLAS backend is asked for (ggml's BLAS path is f32 sgemm), else fp32.
 * bf16 met the bar for this: 300 steps of recipes/pretrain-5m.json end within 0.2% of fp32's
 * held-out loss (packages/train/README.md, "Mixed precision").
 * The resolved value is what the run's fingerprint records, so a resume keeps it.
 */
export function defaultPrecision(env: NodeJS.ProcessEnv = process.env): TrainPrecision {
  return cpuHasBf16() && !env.PUYU_GGML_BLAS ? 'bf16' : 'fp32';
}

export function resolvePrecision(p: TrainPrecision | undefined): TrainPrecision {
  return p ?? defaultPrecision();
}
