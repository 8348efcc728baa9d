import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCycles, importGraph, type OpenAIPeer, startOpenAIPeer } from '@puyu/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { EndpointPool } from './EndpointPool.js';
import { localModelStarter, type ServeModule } from './localModel.js';
import { openModel } from './openModel.js';
import type { Provider, ProviderResult } from './Provider.js';

const peers: OpenAIPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

async function peer(answer: string): Promise<OpenAIPeer> {
  const p = await startOpenAIPeer(() => answer);
  peers.push(p);
  return p;
}

describe('openModel', () => {
  it('turns URL@model, completions+ and endpoints + model into least-busy pools', async () => {
    const [a, b] = [await peer('from-a'), await peer('from-b')];
    const chat = await openModel({ spec: `${a.url}@m`, endpoints: [b.url] });
    expect(chat).toMatchObject({ model: 'm', api: 'chat' });
    const texts = await Promise.all([1, 2, 3, 4].map(() => chat.provider.call({ kind: 'completion', prompt: 'q' })));
    // Four at once over two replicas: two each.
    expect(texts.map((t) => (t.ok ? t.texts[0] : t.error.code)).sort()).toEqual(['from-a', 'from-a', 'from-b', 'from-b']);
    const base = await openModel({ spec: `completions+${a.url}@base` });
    expect(base).toMatchObject({ model: 'base', api: 'completions' });
    expect(base.provider.cacheScope).toBe('completions');
    expect((await openModel({ endpoints: [b.url], model: 'n' })).provider.id).toBe(`n@${b.url}`);
    await expect(openModel({ model: 'n' })).rejects.toMatchObject({ code: 'CLIENT_BAD_MODEL_SPEC' });
    await expect(openModel({ spec: 'internlm2' })).rejects.toMatchObject({ code: 'CLIENT_BAD_MODEL_SPEC' });
  });

  it('starts local: models through @puyu/serve only when one is named, and stops them on close', async () => {
    const upstream = await peer('local answer');
    const started: string[] = [];
    let closed = 0;
    let loads = 0;
    const fakeServe: ServeModule = {
      async startServer(o) {
        started.push(`${o.model}@${o.host}:${o.port} ctx=${o.contextSize}`);
        return { url: upstream.url, engine: { modelName: 'tiny' }, close: async () => void closed++ };
      },
    };
    const startLocal = localModelStarter({ contextSize: 512 }, async () => {
      loads++;
      return fakeServe;
    });
    await openModel({ spec: `${upstream.url}@remote`, startLocal });
    expect(loads).toBe(0);
    const local = await openModel({ spec: 'local:/models/tiny.gguf', startLocal });
    expect(started).toEqual(['/models/tiny.gguf@127.0.0.1:0 ctx=512']);
    expect(local).toMatchObject({ model: 'tiny', api: 'chat' });
    expect(await local.provider.call({ kind: 'chat', messages: [{ role: 'user', content: 'hi' }] })).toMatchObject({
      ok: true,
      texts: ['local answer'],
    });
    await local.provider.close?.();
    expect(closed).toBe(1);

    const missing = localModelStarter({}, async () => {
      throw Object.assign(new Error("Cannot find package '@puyu/serve'"), { code: 'ERR_MODULE_NOT_FOUND' });
    });
    await expect(openModel({ spec: 'local:x.gguf', startLocal: missing })).rejects.toMatchObject({ code: 'CLIENT_SERVE_UNAVAILABLE' });
  });
});

describe('EndpointPool', () => {
  const stub = (id: string, embed?: Provider['embed']): Provider => ({
    id,
    model: 'm',
    call: async (): Promise<ProviderResult> => ({ ok: true, texts: [id], attempts: 1, latencyMs: 0 }),
    embed,
  });

  it('forwards embeddings to a member, says when its members cannot embed, and refuses to be empty', async () => {
    const pool = new EndpointPool([
      stub('a', async (input) => ({ ok: true, embeddings: input.map(() => [1]), attempts: 1, latencyMs: 0 })),
    ]);
    expect(await pool.embed(['x', 'y'])).toMatchObject({ ok: true, embeddings: [[1], [1]] });
    expect(await new EndpointPool([stub('b')]).embed(['x'])).toMatchObject({ ok: false, error: { code: 'PROVIDER_UNSUPPORTED' } });
    expect(() => new EndpointPool([])).toThrow(expect.objectContaining({ code: 'CLIENT_EMPTY_POOL' }));
  });
});

describe('@puyu/client module structure', async () => {
  const { local, packages } = await importGraph(dirname(fileURLToPath(import.meta.url)));

  it('has no import cycles and imports only @puyu/core and Node built-ins (never eval, never serve at build time)', () => {
    expect(local.size).toBeGreaterThan(5);
    expect(importCycles(local)).toEqual([]);
    const foreign = [...packages.entries()].flatMap(([f, specs]) =>
      specs.filter((s) => s !== '@puyu/core' && !s.startsWith('node:')).map((s) => `${f} -> ${s}`),
    );
    expect(foreign).toEqual([]);
  });
});
