/**
 * The labelled question set of the assistant rejection benchmark: reading, checking and
 * splitting it. The questions are written by hand in questions/authored/ (see README.md) and
 * built into questions/related.jsonl and questions/unrelated.jsonl by buildQuestions.ts; the
 * bench (run.ts) and the default-suite check (questions.test.ts) read the JSONL files.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const BENCH_DIR = import.meta.dirname;
export const CORPUS_DIR = join(BENCH_DIR, 'corpus');
export const QUESTIONS_DIR = join(BENCH_DIR, 'questions');
export const RELATED_FILE = join(QUESTIONS_DIR, 'related.jsonl');
export const UNRELATED_FILE = join(QUESTIONS_DIR, 'unrelated.jsonl');

export type Lang = 'en' | 'zh';
export type Split = 'calibration' | 'test';

export interface Question {
  id: string;
  lang: Lang;
  question: string;
  /** true: the corpus answers it (the assistant should answer); false: it should be rejected */
  related: boolean;
  /** related only: the corpus file that answers it, relative to corpus/ */
  source?: string;
  /** related only: a short exact passage of `source` (whitespace aside) the cited chunk must contain */
  quote?: string;
  /** unrelated only: what it is about (see UNRELATED_TOPICS); `near-miss` shares the corpus's vocabulary */
  topic?: string;
  split: Split;
}

export const UNRELATED_TOPICS = ['cooking', 'sports', 'history', 'science', 'software', 'near-miss', 'chit-chat', 'life', 'finance-health'];

/** Share of each class that goes to calibration; the rest is the test set. */
export const CALIBRATION_SHARE = 0.4;

/** A stable id from the question's text, so adding or reordering questions moves no other id. */
export function questionId(related: boolean, lang: Lang, question: string): string {
  const h = createHash('sha256').update(question).digest('hex').slice(0, 10);
  return `${related ? 'rel' : 'unr'}-${lang}-${h}`;
}

/** Deterministic split from a hash of the id: calibration and test never share a question. */
export function splitOf(id: string): Split {
  const h = createHash('sha256').update(`puyu-assistant-bench:${id}`).digest();
  return h.readUInt32BE(0) / 2 ** 32 < CALIBRATION_SHARE ? 'calibration' : 'test';
}

/**
 * Whitespace-free form used to match quotes: the package's plain-text rendering wraps lines
 * (inside Chinese sentences too) and uses no-break spaces, and a chunker may rejoin or collapse
 * them, so "occurs" means "occurs once all whitespace is removed".
 */
export function squash(text: string): string {
  return text.replace(/\s+/gu, '');
}

export function quoteOccurs(text: string, quote: string): boolean {
  return squash(text).includes(squash(quote));
}

export function readJsonl(file: string): Question[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as Question;
      } catch (e) {
        throw new Error(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
      }
    });
}

export function loadQuestions(): { related: Question[]; unrelated: Question[] } {
  return { related: readJsonl(RELATED_FILE), unrelated: readJsonl(UNRELATED_FILE) };
}

export function corpusText(source: string): string {
  return readFileSync(join(CORPUS_DIR, source), 'utf8');
}
