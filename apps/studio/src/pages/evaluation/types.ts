export interface Unit {
  model: string;
  dataset: string;
  inferencer: string;
  metric: string;
  score: number;
  samples: number;
  errors: number;
  headline?: string;
  subsets?: { name: string; samples: number; score: number }[];
  groups?: { name: string; metric: string; score: number; subsets: number; of: number; samples: number }[];
}

export interface EvalRunResponse {
  id: string;
  run: { status?: string; results?: Unit[]; wallMs?: number; requests?: { sent: number; cached: number }; finishedAt?: string };
  summary: string[][] | null;
}

export interface Sample {
  id: string;
  gold: string;
  output: string;
  extracted: string | null;
  correct: boolean;
  score: number;
  prompt: unknown;
}

export interface Board {
  runs: number;
  datasets: string[];
  models: {
    model: string;
    rank: number;
    average: { mean: number; low: number; high: number };
    missing: string[];
    cells: Record<string, { score: number; low: number; high: number; n: number; metric: string }>;
  }[];
}
