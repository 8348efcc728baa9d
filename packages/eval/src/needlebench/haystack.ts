import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from '../types.js';

export type NeedleLanguage = 'en' | 'zh';

/**
 * Reads haystack documents: a folder of `.txt` files (one document each, sorted by
 * name, e.g. the Paul Graham essays) or one text file split into documents at blank
 * lines (e.g. the Tang/Song poems shipped in packages/model/assets/corpus).
 */
export function loadHaystack(path: string): string[] {
  if (!existsSync(path))
    throw new DatasetError(
      'NEEDLE_HAYSTACK_MISSING',
      `haystack ${path} does not exist: pass a folder of .txt essays (English) or a text file of documents separated by blank lines (Chinese).`,
    );
  const docs = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((f) => f.endsWith('.txt') && !/^licen[cs]e/i.test(f))
        .sort()
        .map((f) => readFileSync(join(path, f), 'utf8').trim())
    : readFileSync(path, 'utf8')
        .split(/\n\s*\n/)
        .map((d) => d.trim());
  const kept = docs.filter((d) => d.length > 0);
  if (kept.length === 0) throw new DatasetError('NEEDLE_HAYSTACK_EMPTY', `haystack ${path} holds no text.`);
  return kept;
}

/** Where a sentence ends in either language: the needle goes right after one, never mid-word. */
const SENTENCE_END = /[.!?。！？\n]/;

/** The insertion point for `depthPercent`: that fraction of the text, moved back to the previous sentence end. */
export function insertionPoint(text: string, depthPercent: number): number {
  const raw = Math.floor((text.length * Math.max(0, Math.min(100, depthPercent))) / 100);
  if (raw >= text.length) return text.length;
  for (let i = raw; i > 0; i--) if (SENTENCE_END.test(text[i - 1])) return i;
  return 0;
}
