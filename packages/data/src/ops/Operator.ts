import type { Doc } from '../io/jsonlDocs.js';

/**
 * One pipeline stage. `apply` returns null to keep the document (possibly after changing
 * `doc.text` or adding to `doc.meta`) or the reason it is dropped; the runner counts each
 * reason and keeps examples. Model-based stages may return a promise.
 */
export interface Operator {
  readonly name: string;
  apply(doc: Doc): string | null | Promise<string | null>;
  /** Non-drop events worth counting (e.g. PII redactions by kind). */
  readonly events?: Map<string, number>;
  close?(): Promise<void>;
  /** Called with the shard's output folder after its last document, before the shard is marked done. */
  finishShard?(dir: string): Promise<void>;
}

/** Counts an event on an operator's `events` map. */
export function countEvent(events: Map<string, number>, key: string, n = 1): void {
  events.set(key, (events.get(key) ?? 0) + n);
}
