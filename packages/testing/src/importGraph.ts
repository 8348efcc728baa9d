import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface ImportGraph {
  /** Source module (relative to the root, `report/writeReport.ts`) → the local modules it imports. */
  local: Map<string, string[]>;
  /** Source module → the bare specifiers it imports (`@puyu/core`, `node:fs`), dynamic imports with literal names included. */
  packages: Map<string, string[]>;
}

/**
 * The static import graph of a package's sources: every `.ts` under `root` except tests and
 * test fixtures, with type-only imports and re-exports included (a type cycle is still a cycle
 * to read and to build). TypeScript's own pre-parser reads the imports, so comments and strings
 * never count. TypeScript is loaded on the first call, not when @puyu/testing is imported.
 */
export async function importGraph(root: string): Promise<ImportGraph> {
  const ts = (await import('typescript')).default;
  const local = new Map<string, string[]>();
  const packages = new Map<string, string[]>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const file = join(entry.parentPath, entry.name);
    if (!entry.isFile() || !file.endsWith('.ts') || file.endsWith('.test.ts') || /[\\/]test-fixtures[\\/]/.test(file)) continue;
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const specs = importedFiles.map((i) => i.fileName);
    const key = relative(root, file);
    local.set(
      key,
      specs.filter((s) => s.startsWith('.')).map((s) => relative(root, resolve(dirname(file), s.replace(/\.js$/, '.ts')))),
    );
    packages.set(
      key,
      specs.filter((s) => !s.startsWith('.')),
    );
  }
  return { local, packages };
}

/** Each import cycle once, as the path that closes it (`a.ts -> b.ts -> a.ts`); empty when there are none. */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
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
