import { ConfigError } from '@puyu/core';
import { pickNode, type RoutingStrategy, updateLatency } from './strategies.js';

export interface ProxyNodeConfig {
  /** Base URL of an OpenAI-compatible server (ours, vLLM, LMDeploy, Ollama…), without /v1. */
  url: string;
  weight?: number;
  /** Sent upstream as `Authorization: Bearer …` when the node requires a key. */
  apiKey?: string;
}

export interface ProxyNode {
  url: string;
  weight: number;
  apiKey?: string;
  healthy: boolean;
  outstanding: number;
  latencyMs?: number;
  models: string[];
  requests: number;
  failures: number;
  lastError?: string;
  lastCheck?: number;
}

/** Normalises a node URL: no trailing slash, no trailing /v1 (we add paths ourselves). */
export function normalizeNodeUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError('PROXY_BAD_NODE', `"${url}" is not a URL; give nodes as http://host:port.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError('PROXY_BAD_NODE', `node ${url} must be http or https.`);
  return u.toString().replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** The proxy's view of its nodes: membership, health, load and latency. */
export class NodeRegistry {
  private readonly nodes = new Map<string, ProxyNode>();

  constructor(private readonly strategy: RoutingStrategy) {}

  add(cfg: ProxyNodeConfig): ProxyNode {
    const url = normalizeNodeUrl(cfg.url);
    const weight = cfg.weight ?? 1;
    if (!(weight > 0)) throw new ConfigError('PROXY_BAD_NODE', `node ${url}: weight must be > 0.`);
    const existing = this.nodes.get(url);
    if (existing) {
      existing.weight = weight;
      existing.apiKey = cfg.apiKey;
      return existing;
    }
    // optimistic until the first health check says otherwise, so a new node takes traffic at once
    const node: ProxyNode = { url, weight, apiKey: cfg.apiKey, healthy: true, outstanding: 0, models: [], requests: 0, failures: 0 };
    this.nodes.set(url, node);
    return node;
  }

  remove(url: string): boolean {
    return this.nodes.delete(normalizeNodeUrl(url));
  }

  list(): ProxyNode[] {
    return [...this.nodes.values()];
  }

  /** A healthy node for `model` (nodes that list it first), skipping `exclude`. */
  pick(model: string | undefined, exclude: ReadonlySet<string> = new Set()): ProxyNode | undefined {
    const healthy = this.list().filter((n) => n.healthy && !exclude.has(n.url));
    const serving = model ? healthy.filter((n) => n.models.includes(model)) : [];
    return pickNode(serving.length ? serving : healthy, this.strategy);
  }

  started(n: ProxyNode): void {
    n.outstanding++;
    n.requests++;
  }

  firstByte(n: ProxyNode, ms: number): void {
    n.latencyMs = updateLatency(n.latencyMs, ms);
  }

  finished(n: ProxyNode): void {
    n.outstanding = Math.max(0, n.outstanding - 1);
  }

  failed(n: ProxyNode, error: string): void {
    n.failures++;
    n.healthy = false;
    n.lastError = error;
  }

  /** Asks every node for /v1/models; a node that answers 200 is healthy and its model list is refreshed. */
  async checkAll(timeoutMs = 3000): Promise<void> {
    await Promise.all(
      this.list().map(async (n) => {
        try {
          const r = await fetch(`${n.url}/v1/models`, {
            headers: n.apiKey ? { authorization: `Bearer ${n.apiKey}` } : {},
            signal: AbortSignal.timeout(timeoutMs),
          });
          if (!r.ok) throw new Error(`HTTP ${r.status}`);
          const body = (await r.json()) as { data?: { id?: string }[] };
          n.models = (body.data ?? []).map((m) => String(m.id));
          n.healthy = true;
          n.lastError = undefined;
        } catch (e) {
          n.healthy = false;
          n.lastError = (e as Error).message;
        }
        n.lastCheck = Date.now();
      }),
    );
  }
}
