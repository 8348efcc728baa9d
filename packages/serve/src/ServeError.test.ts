import { EngineError, FormatError } from '@puyu/core';
import { describe, expect, it } from 'vitest';
import { asClientError, openAIErrorBody, ServeError } from './ServeError.js';

describe('error classes', () => {
  it('engine and internal failures are 500s naming only the request id', () => {
    for (const e of [
      new EngineError('LLAMA_DECODE', 'llama_decode failed at /secret/model.gguf'),
      new TypeError('cannot read properties of undefined (reading "secret")'),
    ]) {
      const r = openAIErrorBody(e, 'req-42');
      expect(r.status).toBe(500);
      expect(r.body.error).toMatchObject({ type: 'server_error', code: 'SERVE_INTERNAL' });
      expect(r.body.error.message).toContain('req-42');
      expect(r.body.error.message).not.toContain('secret');
    }
  });

  it('client mistakes keep their status, code and words; server-side ServeErrors get the request id', () => {
    const bad = openAIErrorBody(new ServeError('SERVE_BAD_TOKEN', 'token id 9 is outside the vocabulary.', { param: 'prompt' }), 'r1');
    expect(bad).toMatchObject({
      status: 400,
      body: { error: { code: 'SERVE_BAD_TOKEN', param: 'prompt', type: 'invalid_request_error' } },
    });
    expect(bad.body.error.message).toBe('token id 9 is outside the vocabulary.');
    const busy = openAIErrorBody(new ServeError('SERVE_SHUTTING_DOWN', 'shutting down.', { status: 503 }), 'r2');
    expect(busy.body.error.message).toBe('shutting down. (request id r2)');
  });

  it('input errors from converting a request become 400s with their code; others pass through', () => {
    const e = (() => {
      try {
        asClientError('tools', () => {
          throw new FormatError('OPENAI_UNSUPPORTED_TOOL', 'Tool 0 is not a function tool.');
        });
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(ServeError);
    expect(e).toMatchObject({ status: 400, code: 'OPENAI_UNSUPPORTED_TOOL', param: 'tools' });
    const engine = new EngineError('X', 'y');
    expect(() =>
      asClientError('messages', () => {
        throw engine;
      }),
    ).toThrow(engine);
  });
});
