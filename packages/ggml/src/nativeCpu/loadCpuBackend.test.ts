import { describe, expect, it } from 'vitest';
import type { BackendRegPtr } from '../native/pointers.js';
import { loadCpuBackend } from './loadCpuBackend.js';
import { type NativeCpuPlan, nativeCpuPaths } from './nativeCache.js';
import type { NativeCpuContext } from './nativeCpuContext.js';

const paths = nativeCpuPaths('/cache/ggml-native', '80fb11ac73e6-abcdef012345');
const ctx = (plan: NativeCpuPlan): NativeCpuContext => ({ plan, paths, info: { compileSeconds: 33 } }) as unknown as NativeCpuContext;

/** Records what the loader asked ggml to load; `native` says whether ggml_backend_load succeeds. */
function fakeGgml(native: boolean) {
  const calls: string[] = [];
  return {
    calls,
    fn: {
      ggml_backend_load: (p: string) => {
        calls.push(`load ${p}`);
        return native ? ({} as BackendRegPtr) : null;
      },
      ggml_backend_load_all_from_path: (d: string) => {
        calls.push(`load_all ${d}`);
      },
    },
  };
}

describe('loadCpuBackend: the native build from the cache, else the prebuilt variants', () => {
  it('registers only the cached native build when there is one', () => {
    const g = fakeGgml(true);
    const info = loadCpuBackend(g.fn, '/prebuilt', ctx({ action: 'use' }));
    expect(g.calls).toEqual([`load ${paths.lib}`]);
    expect(info).toMatchObject({ kind: 'native', variant: 'native', path: paths.lib });
    expect(info.why).toMatch(/compiled in 33 s.*cache hit/);
  });

  it('falls back to the prebuilt folder, saying why, when the native build does not load', () => {
    const g = fakeGgml(false);
    const info = loadCpuBackend(g.fn, '/prebuilt', ctx({ action: 'use' }));
    expect(g.calls).toEqual([`load ${paths.lib}`, 'load_all /prebuilt']);
    expect(info.kind).toBe('prebuilt');
    expect(info.why).toMatch(/did not load; delete its folder/);
  });

  it('loads the prebuilt variants with the plan reason when nothing is built or building is off', () => {
    for (const [plan, why] of [
      [{ action: 'build' }, /no native build for this CPU yet/],
      [{ action: 'prebuilt', reason: 'PUYU_NATIVE_CPU=off' }, /^PUYU_NATIVE_CPU=off$/],
    ] as const) {
      const g = fakeGgml(true);
      const info = loadCpuBackend(g.fn, '/prebuilt', ctx(plan));
      expect(g.calls).toEqual(['load_all /prebuilt']);
      expect(info.kind).toBe('prebuilt');
      expect(info.why).toMatch(why);
    }
  });
});
