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
