export interface RunFile {
  path: string;
  role: string;
  run?: string;
  bytes?: number;
}

export interface RunInfo {
  id: string;
  dir: string;
  /** data, eval, or a training method (pretrain, sft, dpo, …). */
  stage: string;
  status: 'running' | 'done' | 'stopped' | 'aborted';
  updatedAt: number;
  inputs: RunFile[];
  outputs: RunFile[];
  usedBy: string[];
  facts: Record<string, number | string>;
}

export interface RunsResponse {
  runsDir: string;
  runs: RunInfo[];
}

/** GET /api/lineage: every artefact with a manifest under the runs folder, and what it was made from. */
export interface LineageGraphNode {
  /** Relative to the runs folder (absolute when outside it). */
  id: string;
  kind: string;
  hash: string;
  /** false for a parent with no manifest: a raw input. */
  recorded: boolean;
  command?: string;
  created?: string;
  metrics?: Record<string, number>;
}

export interface LineageResponse {
  runsDir: string;
  nodes: LineageGraphNode[];
  /** parent → child */
  edges: { from: string; to: string }[];
}

/** GET /api/lineage/trace?path=: one artefact back to its raw inputs (server/routes/lineage). */
export interface TraceResponse {
  runsDir: string;
  root: string;
  nodes: {
    id: string;
    kind: string;
    status: 'recorded' | 'changed' | 'raw' | 'missing';
    hash: string;
    recordedHash?: string;
    command?: string;
    parents: string[];
    problems: string[];
  }[];
  problems: string[];
}
