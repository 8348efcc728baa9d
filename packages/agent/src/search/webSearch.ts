import { parseHTML } from 'linkedom';
import { AgentError } from '../errors.js';
import type { SearchHit, SearchOptions, SearchProvider } from './types.js';

export interface WebSearchOptions {
  /** The provider's address (defaults: the public API; tests and self-hosted instances override it). */
  baseUrl?: string;
  apiKey?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

async function getJson(
  name: string,
  url: URL,
  headers: Record<string, string>,
  o: WebSearchOptions,
  opts: SearchOptions,
  init: RequestInit = {},
): Promise<unknown> {
  const timeout = AbortSignal.timeout(o.timeoutMs ?? 15_000);
  const res = await (o.fetch ?? fetch)(url, {
    ...init,
    headers: { 'user-agent': 'puyu-agent/0.1', ...headers, ...(init.headers as Record<string, string>) },
    signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
  }).catch((e: unknown) => {
    throw new AgentError('AGENT_SEARCH_FAILED', `${name} search could not be reached at ${url.origin}: ${(e as Error).message}`, {
      cause: e,
    });
  });
  if (!res.ok) {
    const hint =
      res.status === 429
        ? ` (rate limited${res.headers.get('retry-after') ? `, retry after ${res.headers.get('retry-after')} s` : ''})`
        : '';
    throw new AgentError('AGENT_SEARCH_FAILED', `${name} search answered HTTP ${res.status}${hint}.`, { details: { status: res.status } });
  }
  const text = await res.text();
  if (init.method === 'POST' || headers.accept === 'text/html') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AgentError('AGENT_SEARCH_FAILED', `${name} search answered something that is not JSON; check the URL points at its API.`);
  }
}

function bad(name: string, what: string): never {
  throw new AgentError('AGENT_SEARCH_FAILED', `${name} search answered JSON without ${what}; check the URL points at its API.`);
}

/** SearXNG's JSON API (`/search?q=…&format=json`; the instance must enable the json format). */
export function searxng(o: WebSearchOptions & { baseUrl: string }): SearchProvider {
  return {
    name: 'searxng',
    async search(query, opts = {}) {
      const url = new URL('search', o.baseUrl.endsWith('/') ? o.baseUrl : `${o.baseUrl}/`);
      url.searchParams.set('q', query);
      url.searchParams.set('format', 'json');
      const body = (await getJson('SearXNG', url, { accept: 'application/json' }, o, opts)) as {
        results?: { url: string; title: string; content?: string }[];
      };
      if (!Array.isArray(body?.results)) bad('SearXNG', 'a results list');
      return body.results.slice(0, opts.limit ?? 5).map((r) => ({ url: r.url, title: r.title ?? '', snippet: r.content ?? '' }));
    },
  };
}

/** Bing Web Search API v7 (`/v7.0/search`, key in Ocp-Apim-Subscription-Key). */
export function bing(o: WebSearchOptions & { apiKey: string }): SearchProvider {
  return {
    name: 'bing',
    async search(query, opts = {}) {
      const url = new URL('/v7.0/search', o.baseUrl ?? 'https://api.bing.microsoft.com');
      url.searchParams.set('q', query);
      url.searchParams.set('count', String(opts.limit ?? 5));
      const body = (await getJson('Bing', url, { 'Ocp-Apim-Subscription-Key': o.apiKey, accept: 'application/json' }, o, opts)) as {
        webPages?: { value?: { name: string; url: string; snippet?: string }[] };
      };
      if (body && typeof body === 'object' && !body.webPages) return []; // Bing omits webPages when nothing matched
      if (!Array.isArray(body?.webPages?.value)) bad('Bing', 'webPages.value');
      return (body.webPages?.value ?? []).slice(0, opts.limit ?? 5).map((r) => ({ url: r.url, title: r.name, snippet: r.snippet ?? '' }));
    },
  };
}

/** Brave Search API (`/res/v1/web/search`, key in X-Subscription-Token). */
export function brave(o: WebSearchOptions & { apiKey: string }): SearchProvider {
  return {
    name: 'brave',
    async search(query, opts = {}) {
      const url = new URL('/res/v1/web/search', o.baseUrl ?? 'https://api.search.brave.com');
      url.searchParams.set('q', query);
      url.searchParams.set('count', String(opts.limit ?? 5));
      const body = (await getJson('Brave', url, { 'X-Subscription-Token': o.apiKey, accept: 'application/json' }, o, opts)) as {
        web?: { results?: { url: string; title: string; description?: string }[] };
      };
      if (body && typeof body === 'object' && !body.web) return [];
      if (!Array.isArray(body?.web?.results)) bad('Brave', 'web.results');
      return (body.web?.results ?? [])
        .slice(0, opts.limit ?? 5)
        .map((r) => ({ url: r.url, title: r.title, snippet: stripTags(r.description ?? '') }));
    },
  };
}

/**
 * DuckDuckGo has no web-results API; like the duckduckgo_search package MindSearch uses, this
 * posts the query to the HTML endpoint (`/html/`) and reads the result list from the page.
 */
export function duckduckgo(o: WebSearchOptions = {}): SearchProvider {
  return {
    name: 'duckduckgo',
    async search(query, opts = {}) {
      const url = new URL('/html/', o.baseUrl ?? 'https://html.duckduckgo.com');
      const html = (await getJson('DuckDuckGo', url, { accept: 'text/html' }, o, opts, {
        method: 'POST',
        body: new URLSearchParams({ q: query }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })) as string;
      return parseDuckDuckGoHtml(html).slice(0, opts.limit ?? 5);
    },
  };
}

export function parseDuckDuckGoHtml(html: string): SearchHit[] {
  const { document } = parseHTML(html);
  const hits: SearchHit[] = [];
  for (const result of [...document.querySelectorAll('.result')]) {
    if (result.classList.contains('result--ad')) continue;
    const a = result.querySelector('a.result__a');
    if (!a) continue;
    let href = a.getAttribute('href') ?? '';
    // Result links go through DuckDuckGo's redirect: //duckduckgo.com/l/?uddg=<the real URL>
    const uddg = /[?&]uddg=([^&]+)/.exec(href);
    if (uddg?.[1]) href = decodeURIComponent(uddg[1]);
    if (href.startsWith('//')) href = `https:${href}`;
    hits.push({
      url: href,
      title: (a.textContent ?? '').trim(),
      snippet: (result.querySelector('.result__snippet')?.textContent ?? '').trim(),
    });
  }
  return hits;
}

function stripTags(s: string): string {
  return s.replace(/<[^>]+>/g, '');
}

/**
 * Tries providers in order and answers from the first that works: a rate-limited or failing
 * backend (MindSearch's users' complaint) falls through to the next instead of ending the search.
 */
export function fallbackSearch(providers: SearchProvider[]): SearchProvider {
  return {
    name: providers.map((p) => p.name).join('|'),
    async search(query, opts) {
      const errors: string[] = [];
      for (const p of providers) {
        try {
          return await p.search(query, opts);
        } catch (e) {
          errors.push(`${p.name}: ${(e as Error).message}`);
        }
      }
      throw new AgentError('AGENT_SEARCH_FAILED', `Every search provider failed: ${errors.join('; ')}`);
    },
  };
}
