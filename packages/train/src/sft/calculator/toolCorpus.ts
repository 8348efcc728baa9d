/**
 * Pretraining text for a model that must call the calculator: it teaches *copying*, the skill a
 * tool call is made of (the question's numbers go into the call, the tool's result into the answer).
 *
 * Why a corpus of its own: a 1.3M-parameter model fine-tuned on calculator dialogues learns the
 * call's shape but writes numbers of its own, because copying needs an induction circuit (a head
 * that finds the earlier occurrence of the current tokens and repeats what followed), and such a
 * circuit forms as a late phase change that a few hundred steps of prose and dialogues never
 * reach. Measured here (packages/train/README.md): on `copy_drills` alone it formed after about
 * 2,000 steps of 1,024 tokens; a second stage on `calculator_corpus` carried it into the chat
 * format (teacher-forced digit accuracy on held-out calls 0.14 → 0.80 before any SFT).
 *
 * - `copy_drills`: a random sequence of the tokenizer's own pieces, then filler, then the sequence
 *   again (two or three times); and arithmetic expressions or digit strings repeated after filler.
 * - `word_drills`: the same drills over a fixed pool of common English words, Chinese characters,
 *   letters and digits (drillWords.ts), two thirds sequences and one third numbers: from scratch,
 *   this pool formed the copying circuit within a quarter hour's steps where tokenizer pieces did not.
 * - `calculator_corpus`: copy drills (three quarters of the documents), calculator dialogues
 *   rendered in full in InternLM2's chat format with the tool, and restatements
 *   (`question → expression = result`), in English and Chinese.
 *
 * Everything is drawn from a seeded CalcRng, so a seed gives the same bytes everywhere. Dialogues
 * come from the calculator generator's training split, which never holds a held-out question.
 */
import { writeFile } from 'node:fs/promises';
import { parseSftRecord } from '../data/readSftJsonl.js';
import { renderSftSegments } from '../data/tokenizeSftDialogue.js';
import { DRILL_HAN, DRILL_WORDS } from './drillWords.js';
import { type CalculatorDialogue, generateCalculatorData } from './generate.js';
import { CalcRng } from './rng.js';

export type ToolCorpusKind = 'copy_drills' | 'word_drills' | 'calculator_corpus';
export const TOOL_CORPUS_KINDS: readonly ToolCorpusKind[] = ['copy_drills', 'word_drills', 'calculator_corpus'];

export interface ToolCorpusOptions {
  kind: ToolCorpusKind;
  /** Documents to write. */
  docs: number;
  seed?: number;
  /**
   * The tokenizer's pieces (id order), the alphabet of the random sequences: drawing from the
   * vocabulary itself makes every drill a sequence of whole tokens the model must copy.
   */
  pieces: readonly string[];
}

const SEPARATORS = [' | ', ' => ', '\n', ' ... ', ': ', ' -> ', ' again: ', '。再说一遍：', '，即 '];
const DRILL_SHARE = 0.75;
const DIALOGUE_SHARE = 0.12;

/** Pieces usable in a drill: no control, byte or chat-marker pieces, no bare spaces. */
export function drillAlphabet(pieces: readonly string[]): { symbols: string[]; words: string[] } {
  const symbols: string[] = [];
  for (const p of pieces) {
    if (/^<.*>$/.test(p)) continue;
    const text = p.replace(/\u2581/g, ' ');
    if (!text.trim()) continue;
    symbols.push(text);
  }
  const words = symbols.filter((s) => /^ ?[A-Za-z]{3,}$/.test(s)).map((s) => s.trim());
  if (symbols.length < 20 || words.length < 5) throw new RangeError('the tokenizer has too few plain pieces for copy drills');
  return { symbols, words };
}

/** `word_drills`' pool: common words (bare and after a space), Chinese characters, letters, digits. */
export function wordDrillAlphabet(): { symbols: string[]; words: string[] } {
  const words = [...DRILL_WORDS];
  const symbols = [...words, ...words.map((w) => ` ${w}`), ...DRILL_HAN, ...'abcdefghijklmnopqrstuvwxyz0123456789'];
  return { symbols, words };
}

function filler(rng: CalcRng, words: readonly string[], max: number): string {
  return Array.from({ length: rng.int(0, max) }, () => rng.pick(words)).join(' ');
}

/** A random sequence of pieces, then (filler, separator, the sequence) once or twice more. */
function inductionDrill(rng: CalcRng, symbols: readonly string[], words: readonly string[]): string {
  const seq = Array.from({ length: rng.int(6, 20) }, () => rng.pick(symbols)).join(rng.chance(0.5) ? ' ' : '');
  const gap = filler(rng, words, 12);
  const sep = rng.pick(SEPARATORS);
  const parts = [seq];
  for (let r = rng.int(2, 3); r > 1; r--) parts.push(`${gap ? `${gap}${sep}` : sep}${seq}`);
  return parts.join(' ');
}

/** An arithmetic expression (or a digit string) and, after filler, the same text again. */
function numberDrill(rng: CalcRng, expressions: readonly string[], words: readonly string[]): string {
  const x = rng.chance(0.5) ? rng.pick(expressions) : Array.from({ length: rng.int(2, 12) }, () => String(rng.int(0, 9))).join('');
  return `${x} ${filler(rng, words, 8)}${rng.pick([' = ', ': ', ' | ', ' -> ', '，即 '])}${x}`;
}

/** The dialogue exactly as SFT renders it, every turn included (pretraining puts loss on all of it). */
function renderDialogue(d: CalculatorDialogue): string {
  return renderSftSegments(parseSftRecord({ messages: d.messages, tools: d.tools }))
    .map((s) => s.context + s.completion)
    .join('');
}

function restatement(rng: CalcRng, d: CalculatorDialogue): string {
  const t = d.turns[0];
  if (!t) throw new RangeError('a calculator dialogue without turns');
  switch (rng.int(0, 3)) {
    case 0:
      return `${t.question} ${t.expression} = ${t.result}. The answer is ${t.result}.`;
    case 1:
      return `Question: ${t.question}\nExpression: ${t.expression}\nResult: ${t.result}\nAnswer: ${t.result}`;
    case 2:
      return `问题：${t.question} 算式：${t.expression}，结果是 ${t.result}。答：${t.result}`;
    default:
      return `We compute ${t.expression}. ${t.expression} = ${t.result}, so ${t.question} → ${t.result}`;
  }
}

/** The corpus's documents, in a seeded random order. */
export function generateToolCorpus(o: ToolCorpusOptions): string[] {
  const seed = o.seed ?? 0;
  const rng = new CalcRng(seed ^ 0x70c0);
  const onlyDrills = o.kind !== 'calculator_corpus';
  const { symbols, words } = o.kind === 'word_drills' ? wordDrillAlphabet() : drillAlphabet(o.pieces);
  const sequenceShare = o.kind === 'word_drills' ? 2 / 3 : 0.65;
  const drills = onlyDrills ? o.docs : Math.round(o.docs * DRILL_SHARE);
  const dialogues = onlyDrills ? 0 : Math.round(o.docs * DIALOGUE_SHARE);
  const restated = o.docs - drills - dialogues;
  // The calculator generator's training split (never a held-out question of this seed).
  const data = generateCalculatorData({ train: Math.max(dialogues + restated, 2000), seed });
  const heldoutExpr = new Set(data.heldout.flatMap((d) => d.turns.map((t) => t.expression)));
  const expressions = data.train.flatMap((d) => d.turns.map((t) => t.expression)).filter((e) => !heldoutExpr.has(e));
  const docs: string[] = [];
  for (let i = 0; i < drills; i++)
    docs.push(rng.chance(sequenceShare) ? inductionDrill(rng, symbols, words) : numberDrill(rng, expressions, words));
  for (let i = 0; i < dialogues; i++) docs.push(renderDialogue(data.train[i] as CalculatorDialogue));
  for (let i = 0; i < restated; i++) docs.push(restatement(rng, data.train[dialogues + i] as CalculatorDialogue));
  for (let i = docs.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [docs[i], docs[j]] = [docs[j] as string, docs[i] as string];
  }
  return docs;
}

/** Writes the corpus as JSONL `{"text"}` lines, the pretraining loader's document format. */
export async function writeToolCorpus(path: string, o: ToolCorpusOptions): Promise<number> {
  const docs = generateToolCorpus(o);
  await writeFile(path, docs.map((text) => `${JSON.stringify({ text })}\n`).join(''));
  return docs.length;
}
