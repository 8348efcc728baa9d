/** Small HTTP helpers for tests against a running server (plain fetch, no client library). */
export async function postJson(url: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(init.headers as Record<string, string>) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  });
}

/** Value of one un-labelled sample in a Prometheus text page. */
export function metric(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`metric ${name} not found`);
  return Number(m[1]);
}

/** Reads an SSE body until `count` data events arrived, then returns them (the body stays open). */
export async function readEvents(
  res: Response,
  count: number,
): Promise<{ events: unknown[]; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = res.body!.getReader();
  const events: unknown[] = [];
  let buf = '';
  const dec = new TextDecoder();
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i = buf.indexOf('\n\n');
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (line.startsWith('data: ')) events.push(line.slice(6) === '[DONE]' ? '[DONE]' : JSON.parse(line.slice(6)));
      i = buf.indexOf('\n\n');
    }
  }
  return { events, reader };
}

/** Polls `check` until it is true or `tries` run out (each try waits `ms`). */
export async function eventually(check: () => Promise<boolean>, tries = 200, ms = 25): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, ms));
  }
  return false;
}
