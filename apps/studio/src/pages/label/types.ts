// The shapes @puyu/label's REST API answers with (packages/label/API.md). The SPA cannot import
// the package (it is Node code), so the parts the pages read are restated here.

export type Role = 'admin' | 'annotator' | 'reviewer';
export interface User {
  id: number;
  name: string;
  role: Role;
  disabled: boolean;
}

export type QuestionKind = 'single' | 'multiple' | 'text';
export interface Question {
  id: string;
  /** `message`: asked of each assistant message (and each candidate); `conversation`: once. */
  scope: 'message' | 'conversation';
  kind: QuestionKind;
  title: string;
  options?: { value: string; label: string }[];
  required?: boolean;
}

export type ToolName = 'rectangle' | 'polygon' | 'line' | 'point' | 'tag';
export interface Schema {
  questions: Question[];
  ranking?: { minCandidates: number };
  rewrite?: boolean;
  labels?: { name: string; color?: string }[];
  tools?: ToolName[];
}

export interface Project {
  id: number;
  name: string;
  kind: 'dialogue' | 'image';
  description: string;
  schema: Schema;
  annotatorsPerItem: number;
  expiryMinutes: number;
  createdAt: string;
}

export interface DialogueMessage {
  id: string;
  role: 'system' | 'user' | 'assistant';
  content: string;
}
export interface Candidate {
  id: string;
  content: string;
  source: string;
}
export interface DialogueData {
  kind: 'dialogue';
  messages: DialogueMessage[];
  candidates: Candidate[];
  meta?: Record<string, unknown>;
}

export type ImageShape =
  | { id: string; type: 'rectangle'; label: string; x: number; y: number; width: number; height: number }
  | { id: string; type: 'polygon'; label: string; points: [number, number][] }
  | { id: string; type: 'line'; label: string; points: [number, number][] }
  | { id: string; type: 'point'; label: string; x: number; y: number }
  | { id: string; type: 'tag'; label: string };

export interface ImageData {
  kind: 'image';
  file: { sha256: string; name: string; mime: string; width: number; height: number };
  preAnnotations?: ImageShape[];
}

export interface Item {
  id: number;
  projectId: number;
  key: string;
  kind: 'dialogue' | 'image';
  data: DialogueData | ImageData;
  createdAt: string;
}

export type Answer = string | string[];
export interface DialogueResult {
  kind: 'dialogue';
  messageAnswers: Record<string, Record<string, Answer>>;
  conversationAnswers: Record<string, Answer>;
  ranking?: string[];
  rewrite?: { candidateId?: string; content: string };
}
export interface ImageResult {
  kind: 'image';
  shapes: ImageShape[];
}
export type AnnotationResult = DialogueResult | ImageResult;

export interface Task {
  id: number;
  itemId: number;
  projectId: number;
  userId: number;
  status: 'assigned' | 'submitted' | 'expired' | 'skipped';
  expiresAt: string;
  version: number;
  result: AnnotationResult | null;
  updatedAt: string;
}

export interface Progress {
  items: number;
  tasks: { assigned: number; submitted: number; expired: number; skipped: number };
  reviewed: { approved: number; rejected: number };
  complete: number;
  perUser: { userId: number; name: string; submitted: number; approved: number; rejected: number }[];
}

export interface Agreement {
  questions: {
    questionId: string;
    scope: string;
    cohen: { a: string; b: string; kappa: number | null; n: number }[];
    fleiss: number | null;
    n: number;
  }[];
  ranking: { kendallTau: number | null; pairs: number };
}
