import type { Command } from 'commander';
import { intOption } from '../options.js';

interface StudioCliOptions {
  runs: string;
  host: string;
  port: number;
  endpoint: string[];
  dataRoot: string;
  token?: string;
}

/** `puyu studio`: the web console over the run folders (apps/studio). Runs until SIGINT/SIGTERM. */
export function registerStudioCommand(program: Command): void {
  program
    .command('studio')
    .description('Open Puyu Studio: runs, live training curves, chat playground, evaluation, models and serving in one web console')
    .option('--runs <dir>', 'folder the runs are written to (read in place, never copied)', 'runs')
    .option('--host <host>', 'address to listen on (anything but loopback needs a token)', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', intOption('--port', { min: 0, max: 65535 }), 7860)
    .option(
      '--endpoint <url>',
      'OpenAI-compatible base URL for the chat and serving pages (repeatable; default http://127.0.0.1:8000/v1)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--data-root <dir>', 'benchmark files for evaluations started from the Evaluation page', 'data')
    .option('--token <token>', 'access token for a non-loopback --host (default: PUYU_STUDIO_TOKEN, else a random one)')
    .action(async (o: StudioCliOptions) => {
      // loaded here, not at start-up: the Studio pulls in Hono and the model readers
      const { startStudio } = await import('@puyu/studio');
      const studio = await startStudio({
        runsDir: o.runs,
        host: o.host,
        port: o.port,
        endpoints: o.endpoint,
        dataRoot: o.dataRoot,
        token: o.token ?? process.env.PUYU_STUDIO_TOKEN,
      });
      if (!studio.webBuilt)
        process.stderr.write(
          'warning: [STUDIO_NOT_BUILT] the web app is not built; run npm run build -w apps/studio (the API still answers).\n',
        );
      process.stdout.write(`Puyu Studio on ${studio.openUrl} — runs from ${o.runs}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await studio.close();
    });
}
