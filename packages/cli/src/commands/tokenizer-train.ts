import { ConfigError } from '@puyu/core/errors';
import { Progress } from '@puyu/core/progress';
import type { BpeTrainerOptions } from '@puyu/formats/tokenizer';
import type { Command } from 'commander';
import { JSON_HELP } from '../json.js';
import { intOption, numberOption } from '../options.js';

export interface TokenizerTrainFlags {
  input: string[];
  vocabSize: number;
  output: string;
  modelType: string;
  characterCoverage?: number;
  byteFallback?: boolean;
  userDefinedSymbols?: string;
  controlSymbols?: string;
  splitDigits?: boolean;
  requiredAscii?: boolean;
  maxLines?: number;
  jsonlField?: string;
  inputFormat?: string;
  keepExtraWhitespace?: boolean;
  dummyPrefix?: boolean;
  maxPieceLength?: number;
  padId?: number;
  quiet?: boolean;
  /** Return the summary as one JSON object instead of a sentence. */
  json?: boolean;
  /** Recorded in the tokenizer's lineage manifest (default: this process's command line). */
  command?: string;
}

/** `!` to `~`: pieces a prose corpus may lack (digits, operators, brackets) but tool calls need. */
const PRINTABLE_ASCII = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');

function list(v: string | undefined): string[] {
  return v === undefined ? [] : v.split(',').filter((s) => s.length > 0);
}

/** Trains and writes the model; returns a one-line summary, JSON with `json` (printed on stdout by the command). */
export async function runTokenizerTrain(f: TokenizerTrainFlags): Promise<string> {
  if (f.modelType !== 'bpe') {
    throw new ConfigError('CLI_BAD_OPTION', `--model-type ${f.modelType} is not supported; only "bpe" can be trained.`);
  }
  const { readCorpusLines, trainBpe, writeSentencePieceModel } = await import('@puyu/formats/tokenizer');
  let readBar: Progress | undefined;
  let mergeBar: Progress | undefined;
  const lines = readCorpusLines(f.input, {
    jsonlField: f.jsonlField,
    onBytes: (done, total) => {
      readBar ??= new Progress({ total, label: 'read', unit: 'B', silent: f.quiet });
      readBar.update(done);
    },
  });
  if (f.inputFormat !== undefined && f.inputFormat !== 'text' && f.inputFormat !== 'tsv') {
    throw new ConfigError('CLI_BAD_OPTION', `--input-format must be "text" or "tsv", got "${f.inputFormat}".`);
  }
  const options: BpeTrainerOptions = {
    vocabSize: f.vocabSize,
    inputFormat: f.inputFormat as 'text' | 'tsv' | undefined,
    characterCoverage: f.characterCoverage,
    byteFallback: f.byteFallback,
    userDefinedSymbols: list(f.userDefinedSymbols),
    controlSymbols: list(f.controlSymbols),
    splitDigits: f.splitDigits,
    ...(f.requiredAscii ? { requiredChars: PRINTABLE_ASCII } : {}),
    maxLines: f.maxLines,
    removeExtraWhitespaces: f.keepExtraWhitespace ? false : undefined,
    addDummyPrefix: f.dummyPrefix,
    maxSentencepieceLength: f.maxPieceLength,
    padId: f.padId,
    onProgress: (p) => {
      if (p.phase !== 'merge') return;
      if (!mergeBar) {
        readBar?.finish();
        mergeBar = new Progress({ total: p.total, label: 'merge', unit: 'piece', silent: f.quiet });
      }
      mergeBar.update(p.done);
    },
  };
  const { model, stats } = await trainBpe(lines, options, f.input);
  mergeBar?.finish();
  await writeSentencePieceModel(f.output, model);
  const { writeLineage } = await import('@puyu/core/lineage');
  await writeLineage(f.output, {
    kind: 'tokenizer',
    command: f.command,
    config: options,
    parents: f.input,
    metrics: { pieces: model.pieces.length },
  });
  if (f.json) return JSON.stringify({ output: f.output, pieces: model.pieces.length, ...stats });
  return (
    `wrote ${f.output}: ${model.pieces.length} pieces (${stats.metaPieces} special, ${stats.learnedPieces} merges, ` +
    `${stats.alphabetSize} characters covering ${(100 * stats.characterCoverage).toFixed(2)}%) from ${stats.linesRead} lines, ` +
    `${stats.uniqueWords} distinct words in ${stats.seconds.toFixed(1)} s`
  );
}

/** `puyu tokenizer train` (registered under the `tokenizer` command). */
export function registerTokenizerTrain(tok: Command): void {
  tok
    .command('train')
    .description('Train a SentencePiece BPE model (same pieces as spm_train --model_type=bpe)')
    .requiredOption('--input <files...>', 'text files (one sentence per line) or .jsonl files')
    .requiredOption('--vocab-size <n>', 'vocabulary size, special pieces included', intOption('--vocab-size'))
    .requiredOption('--output <file>', 'where to write the .model file')
    .option('--model-type <type>', 'only "bpe"', 'bpe')
    .option(
      '--character-coverage <x>',
      'share of characters the alphabet covers (0.98–1, default 0.9995)',
      numberOption('--character-coverage', { min: 0.98, max: 1 }),
    )
    .option('--byte-fallback', 'add the 256 <0xXX> pieces so no text is unknown')
    .option('--user-defined-symbols <list>', 'comma-separated pieces kept whole, e.g. "<|im_start|>,<|im_end|>"')
    .option('--control-symbols <list>', 'comma-separated pieces only the program emits')
    .option('--split-digits', 'every digit is its own piece')
    .option('--required-ascii', 'every printable ASCII character gets a piece, however rare in the corpus')
    .option('--max-lines <n>', 'read at most this many lines (0 = all)', intOption('--max-lines', { min: 0 }))
    .option('--jsonl-field <name>', 'text field of .jsonl inputs', 'text')
    .option('--input-format <format>', '"text" (a sentence per line) or "tsv" (sentence<TAB>count per line)', 'text')
    .option('--keep-extra-whitespace', 'keep repeated, leading and trailing spaces (as InternLM2 does)')
    .option('--no-dummy-prefix', 'do not prepend a space to each sentence')
    .option('--max-piece-length <n>', 'longest piece in characters (default 16)', intOption('--max-piece-length'))
    .option('--pad-id <n>', 'id of a <pad> piece (default: none)', intOption('--pad-id', { min: 0 }))
    .option('--quiet', 'no progress on stderr')
    .option('--json', JSON_HELP)
    .action(async (f: TokenizerTrainFlags) => {
      console.log(await runTokenizerTrain(f));
    });
}
