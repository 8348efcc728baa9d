import type { Command } from 'commander';
import { registerTokenizerTrain } from './tokenizer-train.js';

/** `puyu tokenizer encode|decode|train`. */
export function registerTokenizerCommands(program: Command): void {
  const tok = program.command('tokenizer').description('SentencePiece tokenizers: train, encode, decode');
  registerTokenizerTrain(tok);
}
