import { describeError } from '@puyu/core/errors';
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands.js';

/**
 * Runs the `puyu` CLI; returns the process exit code and never throws. Every failure,
 * whatever raised it (our errors, a missing file's raw ENOENT, a usage mistake caught by
 * commander), is printed as one `puyu: [CODE] sentence` line and exits 2; help and
 * --version exit 0. Only what each command needs is imported when it runs, so `puyu
 * --help` loads no native library (commands.ts).
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('puyu')
    .description('Puyu — the InternLM full chain (data → train → serve → eval → apps) in TypeScript')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // commander's own messages ("error: unknown option '--x'") in our one format.
      outputError: (s, write) => write(`puyu: [CLI_USAGE] ${s.replace(/^error: /, '')}`),
    });
  registerCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    process.stderr.write(`puyu: ${describeError(e)}\n`);
    if (process.env.PUYU_DEBUG) console.error(e);
    return 2;
  }
}
