import { type JobOutcome, serializeError } from './jobErrors.js';

/**
 * The child side of runNativeJob: runs `work` on the job's arguments and sends its
 * outcome — the value, or the error serialized so the parent rethrows it as the same
 * class with the same code — then lets the process end. A handled error is an outcome,
 * not a crash: the process exits 0 and the parent sees the error itself.
 */
export async function serveNativeJob(work: (args: string[]) => unknown): Promise<void> {
  let finished = false;
  // If the parent dies (even by SIGKILL) the IPC channel closes: stop rather than work on
  // as an orphan. (Listening for 'disconnect' keeps the channel referenced, so we close it
  // ourselves once the outcome is sent.)
  process.on('disconnect', () => {
    if (!finished) process.exit(130);
  });
  let outcome: JobOutcome;
  try {
    outcome = { puyuJob: 1, ok: true, value: await work(process.argv.slice(2)) };
  } catch (e) {
    outcome = { puyuJob: 1, ok: false, error: serializeError(e) };
  }
  finished = true;
  const send = process.send?.bind(process);
  if (!send) {
    // run by hand, not forked: behave like a script
    if (!outcome.ok) throw new Error(`${outcome.error.name}: ${outcome.error.message}`);
    process.stdout.write(`${JSON.stringify(outcome.value)}\n`);
    return;
  }
  await new Promise<void>((resolve) => send(outcome, undefined, undefined, () => resolve()));
  process.disconnect();
}
