import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/** Every source module under src/ (tests and test fixtures left out) → the modules it imports, type-only imports included. */
function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const file = join(entry.parentPath, entry.name);
    if (!entry.isFile() || !file.endsWith('.ts') || file.endsWith('.test.ts') || file.includes('/test-fixtures/')) continue;
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const local = importedFiles.map((i) => i.fileName).filter((s) => s.startsWith('.'));
    graph.set(
      relative(root, file),
      local.map((s) => relative(root, resolve(dirname(file), s.replace(/\.js$/, '.ts')))),
    );
  }
  return graph;
}

/** Each import cycle once, as the path that closes it (`a.ts -> b.ts -> a.ts`). */
function cycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') found.push([...stack.slice(stack.indexOf(g)), g].join(' -> '));
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

describe('@puyu/eval module structure', () => {
  const graph = importGraph(SRC);

  it('has no import cycles (type-only imports count)', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(cycles(graph)).toEqual([]);
  });

  it('keeps the generic report free of the runner and of any one dataset', () => {
    const report = [...graph.entries()].filter(([f]) => f.startsWith('report/'));
    expect(report.length).toBeGreaterThan(0);
    const reaches = report.flatMap(([f, deps]) =>
      deps.filter((d) => /^(runner|needlebench|datasets)\//.test(d)).map((d) => `${f} -> ${d}`),
    );
    expect(reaches).toEqual([]);
    const named = report.filter(([f]) => /needle/i.test(readFileSync(join(SRC, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')));
    expect(named.map(([f]) => f)).toEqual([]);
  });
});
