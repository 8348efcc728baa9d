import { z } from 'zod';
import { defineTool } from '../core/tool.js';
import { AgentError } from '../errors.js';
import { htmlToText } from './readable.js';
import type { Page, PageReader } from './types.js';

export interface FetchPageOptions {
  /** Largest body read (default 2 MiB); larger pages are refused, not truncated mid-tag. */
  maxBytes?: number;
  timeoutMs?: number;
  userAgent?: string;
  /** Injected for tests and proxies. */
  fetch?: typeof fetch;
}

/** Fetches a page over HTTP(S) and extracts its readable text (HTML) or takes it as is (plain text). */
export async function fetchPage(url: string, opts: FetchPageOptions = {}, signal?: AbortSignal): Promise<Page> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AgentError('AGENT_FETCH_FAILED', `${JSON.stringify(url)} is not a URL; give an http(s) address.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AgentError('AGENT_FETCH_FAILED', `Only http and https pages can be fetched, not ${parsed.protocol}`);
  }
  const maxBytes = opts.maxBytes ?? 2 * 1024 * 1024;
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 15_000);
  const res = await (opts.fetch ?? fetch)(parsed, {
    headers: {
      'user-agent': opts.userAgent ?? 'puyu-agent/0.1 (+https://github.com/InternLM)',
      accept: 'text/html,text/plain;q=0.9,*/*;q=0.1',
    },
    redirect: 'follow',
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  }).catch((e: unknown) => {
    throw new AgentError('AGENT_FETCH_FAILED', `Could not fetch ${url}: ${(e as Error).message}`, { cause: e });
  });
  if (!res.ok) throw new AgentError('AGENT_FETCH_FAILED', `Fetching ${url} answered HTTP ${res.status}.`);
  const type = res.headers.get('content-type') ?? '';
  if (type && !/text\/|html|xml|json/.test(type)) throw new AgentError('AGENT_FETCH_FAILED', `${url} is ${type}, not a text page.`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new AgentError('AGENT_FETCH_FAILED', `${url} is ${declared} bytes, over the ${maxBytes}-byte limit.`);
  const body = await readLimited(res, maxBytes, url);
  if (/html|xml/.test(type) || /^\s*<(!doctype|html)/i.test(body)) {
    const { title, text } = htmlToText(body);
    return { url: res.url || url, title, text };
  }
  return { url: res.url || url, title: '', text: body };
}

async function readLimited(res: Response, maxBytes: number, url: string): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new AgentError('AGENT_FETCH_FAILED', `${url} is over the ${maxBytes}-byte limit.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A PageReader over the web. */
export function webReader(opts: FetchPageOptions = {}): PageReader {
  return { read: (url, signal) => fetchPage(url, opts, signal) };
}

/** `fetch_page({url})` → the page's readable text, cut to `maxChars` for the model's context. */
export function fetchPageTool(reader: PageReader = webReader(), maxChars = 8000) {
  return defineTool({
    name: 'fetch_page',
    description: 'Fetch a web page and return its title and readable text.',
    input: z.object({ url: z.string().describe('The http(s) address of the page') }),
    run: async ({ url }, ctx) => {
      const page = await reader.read(url, ctx.signal);
      const text = page.text.length > maxChars ? `${page.text.slice(0, maxChars)}\n[… cut at ${maxChars} characters]` : page.text;
      return `# ${page.title || page.url}\n${page.url}\n\n${text}`;
    },
  });
}
