import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small OpenAI-compatible HTTP server on loopback, for tests: it speaks the real wire
 * format (chat, completions, echo logprobs, embeddings) and its answers come from a function the test
 * gives it (an oracle reading gold answers, an "always A" model, a flaky server).
 * Every request is counted, so tests can prove what a run did and did not ask.
 */
export interface PeerRequest {
  route: 'chat' | 'completions' | 'embeddings';
  body: Record<string, unknown>;
  /** The prompt as text: the last user message for chat, the prompt for completions, the inputs joined by newlines for embeddings. */
  prompt: string;
  /** 1-based count of requests with this exact body so far (retries see 2, 3, …). */
  seen: number;
  headers: IncomingMessage['headers'];
}

export type PeerReply =
  | string
  | string[]
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { logprobs: { tokens: string[]; token_logprobs: (number | null)[]; top_logprobs?: Record<string, number>[]; text_offset: number[] } }
  /** One vector per input, answered in `data` (reversed, to prove clients place vectors by `index`). */
  | { embeddings: number[][] }
  | { delayMs: number; reply: PeerReply }
  | { hangUp: true };

export interface OpenAIPeer {
  url: string;
  requests: PeerRequest[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Splits text into word-ish tokens with offsets: enough to exercise echo-logprob bookkeeping. */
export function wordTokens(text: string): { tokens: string[]; text_offset: number[] } {
  const tokens: string[] = [];
  const text_offset: number[] = [];
  const re = /\s*\S+|\s+$/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    tokens.push(m[0]);
    text_offset.push(m.index);
  }
  return { tokens, text_offset };
}

export async function startOpenAIPeer(answer: (r: PeerRequest) => PeerReply | Promise<PeerReply>): Promise<OpenAIPeer> {
  const requests: PeerRequest[] = [];
  const seenCount = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    const url = req.url ?? '';
    const route = url.endsWith('/chat/completions')
      ? 'chat'
      : url.endsWith('/completions')
        ? 'completions'
        : url.endsWith('/embeddings')
          ? 'embeddings'
          : undefined;
    const raw = await readBody(req);
    if (!route || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = JSON.parse(raw) as Record<string, unknown>;
    const messages = (body.messages ?? []) as { role: string; content: string }[];
    const inputs = [body.input].flat().map(String);
    const prompt =
      route === 'chat'
        ? (messages.filter((m) => m.role === 'user').at(-1)?.content ?? '')
        : route === 'embeddings'
          ? inputs.join('\n')
          : String(body.prompt);
    const seen = (seenCount.get(raw) ?? 0) + 1;
    seenCount.set(raw, seen);
    const r: PeerRequest = { route, body, prompt, seen, headers: req.headers };
    requests.push(r);
    let reply = await answer(r);
    while (typeof reply === 'object' && 'delayMs' in reply) {
      await new Promise((ok) => setTimeout(ok, (reply as { delayMs: number }).delayMs));
      reply = reply.reply;
    }
    if (typeof reply === 'object' && 'hangUp' in reply) {
      req.socket.destroy();
      return;
    }
    if (typeof reply === 'object' && 'status' in reply) {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(reply.body ?? {}));
      return;
    }
    const model = String(body.model);
    if (typeof reply === 'object' && 'embeddings' in reply) {
      const data = reply.embeddings.map((embedding, index) => ({ object: 'embedding', index, embedding })).reverse();
      const usage = { prompt_tokens: inputs.length, total_tokens: inputs.length };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', model, data, usage }));
      return;
    }
    let choices: unknown[];
    if (typeof reply === 'object' && 'logprobs' in reply) {
      choices = [{ index: 0, text: prompt, logprobs: reply.logprobs, finish_reason: 'length' }];
    } else {
      const texts = Array.isArray(reply) ? reply : [reply];
      choices = texts.map((t, index) =>
        route === 'chat'
          ? { index, message: { role: 'assistant', content: t }, finish_reason: 'stop' }
          : { index, text: t, logprobs: null, finish_reason: 'stop' },
      );
    }
    const out = { id: `peer-${requests.length}`, object: route === 'chat' ? 'chat.completion' : 'text_completion', model, choices };
    // An embeddings request answered with text is a test's mistake; say so instead of sending choices.
    if (route === 'embeddings') {
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'peer: reply with { embeddings }' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
