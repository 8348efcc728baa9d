/**
 * Builds questions/related.jsonl and questions/unrelated.jsonl from the hand-written files in
 * questions/authored/:
 *   related.<lang>.tsv    source<TAB>quote<TAB>question   (source relative to corpus/)
 *   unrelated.<lang>.txt  one question a line
 * Lines starting with '#' are comments; in the unrelated files `# [topic] …` starts a topic. Each question gets a stable id (a hash of its text) and
 * a split (a hash of its id), both written into the JSONL. A quote that does not occur in its
 * source, or a repeated question, stops the build.
 *
 *   npx tsx bench/assistant/buildQuestions.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  corpusText,
  type Lang,
  QUESTIONS_DIR,
  type Question,
  questionId,
  quoteOccurs,
  RELATED_FILE,
  splitOf,
  UNRELATED_FILE,
  UNRELATED_TOPICS,
} from './questions.js';

const AUTHORED = join(QUESTIONS_DIR, 'authored');
const LANGS: Lang[] = ['en', 'zh'];

function lines(file: string): string[] {
  return readFileSync(join(AUTHORED, file), 'utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

const seen = new Set<string>();
function make(related: boolean, lang: Lang, question: string, extra: Pick<Question, 'source' | 'quote' | 'topic'> = {}): Question {
  const id = questionId(related, lang, question);
  if (seen.has(id)) throw new Error(`repeated question: ${question}`);
  seen.add(id);
  return { id, lang, question, related, ...extra, split: splitOf(id) };
}

const related: Question[] = [];
const unrelated: Question[] = [];
for (const lang of LANGS) {
  for (const line of lines(`related.${lang}.tsv`)) {
    const parts = line.split('\t');
    if (parts.length !== 3) throw new Error(`related.${lang}.tsv: want source<TAB>quote<TAB>question, got: ${line}`);
    const [source, quote, question] = parts.map((p) => p.trim());
    if (!quoteOccurs(corpusText(source), quote)) throw new Error(`quote not in ${source}: ${quote}`);
    related.push(make(true, lang, question, { source, quote }));
  }
  let topic: string | undefined;
  for (const line of readFileSync(join(AUTHORED, `unrelated.${lang}.txt`), 'utf8').split('\n')) {
    const header = /^#\s*\[([^\]]+)\]/.exec(line);
    if (header) topic = header[1];
    if (line.trim() === '' || line.startsWith('#')) continue;
    if (!topic || !UNRELATED_TOPICS.includes(topic)) throw new Error(`unrelated.${lang}.txt: "${line}" is under no known # [topic]`);
    unrelated.push(make(false, lang, line.trim(), { topic }));
  }
}

const jsonl = (qs: Question[]) => `${qs.map((q) => JSON.stringify(q)).join('\n')}\n`;
writeFileSync(RELATED_FILE, jsonl(related));
writeFileSync(UNRELATED_FILE, jsonl(unrelated));
for (const [name, qs] of [
  ['related', related],
  ['unrelated', unrelated],
] as const) {
  const count = (lang: Lang, split: string) => qs.filter((q) => q.lang === lang && q.split === split).length;
  console.log(
    `${name}: ${qs.length} (` +
      LANGS.map((l) => `${l}: ${count(l, 'calibration')} calibration + ${count(l, 'test')} test`).join(', ') +
      ')',
  );
}
