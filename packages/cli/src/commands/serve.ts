import type { KvCacheType } from '@puyu/serve';
import type { Command } from 'commander';
import { choiceOption, intOption, parseNumber } from '../options.js';
import { registerServeProxy } from './serve-proxy.js';

/** Every option goes through the CLI's one parser; a lower bound of 0 where 0 means something. */
const int = (name: string, min = 1) => intOption(name, { min });
const kvType = choiceOption<KvCacheType>('--kv-cache-type', ['f16', 'f32', 'q8_0', 'q4_0']);

/** `--lora FILE[,SCALE]` (repeatable): a GGUF LoRA adapter and its scale (default 1). */
function loraOption(v: string, acc: { path: string; scale: number }[]): { path: string; scale: number }[] {
  const m = /^(.*),([^,]*)$/.exec(v);
  const scale = m ? parseNumber('--lora', m[2]) : 1;
  return [...acc, { path: m ? m[1] : v, scale }];
}

interface ServeCliOptions {
  host: string;
  port: number;
  name?: string;
  sequences: number;
  ctxSize: number;
  batchSize?: number;
  threads: number;
  kvCacheType: KvCacheType;
  flashAttention?: boolean;
  gpu?: boolean;
  maxQueue: number;
  timeout: number;
  gracePeriod: number;
  apiKey: string[];
  cors?: string;
  maxBody: number;
  maxPromptTokens?: number;
  cacheDir?: string;
  lora: { path: string; scale: number }[];
  studio?: boolean;
  studioPort: number;
  runs: string;
}

/** `puyu serve MODEL`: the OpenAI-compatible server (LMDeploy's `api_server`). Runs until SIGINT/SIGTERM. */
export function registerServeCommand(program: Command): void {
  const serve = program
    .command('serve')
    .description('Serve a GGUF file or HF InternLM2 folder over an OpenAI-compatible HTTP API (continuous batching)')
    .argument('<model>', '.gguf file, or HF folder (converted to GGUF once and cached)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', intOption('--port', { min: 0, max: 65535 }), 8000)
    .option('--name <name>', 'model name reported by /v1/models (default: file or folder name)')
    .option('--sequences <n>', 'requests decoded together (sequences of the context)', int('--sequences'), 4)
    .option('--ctx-size <n>', 'context length of each sequence, tokens', int('--ctx-size', 16), 2048)
    .option('--batch-size <n>', 'tokens per decode call', int('--batch-size'))
    .option('--threads <n>', 'CPU threads', int('--threads'), 1)
    .option('--kv-cache-type <type>', 'KV cache type: f16, f32, q8_0, q4_0 (quantized types turn on flash attention)', kvType, 'f16')
    .option('--flash-attention', 'use flash attention')
    .option('--no-flash-attention', 'never use flash attention')
    .option('--gpu', 'use a GPU backend when node-llama-cpp has one')
    .option('--max-queue <n>', 'requests allowed to wait for a sequence before 429', int('--max-queue', 0), 64)
    .option('--timeout <seconds>', 'per-request time limit', int('--timeout'), 600)
    .option(
      '--grace-period <seconds>',
      'on SIGTERM/SIGINT, how long running requests may finish before they are stopped (a second signal stops them at once)',
      int('--grace-period', 0),
      25,
    )
    .option('--api-key <key>', 'accepted Bearer key (repeatable; also PUYU_API_KEYS=k1,k2)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--cors <origins>', 'allowed CORS origins, comma-separated ("*" for any)')
    .option('--max-body <bytes>', 'largest request body', int('--max-body'), 4 * 1024 * 1024)
    .option('--max-prompt-tokens <n>', 'longest prompt accepted (default: context size − 1)', int('--max-prompt-tokens'))
    .option('--cache-dir <dir>', 'where converted HF folders are cached (default ~/.cache/puyu/serve)')
    .option('--studio', 'also start Puyu Studio, its chat and serving pages pointed at this server')
    .option('--studio-port <port>', 'Studio port (0 = any free port)', intOption('--studio-port', { min: 0, max: 65535 }), 7860)
    .option('--runs <dir>', 'run folders the Studio reads (with --studio)', 'runs')
    .option(
      '--lora <file[,scale]>',
      'apply a GGUF LoRA adapter (puyu train lora) to every request, scale default 1 (repeatable)',
      loraOption,
      [],
    )
    .action(async (model: string, o: ServeCliOptions) => {
      const apiKeys = [...o.apiKey, ...(process.env.PUYU_API_KEYS ?? '').split(',').filter(Boolean)];
      // loaded here, not at start-up: node-llama-cpp takes ~0.5 s to import and other commands don't need it
      const { startServer } = await import('@puyu/serve');
      const server = await startServer({
        model,
        modelName: o.name,
        host: o.host,
        port: o.port,
        sequences: o.sequences,
        contextSize: o.ctxSize,
        batchSize: o.batchSize,
        threads: o.threads,
        kvCacheType: o.kvCacheType,
        flashAttention: o.flashAttention,
        gpu: o.gpu,
        maxQueue: o.maxQueue,
        timeoutMs: o.timeout * 1000,
        apiKeys,
        corsOrigins: o.cors?.split(',').map((s) => s.trim()),
        maxBodyBytes: o.maxBody,
        maxPromptTokens: o.maxPromptTokens,
        cacheDir: o.cacheDir,
        lora: o.lora,
      });
      process.stdout.write(
        `serving ${server.engine.modelName} (${server.engine.modelPath}) on ${server.url}/v1 — ${o.sequences} sequences × ${server.engine.contextSize} tokens, ${o.threads} thread(s), KV ${o.kvCacheType}${apiKeys.length ? ', API keys on' : ''}${o.lora.length ? `, LoRA ${o.lora.map((a) => `${a.path}×${a.scale}`).join(' + ')}` : ''}\n`,
      );
      // The Studio runs in this process on its own port, like `puyu studio --endpoint <this server>`:
      // it binds the same host (a non-loopback host gets a token) and stops with the server.
      let studio: { close(): Promise<void> } | undefined;
      if (o.studio) {
        const { startStudio } = await import('@puyu/studio');
        const s = await startStudio({
          runsDir: o.runs,
          host: o.host,
          port: o.studioPort,
          endpoints: [`${server.url}/v1`],
          token: process.env.PUYU_STUDIO_TOKEN,
        });
        studio = s;
        process.stdout.write(`Puyu Studio on ${s.openUrl} — runs from ${o.runs}\n`);
      }
      // Graceful shutdown (startServer's close): stop accepting, 503 the queue, let running requests
      // finish for --grace-period, stop the rest, wait for the decode in flight, dispose the engine.
      // 25 s by default: below Kubernetes' 30 s terminationGracePeriodSeconds, so the engine is
      // disposed before a SIGKILL could cut a decode. A second signal ends the grace period now.
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        const first = (s: NodeJS.Signals) => {
          process.off('SIGINT', first);
          process.off('SIGTERM', first);
          resolve(s);
        };
        process.on('SIGINT', first);
        process.on('SIGTERM', first);
      });
      const again = () => {
        process.stderr.write('second signal: stopping running requests now\n');
        void server.close({ gracePeriodMs: 0 });
      };
      process.on('SIGINT', again);
      process.on('SIGTERM', again);
      process.stderr.write(
        `${signal}: shutting down — ${server.scheduler.activeSequences} running, ${server.scheduler.queueDepth} queued (answered 503); grace period ${o.gracePeriod} s\n`,
      );
      await server.close({ gracePeriodMs: o.gracePeriod * 1000 });
      await studio?.close();
      process.off('SIGINT', again);
      process.off('SIGTERM', again);
      process.stderr.write('stopped\n');
    });
  registerServeProxy(serve);
}
