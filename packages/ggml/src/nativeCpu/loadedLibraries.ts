import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * The shared libraries of ggml / llama.cpp mapped into this process, from `/proc/self/maps`
 * (Linux). It is how a report knows which CPU variant ggml's loader picked: ggml closes every
 * candidate but the best, so exactly one `libggml-cpu*` stays mapped. Empty off Linux.
 */
export function loadedGgmlLibraries(maps?: string): string[] {
  let text = maps;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/maps', 'utf8');
    } catch {
      return [];
    }
  }
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf('/');
    if (i < 0) continue;
    const path = line.slice(i).trim();
    if (/^lib(ggml|llama)|^llama-addon\.node$|^ggml[\w-]*\.(so|dll|dylib)$/.test(basename(path))) out.add(path);
  }
  return [...out];
}

/**
 * The CPU variant a library path names: `zen4` for libggml-cpu-zen4.so, `native` for our own
 * build (it lives in the `ggml-native` cache), `default` for an unsuffixed one elsewhere.
 */
export function cpuVariantOf(path: string): string {
  const m = /^(?:lib)?ggml-cpu(?:-([\w-]+))?\.(?:so|dll|dylib)$/.exec(basename(path));
  if (!m) return 'unknown';
  return m[1] ?? (path.split(/[\\/]/).includes('ggml-native') ? 'native' : 'default');
}
