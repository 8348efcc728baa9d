import { describeError, isPuyuError } from '@puyu/core';
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands.js';

/** Runs the `puyu` CLI; returns the process exit code (never throws for user errors). */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('puyu')
    .description('Puyu — the InternLM full chain (data → train → serve → eval → apps) in TypeScript')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    process.stderr.write(`puyu: ${describeError(e)}\n`);
    if (!isPuyuError(e) && process.env.PUYU_DEBUG) console.error(e);
    return isPuyuError(e) ? 2 : 1;
  }
}
