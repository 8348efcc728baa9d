import { type LocalModelStarter, openModel, type Provider } from '@puyu/client';
import { ConfigError } from '@puyu/core';
import type { ModelStyle } from '../types.js';
import type { ModelConfig, RunConfig } from './RunConfig.js';

export interface ResolvedModel {
  /** Label in reports and file names. */
  label: string;
  provider: Provider;
  style: ModelStyle;
}

/**
 * Turns config entries into providers through @puyu/client; `local:` entries are started by
 * `startLocal` (the CLI passes one with its context and thread flags), else by the client's
 * default, which imports @puyu/serve only then.
 */
export async function resolveModels(config: RunConfig, startLocal?: LocalModelStarter): Promise<ResolvedModel[]> {
  const out: ResolvedModel[] = [];
  try {
    for (const entry of config.models) out.push(await resolveOne(entry, config, startLocal));
  } catch (e) {
    // Local servers already started for earlier entries must not outlive a config error.
    await Promise.all(out.map((m) => m.provider.close?.()));
    throw e;
  }
  const labels = new Set<string>();
  for (const m of out) {
    if (labels.has(m.label)) {
      await Promise.all(out.map((x) => x.provider.close?.()));
      throw new ConfigError('EVAL_DUPLICATE_MODEL', `two models are labelled "${m.label}": give one a "name".`);
    }
    labels.add(m.label);
  }
  return out;
}

async function resolveOne(entry: ModelConfig, config: RunConfig, startLocal?: LocalModelStarter): Promise<ResolvedModel> {
  const o = typeof entry === 'string' ? { spec: entry } : entry;
  const keyEnv = o.apiKeyEnv ?? config.apiKeyEnv;
  const apiKey = o.apiKey ?? (keyEnv ? process.env[keyEnv] : undefined);
  if (keyEnv && !apiKey) throw new ConfigError('EVAL_API_KEY_MISSING', `environment variable ${keyEnv} (apiKeyEnv) is not set.`);
  const opened = await openModel({
    spec: o.spec,
    endpoints: o.endpoints,
    model: o.model,
    api: o.api,
    apiKey,
    concurrency: o.concurrency ?? config.endpointConcurrency,
    requestsPerSecond: o.requestsPerSecond ?? config.requestsPerSecond,
    timeoutMs: o.timeoutMs ?? config.timeoutMs,
    maxRetries: o.maxRetries ?? config.maxRetries,
    startLocal,
  });
  return { label: o.name ?? opened.model, provider: opened.provider, style: o.style ?? (opened.api === 'chat' ? 'chat' : 'base') };
}
