import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BpeTrainerOptions } from './trainer-options.js';

/**
 * The one training run whose result is frozen as a golden (fixtures/golden-bpe.*):
 * which corpus lines, which options, which held-out lines. The generator
 * (fixtures/make-golden.ts) and the default test both read it from here.
 */
const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(here, '../../../../..');
export const CORPUS_DIR = join(REPO_ROOT, 'packages/model/assets/corpus');
export const FIXTURE_DIR = join(here, 'fixtures');

export const GOLDEN_OPTIONS: BpeTrainerOptions = {
  vocabSize: 1400,
  byteFallback: true,
  characterCoverage: 0.98,
  removeExtraWhitespaces: false,
  splitDigits: true,
  userDefinedSymbols: ['<|im_start|>', '<|im_end|>', '<|action_start|>', '<|action_end|>', '<|interpreter|>', '<|plugin|>'],
};

/** spm_train flags equal to GOLDEN_OPTIONS (for the Python reference). */
export const GOLDEN_SPM_FLAGS: Record<string, unknown> = {
  vocab_size: 1400,
  byte_fallback: true,
  character_coverage: 0.98,
  remove_extra_whitespaces: false,
  split_digits: true,
  user_defined_symbols: GOLDEN_OPTIONS.userDefinedSymbols,
};

function corpusFile(name: string): string[] {
  return readFileSync(join(CORPUS_DIR, name), 'utf8').split('\n');
}

/** Training lines: every line but each 10th of the shipped corpus files (the 10th lines are held out). */
export function goldenCorpus(): { train: string[]; heldOut: string[] } {
  const train: string[] = [];
  const held: string[] = [];
  for (const name of ['devils-dictionary.txt', 'tang300-song100.txt']) {
    const lines = corpusFile(name);
    for (let i = 0; i < lines.length; i++) (i % 10 === 9 ? held : train).push(lines[i] as string);
  }
  return { train, heldOut: held.filter((l) => l.trim() !== '') };
}

/** Lines the corpus never shows: code, digits, emoji, odd whitespace, chat markup, rare scripts. */
export const EXTRA_LINES = [
  'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source code as test text
  'for (let i = 0; i < 10; i++) { console.log(`#${i}`); }',
  'The year 2024 had 366 days; π ≈ 3.14159.',
  'Emoji: 😀🎉👍🏽 and 🇨🇳 flags',
  '  leading spaces, trailing spaces   ',
  'tabs\tand\nnewlines\r\n',
  '<|im_start|>user\n你好，请介绍一下自己。<|im_end|>\n<|im_start|>assistant\n',
  '<|action_start|><|interpreter|>\n```python\nprint(1+1)\n```<|action_end|>',
  '<|plugin|> {"name": "get_weather"} <s> </s> <unk>',
  'Ĉu vi parolas Esperanton? Привет, мир! مرحبا ١٢٣',
  '日本語のテキスト、カタカナとひらがな。한국어 문장도.',
  'ＦＵＬＬＷＩＤＴＨ　ｔｅｘｔ and ① ② ③',
  '',
  ' ',
  'a',
  '\u0000nul\u0000',
  'mixed中文English混合123abc',
  'URL: https://example.com/path?q=1&r=2#frag',
  '"Quotes" — dashes – and … ellipses',
  '床前明月光，疑是地上霜。举头望明月，低头思故乡。',
];

/** Small corpora that hit the reference trainer's corner cases, frozen with its output in fixtures/golden-quirks.json. */
export interface QuirkCase {
  name: string;
  lines: string[];
  ours: BpeTrainerOptions;
  spm: Record<string, unknown>;
}

const rep = (n: number, lines: string[]) => Array.from({ length: n }, () => lines).flat();

export const QUIRK_CASES: QuirkCase[] = [
  {
    name: 'overlapping and duplicate pairs',
    lines: rep(3, ['aaaa aaa aa a', 'abab ababab abba', 'aaab baaa', 'xyzxyz zyx']),
    ours: { vocabSize: 40, hardVocabLimit: false },
    spm: { vocab_size: 40, hard_vocab_limit: false },
  },
  {
    name: 'scripts, combining marks, kana, digits',
    lines: rep(2, [
      'café naïve cafe\u0301 e\u0301te\u0301',
      '日本語のテキスト カタカナー ひらがな',
      '한국어 문장 123 4567 x1 1x',
      'Ωmega ωmega αβγ',
    ]),
    ours: { vocabSize: 90, hardVocabLimit: false, characterCoverage: 1 },
    spm: { vocab_size: 90, hard_vocab_limit: false, character_coverage: 1.0 },
  },
  {
    name: 'no whitespace split, whitespace-only pieces, kept spaces',
    lines: rep(3, ['the  cat   sat', '   indented code', 'a b c d e f', 'end  ']),
    ours: {
      vocabSize: 60,
      hardVocabLimit: false,
      splitByWhitespace: false,
      allowWhitespaceOnlyPieces: true,
      removeExtraWhitespaces: false,
    },
    spm: {
      vocab_size: 60,
      hard_vocab_limit: false,
      split_by_whitespace: false,
      allow_whitespace_only_pieces: true,
      remove_extra_whitespaces: false,
    },
  },
  {
    name: 'meta pieces in the text, control symbols, custom ids',
    lines: rep(3, ['<s>hello</s> <pad> world', '[CTRL]x[CTRL]y <unk>z', 'hello world hello']),
    ours: { vocabSize: 50, hardVocabLimit: false, controlSymbols: ['[CTRL]'], padId: 3, unkId: 1, bosId: 0, eosId: 2 },
    spm: { vocab_size: 50, hard_vocab_limit: false, control_symbols: ['[CTRL]'], pad_id: 3, unk_id: 1, bos_id: 0, eos_id: 2 },
  },
  {
    name: 'TSV word counts',
    lines: ['hello\t5', 'help\t3', 'world\t4', 'wor ld\t2', 'low\t7', 'lower\t1'],
    ours: { vocabSize: 30, hardVocabLimit: false, inputFormat: 'tsv' },
    spm: { vocab_size: 30, hard_vocab_limit: false, input_format: 'tsv' },
  },
];
