import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));
const PKG = JSON.parse(readFileSync(join(SRC, '..', 'package.json'), 'utf8')) as {
  exports: Record<string, { source: string; types: string; default: string }>;
};

/** Every module an entry reaches through relative imports (static and dynamic), and the bare specifiers it imports. */
function reach(entry: string): { files: Set<string>; bare: Set<string> } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    // `import type` is erased at run time, so it does not load a module.
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/gm)) {
      const spec = (m[1] ?? m[2]) as string;
      if (!spec.startsWith('.')) {
        bare.add(spec);
        continue;
      }
      todo.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    }
  }
  return { files, bare };
}

describe('@puyu/formats entry points', () => {
  it('declares each area as a subpath whose source file exists', () => {
    expect(Object.keys(PKG.exports).sort()).toEqual(['.', './chat', './gguf', './safetensors', './tokenizer', './tokens']);
    for (const e of Object.values(PKG.exports)) expect(existsSync(join(SRC, '..', e.source))).toBe(true);
  });

  it('@puyu/formats/chat loads only chat modules: no GGUF reader, no tokenizer, no BPE trainer', () => {
    const { files, bare } = reach(join(SRC, 'chat', 'index.ts'));
    const outside = [...files].map((f) => relative(SRC, f)).filter((f) => !f.startsWith('chat/'));
    expect(outside).toEqual([]);
    expect([...bare].filter((b) => !b.startsWith('node:')).sort()).toEqual(['@huggingface/jinja', '@puyu/core']);
  });

  it('@puyu/formats/tokenizer encodes without pulling in the safetensors reader', () => {
    const { files } = reach(join(SRC, 'tokenizer', 'index.ts'));
    expect([...files].map((f) => relative(SRC, f)).filter((f) => f.startsWith('safetensors/'))).toEqual([]);
  });
});
