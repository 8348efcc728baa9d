import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCycles, importGraph } from '@puyu/testing';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

describe('@puyu/eval module structure', async () => {
  const { local, packages } = await importGraph(SRC);

  it('has no import cycles (type-only imports count)', () => {
    expect(local.size).toBeGreaterThan(50);
    expect(importCycles(local)).toEqual([]);
  });

  it('keeps the generic report free of the runner and of any one dataset', () => {
    const report = [...local.entries()].filter(([f]) => f.startsWith('report/'));
    expect(report.length).toBeGreaterThan(0);
    const reaches = report.flatMap(([f, deps]) =>
      deps.filter((d) => /^(runner|needlebench|datasets)\//.test(d)).map((d) => `${f} -> ${d}`),
    );
    expect(reaches).toEqual([]);
    const withoutComments = (f: string) => readFileSync(join(SRC, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(report.filter(([f]) => /needle/i.test(withoutComments(f))).map(([f]) => f)).toEqual([]);
  });

  it('reaches models only through @puyu/client: no provider code of its own, no model or server package', () => {
    expect([...local.keys()].filter((f) => f.startsWith('providers/'))).toEqual([]);
    const banned = /^@puyu\/(serve|model|formats|ggml|train|cli)$/;
    const hits = [...packages.entries()].flatMap(([f, specs]) => specs.filter((s) => banned.test(s)).map((s) => `${f} -> ${s}`));
    expect(hits).toEqual([]);
  });
});
