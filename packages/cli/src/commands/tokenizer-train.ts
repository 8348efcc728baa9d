import type { Command } from 'commander';

/** `puyu tokenizer train` (registered under the `tokenizer` command). */
export function registerTokenizerTrain(tok: Command): void {
  void tok;
}
