import type { Command } from 'commander';

/** Each stage registers its sub-commands here (`puyu model …`, `puyu tokenizer …`). */
export function registerCommands(program: Command): void {
  void program;
}
