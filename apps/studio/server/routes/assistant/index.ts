import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AssistantError,
  AssistantService,
  askOptions,
  createKnowledgeBase,
  type KnowledgeBase,
  openKnowledgeBase,
  type RetrieverKind,
} from '@puyu/assistant';
import { isPuyuError } from '@puyu/core';
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { StageRoutes, StudioContext } from '../../context.js';
import { StudioError } from '../../errors.js';
import { errorResponse, jsonBody } from '../../http.js';

const NAME = /^[\p{L}\p{N}_.-]{1,64}$/u;
/** Uploads above this are refused as they stream in (the library default, 100 MiB). */
const MAX_UPLOAD = 100 * 2 ** 20;

/** Knowledge bases live in `<runs>/assistant/<name>/`; one opened service per KB for the Studio process. */
class KbRegistry {
  private readonly open = new Map<string, Promise<AssistantService>>();
  constructor(private readonly ctx: StudioContext) {}

  get root(): string {
    return join(this.ctx.runsDir, 'assistant');
  }

  dir(name: string | undefined): string {
    if (!name || !NAME.test(name) || name.startsWith('.'))
      throw new StudioError('STUDIO_BAD_REQUEST', `"${name ?? ''}" is not a knowledge-base name (letters, digits, _ . -).`);
    return join(this.root, name);
  }

  async list(): Promise<string[]> {
    if (!existsSync(this.root)) return [];
    const entries = await readdir(this.root, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && existsSync(join(this.root, e.name, 'config.json')))
      .map((e) => e.name)
      .sort();
  }

  service(name: string | undefined): Promise<AssistantService> {
    const dir = this.dir(name);
    let s = this.open.get(dir);
    if (!s) {
      s = openKnowledgeBase(dir).then((kb) => new AssistantService(kb, { maxUploadBytes: MAX_UPLOAD }));
      s.catch(() => this.open.delete(dir));
      this.open.set(dir, s);
    }
    return s;
  }

  async create(name: string | undefined, settings: { embed?: string; chat?: string }): Promise<KnowledgeBase> {
    const dir = this.dir(name);
    const kb = await createKnowledgeBase(dir, { embed: settings.embed || undefined, chat: settings.chat || undefined });
    this.open.set(dir, Promise.resolve(new AssistantService(kb, { maxUploadBytes: MAX_UPLOAD })));
    return kb;
  }
}

/** Reads a request body, refusing it once it passes `limit` bytes (before buffering the rest). */
async function limitedBody(c: Context, limit: number, name: string): Promise<Uint8Array> {
  const declared = Number(c.req.header('content-length') ?? 0);
  const tooBig = () => new AssistantError('ASSISTANT_FILE_TOO_LARGE', `${name} is over the ${limit}-byte upload limit; refused.`);
  if (declared > limit) throw tooBig();
  const reader = c.req.raw.body?.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const r = await reader?.read();
    if (!r || r.done) break;
    n += r.value.length;
    if (n > limit) {
      await reader?.cancel();
      throw tooBig();
    }
    parts.push(r.value);
  }
  return Buffer.concat(parts);
}

/** Refused uploads answer 413 with their code; other errors as every stage's do. */
function assistantError(c: Context, e: unknown): Response {
  if (isPuyuError(e) && (e.code === 'ASSISTANT_FILE_TOO_LARGE' || e.code === 'ASSISTANT_ARCHIVE_BOMB'))
    return c.json({ error: { code: e.code, message: e.message } }, 413);
  return errorResponse(c, e);
}

/** The assistant page's API: knowledge bases, uploads, good/bad questions, calibration, the test chat. */
export const assistantRoutes: StageRoutes = {
  id: 'assistant',
  routes: (ctx) => {
    const kbs = new KbRegistry(ctx);
    return new Hono()
      .onError((e, c) => assistantError(c, e))
      .get('/kbs', async (c) => c.json({ root: kbs.root, kbs: await kbs.list(), endpoints: ctx.endpoints }))
      .post('/kbs', async (c) => {
        const b = await jsonBody<{ name?: string; embed?: string; chat?: string }>(c);
        const kb = await kbs.create(b.name, b);
        return c.json(kb.stats());
      })
      .get('/kb', async (c) => {
        const s = await kbs.service(c.req.query('kb'));
        return c.json({ stats: s.kb.stats(), questions: await s.questions() });
      })
      .post('/upload', async (c) => {
        const s = await kbs.service(c.req.query('kb'));
        const name = c.req.query('name') ?? '';
        if (!name) throw new StudioError('STUDIO_BAD_REQUEST', 'pass the file name as ?name=FILE.');
        return c.json(await s.upload(name, await limitedBody(c, s.maxUploadBytes, name)));
      })
      .put('/questions', async (c) => {
        const s = await kbs.service(c.req.query('kb'));
        return c.json(await s.setQuestions(await jsonBody<{ good: string; bad: string }>(c)));
      })
      .post('/calibrate', async (c) => {
        const s = await kbs.service(c.req.query('kb'));
        const b = await jsonBody<{ retrievers?: RetrieverKind[] }>(c);
        return c.json(await s.calibrate(b.retrievers));
      })
      .post('/ask', async (c) => {
        const b = await jsonBody<Record<string, unknown>>(c);
        const s = await kbs.service(String(b.kb ?? ''));
        if (typeof b.question !== 'string' || !b.question.trim()) throw new StudioError('STUDIO_BAD_REQUEST', 'type a question.');
        return c.json(await s.kb.decide(b.question, askOptions(b)));
      });
  },
};
