import type { Command } from 'commander';

/** `puyu model init|convert|inspect`. */
export function registerModelCommands(program: Command): void {
  program.command('model').description('InternLM2 models: init, convert (HF ⇄ GGUF), inspect');
}
