import type { Command } from 'commander';

/**
 * Commands whose native work benefits from a natively compiled ggml CPU backend: before they
 * run, one is compiled if this machine can and has none yet (once per machine; progress shown).
 */
const NATIVE_COMMANDS = new Set(['serve', 'quantize', 'quickstart', 'train pretrain', 'train sft', 'train dpo', 'train lora']);

/** The command path below the program, e.g. "train pretrain". */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export function needsNativeCpu(path: string): boolean {
  return NATIVE_COMMANDS.has(path) || path.startsWith('train lora');
}

/** `puyu doctor` and the hook that gives serve / train / quantize the native CPU backend without a flag. */
export function registerDoctorCommand(program: Command): void {
  program.hook('preAction', async (_program, action) => {
    if (!needsNativeCpu(commandPath(action))) return;
    const { ensureNativeCpuBackend } = await import('@puyu/ggml');
    // a test run never spends minutes compiling; it uses a build that is already cached
    await ensureNativeCpuBackend({ build: !process.env.VITEST });
  });
  program
    .command('doctor')
    .description('Which native libraries, ggml CPU backend (native build or prebuilt variant) and BLAS Puyu runs on here, and why')
    .option('--build', 'compile the native ggml CPU backend now if it is missing (retries a failed build)')
    .option('--json', 'print the report as JSON')
    .action(async (o: { build?: boolean; json?: boolean }) => {
      const { ensureNativeCpuBackend, formatGgmlDoctorReport, ggmlDoctorReport } = await import('@puyu/ggml');
      if (o.build) await ensureNativeCpuBackend({ retry: true });
      const report = ggmlDoctorReport();
      process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatGgmlDoctorReport(report)}\n`);
    });
}
