/**
 * Run by `npm install` (scripts/prepare.sh), beside the TypeScript build: compiles the native ggml
 * CPU backend for this CPU into the cache (`~/.cache/puyu/ggml-native`, once per machine, CPU and
 * llama.cpp commit), so the first `puyu quickstart` / `serve` / `train` finds it instead of spending
 * its first minute compiling. tsc builds on one core, so on two cores the compile costs the install
 * little wall time.
 *
 * It never fails the install: a machine without a compiler, a failed build or PUYU_NATIVE_CPU=off
 * ends in one line, and the commands then run on node-llama-cpp's prebuilt variants (or try again:
 * `puyu doctor --build`).
 */
import { ensureNativeCpuBackend } from '@puyu/ggml';

try {
  // waitMs 0: another process already compiling (a second install, a quickstart) finishes the job
  const r = await ensureNativeCpuBackend({ waitMs: 0 });
  if (r.kind === 'native' && r.why === 'cache hit') process.stderr.write('puyu: native ggml CPU backend already built for this CPU\n');
} catch (e) {
  process.stderr.write(
    `puyu: the native ggml CPU backend was not built at install (${(e as Error).message.split('\n')[0]}); the first command that needs it will try\n`,
  );
}
