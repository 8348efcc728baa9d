import { readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { type ArtefactKind, FILE_MANIFEST_SUFFIX, FOLDER_MANIFEST, type LineageManifest, parentPath, readLineage } from './manifest.js';

export interface LineageGraphNode {
  /** Path relative to the scanned root (or absolute when outside it). */
  id: string;
  kind: ArtefactKind;
  hash: string;
  /** false for a parent with no manifest under the root: a raw input. */
  recorded: boolean;
  command?: string;
  created?: string;
  metrics?: Record<string, number>;
}

export interface LineageGraph {
  nodes: LineageGraphNode[];
  /** parent → child */
  edges: { from: string; to: string }[];
}

/** Folders a scan does not enter: checkpoints hold no manifests and can be large. */
const SKIP = new Set(['node_modules', '.git', 'checkpoints']);

async function findManifests(dir: string, depth: number, out: { path: string; isDir: boolean }[]): Promise<void> {
  if (depth < 0) return;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.isDirectory() && !SKIP.has(e.name)) await findManifests(join(dir, e.name), depth - 1, out);
    else if (e.isFile() && e.name === FOLDER_MANIFEST) out.push({ path: dir, isDir: true });
    else if (e.isFile() && e.name.endsWith(FILE_MANIFEST_SUFFIX))
      out.push({ path: join(dir, e.name.slice(0, -FILE_MANIFEST_SUFFIX.length)), isDir: false });
  }
}

/**
 * Every recorded artefact under `root` (a runs folder) with its parents, as one graph: what the
 * Studio's chain page draws and what a model card looks through for evaluations of a model.
 * Reads manifests only; hashes are the recorded ones.
 */
export async function lineageGraph(root: string, maxDepth = 6): Promise<LineageGraph> {
  const base = resolve(root);
  const artefacts: { path: string; isDir: boolean }[] = [];
  await findManifests(base, maxDepth, artefacts);
  const id = (p: string) => {
    const r = relative(base, p);
    return r.startsWith('..') ? p : r || '.';
  };
  const nodes = new Map<string, LineageGraphNode>();
  const edges: LineageGraph['edges'] = [];
  artefacts.sort((x, y) => (x.path < y.path ? -1 : 1));
  for (const { path: a, isDir } of artefacts) {
    let m: LineageManifest | undefined;
    try {
      m = await readLineage(a);
    } catch {
      continue; // a corrupt manifest: `puyu lineage` names it; the graph leaves it out
    }
    if (!m) continue;
    nodes.set(id(a), {
      id: id(a),
      kind: m.kind,
      hash: m.hash,
      recorded: true,
      command: m.command,
      created: m.created,
      ...(m.metrics ? { metrics: m.metrics } : {}),
    });
    for (const p of m.parents) {
      const pid = id(parentPath(a, isDir, p));
      if (!nodes.has(pid)) nodes.set(pid, { id: pid, kind: p.kind ?? 'raw', hash: p.hash, recorded: false });
      edges.push({ from: pid, to: id(a) });
    }
  }
  // A parent first met as a bare reference may have a manifest of its own, met later.
  return { nodes: [...nodes.values()], edges };
}

/** The ids of every artefact made, directly or not, from `id`. */
export function descendants(graph: LineageGraph, id: string): Set<string> {
  const out = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop() as string;
    for (const e of graph.edges) {
      if (e.from !== cur || out.has(e.to)) continue;
      out.add(e.to);
      stack.push(e.to);
    }
  }
  return out;
}
