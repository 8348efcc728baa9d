/**
 * The load generator: OpenAI streaming `/v1/completions` requests (token-array prompt, greedy,
 * `ignore_eos`, `max_tokens` N) sent by C concurrent streams, each running a fixed number of
 * requests back to back. Both servers get byte-identical request bodies.
 */

export interface RequestResult {
  /** Request sent → first chunk carrying text. */
  ttftMs: number;
  e2eMs: number;
  /** Generated tokens as the server reports them (usage), else the number of text chunks. */
  tokens: number;
}

export interface LevelResult {
  concurrency: number;
  wallMs: number;
  tokens: number;
  requests: RequestResult[];
}

/** Requests re-sent because a kept-alive connection closed before the server answered (see streamCompletion). */
export let resent = 0;

export async function streamCompletion(url: string, prompt: number[], maxTokens: number): Promise<RequestResult> {
  const body = JSON.stringify({
    model: 'bench',
    prompt,
    max_tokens: maxTokens,
    temperature: 0,
    ignore_eos: true,
    stream: true,
    stream_options: { include_usage: true },
  });
  let t0 = performance.now();
  let res: Response;
  for (let attempt = 0; ; attempt++) {
    t0 = performance.now();
    try {
      res = await fetch(`${url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      break;
    } catch (e) {
      // Both servers close idle keep-alive connections after ~5 s; a request that lands on one just
      // as it closes fails before any answer ("other side closed"), so the server did no work for
      // it and sending it again on a fresh connection is safe. Anything after the headers is not retried.
      if (attempt >= 2) throw new Error(`${url}: ${(e as Error).message} (${(e as { cause?: Error }).cause?.message})`);
      resent++;
    }
  }
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  let ttft = -1;
  let chunks = 0;
  let usage: number | undefined;
  let buf = '';
  const decoder = new TextDecoder();
  for await (const bytes of res.body) {
    buf += decoder.decode(bytes as Uint8Array, { stream: true });
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') continue;
      const ev = JSON.parse(data) as { choices?: { text?: string }[]; usage?: { completion_tokens?: number } };
      if (ev.usage?.completion_tokens !== undefined) usage = ev.usage.completion_tokens;
      if (ev.choices?.[0]?.text) {
        chunks++;
        if (ttft < 0) ttft = performance.now() - t0;
      }
    }
  }
  return { ttftMs: ttft, e2eMs: performance.now() - t0, tokens: usage ?? chunks };
}

/** C streams, each sending `perStream` requests one after another; prompt(k) gives the k-th request's prompt. */
export async function runLevel(
  url: string,
  concurrency: number,
  perStream: number,
  prompt: (k: number) => number[],
  maxTokens: number,
): Promise<LevelResult> {
  const requests: RequestResult[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, s) => {
      for (let r = 0; r < perStream; r++) requests.push(await streamCompletion(url, prompt(s * perStream + r), maxTokens));
    }),
  );
  const wallMs = performance.now() - t0;
  return { concurrency, wallMs, tokens: requests.reduce((a, r) => a + r.tokens, 0), requests };
}

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
