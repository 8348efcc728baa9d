import { isAbsolute, relative, sep } from 'node:path';
import { flattenLineage, type LineageNode, lineageGraph, lineageProblems, traceLineage } from '@puyu/core/lineage';
import { Hono } from 'hono';
import type { StageRoutes } from '../../context.js';
import { filePath } from '../../runs.js';

/** One artefact of a traced chain, as the chain page shows it. */
export interface TraceNode {
  /** Relative to the runs folder (absolute when the artefact lies outside it, e.g. raw text elsewhere). */
  id: string;
  kind: string;
  status: LineageNode['status'];
  /** Its hash now; empty when missing. */
  hash: string;
  /** The hash its child recorded, when it changed after that child was made. */
  recordedHash?: string;
  command?: string;
  created?: string;
  metrics?: Record<string, number>;
  /** Ids of its parents (the artefacts it was made from). */
  parents: string[];
  /** Why a reader should not trust it as recorded: changed or missing, in words. */
  problems: string[];
}

export interface TraceResponse {
  runsDir: string;
  /** The traced artefact's id. */
  root: string;
  /** Every artefact of the chain once, the traced one first, raw inputs last. */
  nodes: TraceNode[];
  problems: string[];
}

/** Ids as the graph names them: relative to the runs folder with `/`, absolute outside it. */
const idFor = (root: string, path: string) => {
  const rel = relative(root, path);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel.split(sep).join('/');
};

/** A traced tree flattened to nodes with ids, each with its own problems (changed, missing). */
export function traceResponse(runsDir: string, tree: LineageNode): TraceResponse {
  const id = (p: string) => idFor(runsDir, p);
  const nodes = flattenLineage(tree).map((n): TraceNode => {
    const problems = lineageProblems({ ...n, parents: [] }).map((line) => line.replace(n.path, id(n.path)));
    return {
      id: id(n.path),
      kind: n.kind,
      status: n.status,
      hash: n.hash,
      ...(n.recordedHash ? { recordedHash: n.recordedHash } : {}),
      ...(n.manifest
        ? { command: n.manifest.command, created: n.manifest.created, ...(n.manifest.metrics ? { metrics: n.manifest.metrics } : {}) }
        : {}),
      parents: n.parents.map((p) => id(p.path)),
      problems,
    };
  });
  return { runsDir, root: id(tree.path), nodes, problems: nodes.flatMap((n) => n.problems) };
}

/**
 * Lineage for the chain page: the graph of every manifest under the runs folder (what was made
 * from what), and one artefact traced back to its raw inputs with what changed or went missing.
 */
export const lineageRoutes: StageRoutes = {
  id: 'lineage',
  routes: (ctx) =>
    new Hono()
      .get('/', async (c) => c.json({ runsDir: ctx.runsDir, ...(await lineageGraph(ctx.runsDir)) }))
      .get('/trace', async (c) => {
        const path = filePath(ctx.runsDir, c.req.query('path'));
        return c.json(traceResponse(ctx.runsDir, await traceLineage(path)));
      }),
};
