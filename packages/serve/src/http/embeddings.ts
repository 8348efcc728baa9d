import type { Context } from 'hono';
import type { Token } from 'node-llama-cpp';
import { shuttingDownError } from '../engine/abort.js';
import { ServeError } from '../ServeError.js';
import { usage } from './chatCompletions.js';
import { checkPromptLength, checkTokenIds, parseBody, type RouteContext } from './common.js';
import { embeddingRequestSchema } from './schemas.js';

/** POST /v1/embeddings: one vector per input, from a separate embedding context. */
export async function embeddings(c: Context, rc: RouteContext): Promise<Response> {
  const req = await parseBody(c, embeddingRequestSchema);
  const inp = req.input;
  const inputs: (string | number[])[] =
    typeof inp === 'string' ? [inp] : typeof inp[0] === 'number' ? [inp as number[]] : (inp as (string | number[])[]);
  if (inputs.length > 256) throw new ServeError('SERVE_TOO_MANY_INPUTS', 'at most 256 inputs per request.', { param: 'input' });
  for (const x of inputs) if (typeof x !== 'string') checkTokenIds(rc, x, 'input');
  const data: { object: 'embedding'; index: number; embedding: number[] | string }[] = [];
  let promptTokens = 0;
  for (const [index, x] of inputs.entries()) {
    const tokens = (typeof x === 'string' ? rc.engine.tokenize(x, false) : x) as Token[];
    checkPromptLength(rc, tokens, 'input');
    // Embeddings bypass the scheduler; the engine is about to be disposed.
    if (rc.scheduler.isDraining) throw shuttingDownError();
    promptTokens += tokens.length;
    let vector = [...(await rc.engine.embed(tokens))];
    if (req.dimensions != null) {
      if (req.dimensions > vector.length)
        throw new ServeError('SERVE_BAD_DIMENSIONS', `dimensions must be at most ${vector.length}.`, { param: 'dimensions' });
      // Matryoshka-style truncation, renormalised as OpenAI does for its v3 models.
      vector = vector.slice(0, req.dimensions);
      const norm = Math.hypot(...vector) || 1;
      vector = vector.map((v) => v / norm);
    }
    const embedding = req.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    data.push({ object: 'embedding', index, embedding });
  }
  rc.metrics.promptTokens += promptTokens;
  const u = usage(promptTokens, 0);
  return c.json({
    object: 'list',
    data,
    model: rc.engine.modelName,
    usage: { prompt_tokens: u.prompt_tokens, total_tokens: u.total_tokens },
  });
}
