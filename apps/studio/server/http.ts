import type { Context } from 'hono';
import { StudioError } from './errors.js';

/** Every API failure is `{ error: { code, message } }` with the code's status, so each page can say what to do. */
export function errorResponse(c: Context, e: unknown): Response {
  if (e instanceof StudioError) return c.json({ error: { code: e.code, message: e.message } }, e.status);
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : 'INTERNAL_ERROR';
  const message = typeof err?.message === 'string' ? err.message : String(e);
  // Coded errors of other packages (GGUF_*, MODEL_*, TOKENIZER_*) are the input's fault, not the server's.
  return c.json({ error: { code, message } }, typeof err?.code === 'string' ? 400 : 500);
}

/** The JSON body of a request, or a coded 400. */
export async function jsonBody<T>(c: Context): Promise<T> {
  try {
    return (await c.req.json()) as T;
  } catch {
    throw new StudioError('STUDIO_BAD_REQUEST', 'the request body must be JSON.');
  }
}
