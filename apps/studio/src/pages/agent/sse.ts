import { ApiError } from '../../api';

/**
 * POSTs a JSON body and reads the answer as server-sent events (`event:` name, `data:` JSON),
 * calling `onEvent` for each as it arrives: the agent's `POST /run` and MindSearch's
 * `POST /solve`. A refusal before the stream (`{error: {code, message}}`) throws an ApiError.
 */
export async function postEvents(
  path: string,
  body: unknown,
  onEvent: (event: string, data: unknown) => void,
  signal?: AbortSignal,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError('NETWORK', (e as Error).message);
  }
  if (!res.ok || !res.body) {
    const e = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new ApiError(e.error?.code ?? `HTTP_${res.status}`, e.error?.message ?? `HTTP ${res.status}`, res.status);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n/g, '\n');
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length) onEvent(event, JSON.parse(data.join('\n')) as unknown);
      end = buffer.indexOf('\n\n');
    }
  }
}
