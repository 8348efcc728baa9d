/** The shapes @puyu/assistant's API answers (kept here: the web bundle does not import server packages). */
export type Retriever = 'bm25' | 'dense' | 'hybrid';

export interface PrPoint {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Calibration extends PrPoint {
  good: number;
  bad: number;
  curve: PrPoint[];
  at: string;
}

export interface KbStats {
  files: number;
  chunks: number;
  vectors: number;
  embed?: string;
  chat?: string;
  thresholds: Partial<Record<Retriever, Calibration>>;
  sources: { path: string; chunks: number; size: number }[];
}

export interface Citation {
  n: number;
  id: string;
  source: string;
  headings: string[];
  start: number;
  end: number;
  page?: number;
  score: number;
  injection?: boolean;
  text: string;
}

export interface LogEntry {
  step: string;
  passed: boolean;
  score?: number;
  threshold?: number;
  detail?: string;
  code?: string;
  ms: number;
}

export interface Decision {
  decision: 'answer' | 'reject';
  score: number;
  threshold: number;
  calibrated: boolean;
  retriever: Retriever;
  reason: string;
  question: string;
  rewritten?: string;
  answer?: string;
  citations?: Citation[];
  log: LogEntry[];
}

export interface UploadResult {
  stored: string[];
  report: { added: string[]; updated: string[]; unchanged: string[]; skipped: { path: string; code: string; reason: string }[] };
}
