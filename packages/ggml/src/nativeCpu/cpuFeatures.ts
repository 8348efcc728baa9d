import koffi, { type TypeObject } from 'koffi';
import type { GgmlLibrary } from '../native/ggml-lib.js';

let featureType: TypeObject | undefined;
let getFeaturesProto: TypeObject | undefined;

/**
 * What the loaded CPU backend was compiled with, as it reports itself through its registry's
 * `ggml_backend_get_features` (e.g. AVX512=1, AVX512_BF16=1, LLAMAFILE=1, REPACK=1).
 */
export function cpuBackendFeatures(lib: GgmlLibrary): Record<string, string> {
  const reg = lib.fn.ggml_backend_reg_by_name('CPU');
  const addr = reg && lib.fn.ggml_backend_reg_get_proc_address(reg, 'ggml_backend_get_features');
  if (!reg || !addr) return {};
  featureType ??= koffi.struct('puyu_ggml_backend_feature', { name: 'const char*', value: 'const char*' });
  getFeaturesProto ??= koffi.proto('void* puyu_ggml_backend_get_features_fn(void* reg)');
  const arr = koffi.call(addr, getFeaturesProto, reg) as unknown;
  const out: Record<string, string> = {};
  const size = koffi.sizeof(featureType);
  for (let i = 0; i < 256; i++) {
    const f = koffi.decode(arr, i * size, featureType) as { name: string | null; value: string | null };
    if (!f.name) break;
    out[f.name] = f.value ?? '';
  }
  return out;
}
