import { ConfigError } from '@puyu/core';
import { EndpointPool } from './EndpointPool.js';
import { type LocalModelStarter, localModelStarter } from './localModel.js';
import { OpenAIProvider, type OpenAIProviderOptions } from './OpenAIProvider.js';
import type { Provider } from './Provider.js';
import { parseModelSpec } from './parseModelSpec.js';

/** A model to talk to: a spec (`URL@model`, `completions+URL@model`, `local:PATH.gguf`) or endpoints + model, and transport settings. */
export interface ModelOptions extends Omit<OpenAIProviderOptions, 'baseUrl' | 'model' | 'api' | 'id'> {
  spec?: string;
  /** Replicas of one model: with `model` alone, or more replicas besides the spec's URL. Ignored for local: specs. */
  endpoints?: string[];
  /** Model name sent to the endpoints (overrides the spec's). */
  model?: string;
  /** Generation route (overrides the spec's; default chat). */
  api?: 'chat' | 'completions';
  /** Starts local: models (default: `localModelStarter()`, which imports @puyu/serve on first use). */
  startLocal?: LocalModelStarter;
}

export interface OpenedModel {
  /** Least-busy pool over the endpoints; `close()` also stops a local server. */
  provider: Provider;
  /** The model name the endpoints answer to. */
  model: string;
  api: 'chat' | 'completions';
}

/** Turns a model entry into a provider, starting a local server when the spec says `local:`. */
export async function openModel(o: ModelOptions): Promise<OpenedModel> {
  const { spec: specText, endpoints, model: modelName, api: apiChoice, startLocal, ...transport } = o;
  let urls: string[];
  let model: string;
  let api: 'chat' | 'completions';
  let stop: (() => Promise<void>) | undefined;
  if (specText) {
    const spec = parseModelSpec(specText);
    if (spec.kind === 'local') {
      const server = await (startLocal ?? localModelStarter())(spec.path);
      urls = [server.url];
      model = server.model;
      api = apiChoice ?? 'chat';
      stop = () => server.close();
    } else {
      urls = [spec.baseUrl, ...(endpoints ?? [])];
      model = modelName ?? spec.model;
      api = apiChoice ?? spec.api;
    }
  } else {
    // Was EVAL_BAD_MODEL_SPEC before this moved out of @puyu/eval's resolveModels.
    if (!endpoints?.length || !modelName)
      throw new ConfigError('CLIENT_BAD_MODEL_SPEC', 'a model entry needs "spec", or "endpoints" and "model".');
    urls = endpoints;
    model = modelName;
    api = apiChoice ?? 'chat';
  }
  const pool = new EndpointPool(urls.map((baseUrl) => new OpenAIProvider({ ...transport, baseUrl, model, api })));
  return { provider: stop ? closingAlso(pool, stop) : pool, model, api };
}

/** The pool, with `close()` stopping the local server after the pool's own members. */
function closingAlso(pool: EndpointPool, stop: () => Promise<void>): Provider {
  return {
    id: pool.id,
    model: pool.model,
    cacheScope: pool.cacheScope,
    call: (request, signal) => pool.call(request, signal),
    embed: (input, opts) => pool.embed(input, opts),
    close: async () => {
      await pool.close();
      await stop();
    },
  };
}
