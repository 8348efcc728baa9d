import { Command, CommanderError } from 'commander';
import { commandPath } from './commands/doctor.js';
import { registerCommands } from './commands.js';
import { formatFailure, formatUsageError } from './errorOutput.js';

/** Every command below `cmd`, depth first (the program itself excluded). */
export function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** `puyu train pretrain`: the words a user types to reach `cmd`. */
export function commandLine(cmd: Command): string {
  const path = commandPath(cmd);
  return path ? `puyu ${path}` : 'puyu';
}

/**
 * The `puyu` command tree, with nothing run: main() parses with it, and the help, completion
 * and failure tests walk it. Commander's usage errors (unknown option, missing argument) are
 * printed by each command as one `puyu: [CLI_USAGE] …` line plus a hint naming its --help.
 * `onCommand` hears which command runs (`puyu train pretrain`) before it parses its options.
 */
export function buildProgram(onCommand?: (commandLine: string) => void): Command {
  const program = new Command('puyu')
    .description('Puyu — the InternLM full chain (data → train → serve → eval → apps) in TypeScript')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program);
  for (const cmd of [program, ...allCommands(program)]) {
    const line = commandLine(cmd);
    cmd.configureOutput({ outputError: (s, write) => write(formatUsageError(s, line)) });
    // reported before the subcommand parses its options, so a bad --threads value knows its command too
    if (onCommand && cmd.commands.length > 0) cmd.hook('preSubcommand', (_cmd, sub) => onCommand(commandLine(sub)));
  }
  return program;
}

/**
 * Runs the `puyu` CLI; returns the process exit code and never throws. Every failure,
 * whatever raised it (our errors, a missing file's raw ENOENT, a usage mistake caught by
 * commander), is printed as one `puyu: [CODE] sentence` line, perhaps followed by a
 * `  hint: …` line (errorOutput.ts), and exits 2; help and --version exit 0. Only what each
 * command needs is imported when it runs, so `puyu --help` loads no native library
 * (commands.ts).
 */
export async function main(argv: string[]): Promise<number> {
  let running: string | undefined;
  const program = buildProgram((line) => {
    running = line;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    process.stderr.write(formatFailure(e, running));
    if (process.env.PUYU_DEBUG) console.error(e);
    return 2;
  }
}
