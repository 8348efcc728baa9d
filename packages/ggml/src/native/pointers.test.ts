import { describe, expect, it } from 'vitest';
import type { GgmlFunctions } from './ggml-lib.js';
import { asPtr, type ContextPtr, type TensorPtr } from './pointers.js';

// A type-level test: `npx tsc -p tsconfig.check.json` fails if a misuse below stops being
// an error (an unused @ts-expect-error is itself an error). Nothing native is loaded.
describe('typed native boundary', () => {
  it('gives each binding a signature: pointer kinds do not mix, NULL returns must be checked', () => {
    const f = {} as GgmlFunctions;
    const t = asPtr<'ggml_tensor'>(16n);
    const ctx = asPtr<'ggml_context'>(32n);
    const misuse = () => {
      // @ts-expect-error a tensor where the context belongs
      f.ggml_add(t, t, t);
      // @ts-expect-error ggml_init returns NULL when out of memory
      const c: ContextPtr = f.ggml_init({ mem_size: 1, mem_buffer: null, no_alloc: true });
      // @ts-expect-error a graph function given a tensor
      f.ggml_graph_reset(t);
      // @ts-expect-error the name is a string, not a number
      f.ggml_set_name(t, 3);
      const sum: TensorPtr = f.ggml_sum(ctx, t);
      return [c, sum];
    };
    expect(typeof misuse).toBe('function');
  });
});
