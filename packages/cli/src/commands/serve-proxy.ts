import { ConfigError } from '@puyu/core/errors';
import type { RoutingStrategy } from '@puyu/serve';

// Listed here (checked against the type) so registering the command doesn't import @puyu/serve and node-llama-cpp.
const ROUTING_STRATEGIES = ['random', 'least-outstanding', 'min-latency'] as const satisfies readonly RoutingStrategy[];

import type { Command } from 'commander';
import { choiceOption, intOption, numberOption, parseNumber } from '../options.js';

interface ProxyCliOptions {
  node: string[];
  strategy: RoutingStrategy;
  host: string;
  port: number;
  apiKey: string[];
  healthInterval: number;
}

/** Parses `URL[,weight=W][,key=K]`. */
function parseNode(spec: string): { url: string; weight?: number; apiKey?: string } {
  const [url, ...rest] = spec.split(',');
  const node: { url: string; weight?: number; apiKey?: string } = { url };
  for (const kv of rest) {
    const [k, v] = kv.split('=');
    if (k === 'weight') node.weight = parseNumber(`--node ${spec}: weight`, v ?? '', { above: 0 });
    else if (k === 'key') node.apiKey = v;
    else throw new ConfigError('CLI_BAD_OPTION', `--node ${spec}: unknown field "${k}" (use URL,weight=2,key=SECRET).`);
  }
  return node;
}

/** `puyu serve proxy`: LMDeploy's proxy — one OpenAI endpoint in front of several servers. */
export function registerServeProxy(serve: Command): void {
  serve
    .command('proxy')
    .description('Route OpenAI requests across several servers (ours, vLLM, LMDeploy, Ollama); add/remove nodes at run time via /nodes')
    .option('--node <url>', 'a node as URL[,weight=W][,key=K] (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option(
      '--strategy <name>',
      `routing: ${ROUTING_STRATEGIES.join(', ')}`,
      choiceOption<RoutingStrategy>('--strategy', ROUTING_STRATEGIES),
      'least-outstanding',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', intOption('--port', { min: 0, max: 65535 }), 8100)
    .option('--api-key <key>', 'key clients must send (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--health-interval <seconds>', 'seconds between health checks', numberOption('--health-interval', { above: 0 }), 10)
    .action(async (o: ProxyCliOptions) => {
      const { ProxyServer } = await import('@puyu/serve');
      const proxy = new ProxyServer({
        nodes: o.node.map(parseNode),
        strategy: o.strategy,
        apiKeys: o.apiKey,
        healthIntervalMs: o.healthInterval * 1000,
      });
      const { url } = await proxy.listen(o.port, o.host);
      const nodes = proxy.registry.list();
      process.stdout.write(
        `proxy on ${url}/v1 — ${o.strategy}, ${nodes.filter((n) => n.healthy).length}/${nodes.length} node(s) healthy\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await proxy.close();
    });
}
