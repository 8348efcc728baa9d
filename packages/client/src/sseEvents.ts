import { PuyuError } from '@puyu/core';
import type { ProviderErrorInfo } from './Provider.js';

/**
 * A streamed request that failed. Streams cannot return their failure as data the way `call()`
 * does (events were already handed out), so they throw this; `code` is the same PROVIDER_* code a
 * whole request would have returned, and `info.retryable` says whether trying again may help.
 */
export class ProviderStreamError extends PuyuError {
  constructor(readonly info: ProviderErrorInfo) {
    super(info.code, info.message, { details: { retryable: info.retryable, status: info.status } });
  }
}

/**
 * Yields each server-sent event's `data:` payload, parsed as JSON, until `[DONE]` or the end of
 * the body. Events are split on blank lines (LF or CRLF); several `data:` lines of one event are
 * joined with newlines, as the SSE spec says; comments and other fields are ignored. A payload
 * that is not JSON, or an `{"error": …}` event (how OpenAI-compatible servers report a failure
 * after the headers), ends the stream with a ProviderStreamError.
 */
export async function* sseEvents(body: AsyncIterable<Uint8Array>, source: string): AsyncGenerator<Record<string, unknown>> {
  const decoder = new TextDecoder();
  let buffer = '';
  const parse = (block: string): Record<string, unknown> | 'done' | undefined => {
    const data = block
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data === '') return undefined;
    if (data === '[DONE]') return 'done';
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      throw new ProviderStreamError({
        code: 'PROVIDER_BAD_RESPONSE',
        message: `${source} streamed an event that is not JSON: ${data.slice(0, 120)}`,
        retryable: false,
      });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new ProviderStreamError({
        code: 'PROVIDER_BAD_RESPONSE',
        message: `${source} streamed an event that is not a JSON object: ${data.slice(0, 120)}`,
        retryable: false,
      });
    const error = (parsed as { error?: { message?: string; code?: unknown } | string }).error;
    if (error !== undefined) {
      const message = typeof error === 'string' ? error : (error.message ?? JSON.stringify(error));
      throw new ProviderStreamError({
        code: 'PROVIDER_BAD_RESPONSE',
        message: `${source} stopped the stream: ${message}`,
        retryable: false,
      });
    }
    return parsed as Record<string, unknown>;
  };
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    for (let cut = buffer.search(/\r?\n\r?\n/); cut >= 0; cut = buffer.search(/\r?\n\r?\n/)) {
      const event = parse(buffer.slice(0, cut));
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
      if (event === 'done') return;
      if (event) yield event;
    }
  }
  // A last event without its blank line (a server that closed right after writing it).
  buffer += decoder.decode();
  const last = parse(buffer);
  if (last && last !== 'done') yield last;
}
