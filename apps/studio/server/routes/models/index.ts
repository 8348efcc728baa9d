import { Hono } from 'hono';
import type { StageRoutes } from '../../context.js';
import { StudioError } from '../../errors.js';
import { jsonBody } from '../../http.js';
import { filePath, scanRuns } from '../../runs.js';
import { tokenizerFor } from './tokenizers.js';

const MAX_TEXT = 100_000;

/** Models found in the runs folder (HF exports, GGUF files), `model inspect` on one, and the tokenizer playground. */
export const modelsRoutes: StageRoutes = {
  id: 'models',
  routes: (ctx) =>
    new Hono()
      .get('/list', async (c) => {
        const runs = await scanRuns(ctx.runsDir);
        const models = runs.flatMap((r) =>
          r.outputs
            .filter((o) => o.role === 'gguf' || o.role === 'hf')
            .map((o) => ({ run: r.id, kind: o.role, path: o.path, bytes: o.bytes })),
        );
        return c.json({ runsDir: ctx.runsDir, models });
      })
      .get('/inspect', async (c) => {
        const path = filePath(ctx.runsDir, c.req.query('path'));
        const { inspectModel } = await import('@puyu/model');
        return c.json(await inspectModel(path));
      })
      .post('/tokenize', async (c) => {
        const body = await jsonBody<{ path?: string; text?: unknown; addBos?: boolean; parseSpecial?: boolean }>(c);
        if (typeof body.text !== 'string') throw new StudioError('STUDIO_BAD_REQUEST', 'send { path, text }: text must be a string.');
        if (body.text.length > MAX_TEXT) throw new StudioError('STUDIO_BAD_REQUEST', `text is over ${MAX_TEXT} characters; send less.`);
        const tok = await tokenizerFor(filePath(ctx.runsDir, body.path));
        const ids = tok.encode(body.text, { addBos: body.addBos === true, parseSpecial: body.parseSpecial !== false });
        return c.json({ ids, pieces: ids.map((id) => tok.idToPiece(id)), vocabSize: tok.vocab.size });
      })
      .post('/detokenize', async (c) => {
        const body = await jsonBody<{ path?: string; ids?: unknown }>(c);
        if (!Array.isArray(body.ids) || body.ids.some((x) => !Number.isInteger(x)))
          throw new StudioError('STUDIO_BAD_REQUEST', 'send { path, ids }: ids must be an array of integers.');
        const tok = await tokenizerFor(filePath(ctx.runsDir, body.path));
        const ids = body.ids as number[];
        const size = tok.vocab.size;
        const bad = ids.find((id) => id < 0 || id >= size);
        if (bad !== undefined) throw new StudioError('STUDIO_BAD_REQUEST', `id ${bad} is outside the vocabulary (0…${size - 1}).`);
        return c.json({ text: tok.decode(ids), pieces: ids.map((id) => tok.idToPiece(id)) });
      }),
};
