import { ConfigError } from '@puyu/core';
import { EndpointPool } from '../providers/EndpointPool.js';
import { OpenAIProvider } from '../providers/OpenAIProvider.js';
import type { Provider } from '../providers/Provider.js';
import { parseModelSpec } from '../providers/parseModelSpec.js';
import type { ModelStyle } from '../types.js';
import type { ModelConfig, RunConfig } from './RunConfig.js';

export interface ResolvedModel {
  /** Label in reports and file names. */
  label: string;
  provider: Provider;
  style: ModelStyle;
}

/** Starts a local GGUF behind an OpenAI-compatible server and returns its base URL (wired by the CLI). */
export type LocalModelStarter = (path: string) => Promise<{ url: string; model: string; close(): Promise<void> }>;

/** Turns config entries into providers; `local:` entries need a starter (the CLI passes one built on @puyu/serve). */
export async function resolveModels(config: RunConfig, startLocal?: LocalModelStarter): Promise<ResolvedModel[]> {
  const out: ResolvedModel[] = [];
  for (const entry of config.models) out.push(await resolveOne(entry, config, startLocal));
  const labels = new Set<string>();
  for (const m of out) {
    if (labels.has(m.label)) throw new ConfigError('EVAL_DUPLICATE_MODEL', `two models are labelled "${m.label}": give one a "name".`);
    labels.add(m.label);
  }
  return out;
}

async function resolveOne(entry: ModelConfig, config: RunConfig, startLocal?: LocalModelStarter): Promise<ResolvedModel> {
  const o = typeof entry === 'string' ? { spec: entry } : entry;
  const keyEnv = o.apiKeyEnv ?? config.apiKeyEnv;
  const apiKey = o.apiKey ?? (keyEnv ? process.env[keyEnv] : undefined);
  if (keyEnv && !apiKey) throw new ConfigError('EVAL_API_KEY_MISSING', `environment variable ${keyEnv} (apiKeyEnv) is not set.`);
  const transport = {
    apiKey,
    concurrency: o.concurrency ?? config.endpointConcurrency,
    requestsPerSecond: o.requestsPerSecond ?? config.requestsPerSecond,
    timeoutMs: o.timeoutMs ?? config.timeoutMs,
    maxRetries: o.maxRetries ?? config.maxRetries,
  };
  let urls: string[];
  let model: string;
  let api: 'chat' | 'completions';
  let close: (() => Promise<void>) | undefined;
  if (o.spec) {
    const spec = parseModelSpec(o.spec);
    if (spec.kind === 'local') {
      if (!startLocal)
        throw new ConfigError(
          'EVAL_LOCAL_UNAVAILABLE',
          `"${o.spec}": local models are started by the puyu CLI; from the API, serve it and pass URL@model.`,
        );
      const server = await startLocal(spec.path);
      urls = [server.url];
      model = server.model;
      api = o.api ?? 'chat';
      close = server.close;
    } else {
      urls = [spec.baseUrl, ...(o.endpoints ?? [])];
      model = o.model ?? spec.model;
      api = o.api ?? spec.api;
    }
  } else {
    if (!o.endpoints || !o.model) throw new ConfigError('EVAL_BAD_MODEL_SPEC', 'a model entry needs "spec", or "endpoints" and "model".');
    urls = o.endpoints;
    model = o.model;
    api = o.api ?? 'chat';
  }
  const members = urls.map((baseUrl) => new OpenAIProvider({ baseUrl, model, api, ...transport }));
  const pool = new EndpointPool(members);
  const provider = close
    ? { id: pool.id, model, cacheScope: pool.cacheScope, call: pool.call.bind(pool), close: async () => close() }
    : pool;
  return { label: o.name ?? model, provider, style: o.style ?? (api === 'chat' ? 'chat' : 'base') };
}
