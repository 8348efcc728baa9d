import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchPage, fetchPageTool } from './fetchPage.js';
import { LocalSearch, searchTool } from './localSearch.js';
import { bing, brave, duckduckgo, fallbackSearch, searxng } from './webSearch.js';

// A fake of each provider on 127.0.0.1: it records the request (path, query, headers, body) and
// answers in the provider's documented response shape. Nothing here reaches the internet.
interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}
const seen: Seen[] = [];
let base = '';
const ARTICLE = `<!doctype html><html><head><title>Tang poetry</title><script>var x = "tracking";</script></head><body>
<nav>Home | About | Login</nav>
<article><h1>Tang poetry</h1><p>Li Bai wrote more than a thousand poems during the Tang dynasty, and many of them are still read today.</p>
<p>Du Fu is often called the poet-historian because his poems record the An Lushan rebellion in detail.</p>
<p>Wang Wei was a painter as well as a poet, and his landscape poems are admired for their quiet images.</p></article>
<footer>Copyright</footer></body></html>`;
const DDG = `<html><body>
<div class="result result--ad"><a class="result__a" href="https://ads.example/">Ad</a></div>
<div class="result"><a class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fen.wikipedia.org%2Fwiki%2FLi_Bai&amp;rut=x">Li Bai - Wikipedia</a>
<a class="result__snippet">Li Bai was a Chinese poet.</a></div>
<div class="result"><a class="result__a" href="https://example.org/dufu">Du Fu</a><a class="result__snippet">Du Fu, poet-historian.</a></div>
</body></html>`;

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  seen.push({
    method: req.method ?? '',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body: Buffer.concat(chunks).toString(),
  });
  const json = (body: unknown, status = 200) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  switch (url.pathname) {
    case '/searx/search':
      return json({
        query: url.searchParams.get('q'),
        results: [{ url: 'https://a.example/1', title: 'A', content: 'alpha', engine: 'x' }],
      });
    case '/v7.0/search':
      return json({ _type: 'SearchResponse', webPages: { value: [{ name: 'B', url: 'https://b.example/', snippet: 'beta' }] } });
    case '/res/v1/web/search':
      return json({ type: 'search', web: { results: [{ title: 'C', url: 'https://c.example/', description: 'gam<strong>ma</strong>' }] } });
    case '/html/':
      return res.writeHead(200, { 'content-type': 'text/html' }).end(DDG);
    case '/limited/search':
      return res.writeHead(429, { 'retry-after': '30' }).end('slow down');
    case '/notjson/search':
      return res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not the api</html>');
    case '/article':
      return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(ARTICLE);
    case '/plain':
      return res.writeHead(200, { 'content-type': 'text/plain' }).end('just text');
    case '/binary':
      return res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF');
    case '/huge':
      return res.writeHead(200, { 'content-type': 'text/html' }).end('x'.repeat(50_000));
    default:
      return res.writeHead(404).end();
  }
});
beforeAll(async () => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe('web search providers against a local fake', () => {
  it('SearXNG: GET /search?q=…&format=json', async () => {
    const hits = await searxng({ baseUrl: `${base}/searx` }).search('tang poets');
    expect(hits).toEqual([{ url: 'https://a.example/1', title: 'A', snippet: 'alpha' }]);
    const r = seen.at(-1) as Seen;
    expect([r.method, r.path, r.query.get('q'), r.query.get('format')]).toEqual(['GET', '/searx/search', 'tang poets', 'json']);
  });
  it('Bing: /v7.0/search with the subscription key header', async () => {
    const hits = await bing({ baseUrl: base, apiKey: 'k1' }).search('q', { limit: 3 });
    expect(hits).toEqual([{ url: 'https://b.example/', title: 'B', snippet: 'beta' }]);
    const r = seen.at(-1) as Seen;
    expect([r.path, r.query.get('count'), r.headers['ocp-apim-subscription-key']]).toEqual(['/v7.0/search', '3', 'k1']);
  });
  it('Brave: /res/v1/web/search with X-Subscription-Token, tags stripped from descriptions', async () => {
    const hits = await brave({ baseUrl: base, apiKey: 'k2' }).search('q');
    expect(hits).toEqual([{ url: 'https://c.example/', title: 'C', snippet: 'gamma' }]);
    expect((seen.at(-1) as Seen).headers['x-subscription-token']).toBe('k2');
  });
  it('DuckDuckGo: POST /html/ with the form, ads skipped, redirect links decoded', async () => {
    const hits = await duckduckgo({ baseUrl: base }).search('li bai');
    expect(hits).toEqual([
      { url: 'https://en.wikipedia.org/wiki/Li_Bai', title: 'Li Bai - Wikipedia', snippet: 'Li Bai was a Chinese poet.' },
      { url: 'https://example.org/dufu', title: 'Du Fu', snippet: 'Du Fu, poet-historian.' },
    ]);
    const r = seen.at(-1) as Seen;
    expect([r.method, r.body]).toEqual(['POST', 'q=li+bai']);
  });
  it('a rate limit or a wrong URL is a coded error, and a fallback chain moves on', async () => {
    await expect(searxng({ baseUrl: `${base}/limited` }).search('q')).rejects.toMatchObject({
      code: 'AGENT_SEARCH_FAILED',
      message: /429 \(rate limited, retry after 30 s\)/,
    });
    await expect(searxng({ baseUrl: `${base}/notjson` }).search('q')).rejects.toMatchObject({ code: 'AGENT_SEARCH_FAILED' });
    const chain = fallbackSearch([searxng({ baseUrl: `${base}/limited` }), bing({ baseUrl: base, apiKey: 'k' })]);
    expect((await chain.search('q'))[0]?.title).toBe('B');
  });
});

describe('page fetch', () => {
  it('extracts the readable text of an article, without navigation or scripts', async () => {
    const page = await fetchPage(`${base}/article`);
    expect(page.title).toBe('Tang poetry');
    expect(page.text).toContain('Du Fu is often called the poet-historian because his poems record the An Lushan rebellion in detail.');
    expect(page.text).not.toMatch(/tracking|Login/);
    expect((await fetchPage(`${base}/plain`)).text).toBe('just text');
  });
  it('refuses non-text bodies, oversized bodies, HTTP errors and non-http URLs with coded errors', async () => {
    await expect(fetchPage(`${base}/binary`)).rejects.toMatchObject({ code: 'AGENT_FETCH_FAILED' });
    await expect(fetchPage(`${base}/huge`, { maxBytes: 10_000 })).rejects.toMatchObject({ message: /over the 10000-byte limit/ });
    await expect(fetchPage(`${base}/missing`)).rejects.toMatchObject({ message: /HTTP 404/ });
    await expect(fetchPage('file:///etc/passwd')).rejects.toMatchObject({ message: /Only http and https/ });
  });
  it('as a tool', async () => {
    const out = await fetchPageTool().run({ url: `${base}/article` }, { signal: new AbortController().signal });
    expect(out).toMatch(/^# Tang poetry\n/);
  });
});

describe('local search (BM25 over a folder)', () => {
  it('finds the right document among text, Markdown and HTML files and reads it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'puyu-local-search-'));
    writeFileSync(join(dir, 'tea.md'), '# Tea\n\nLongjing tea comes from Hangzhou and is pan-fired.\n\nPu-erh is fermented.');
    writeFileSync(join(dir, 'rivers.txt'), 'The Yangtze is the longest river in Asia.\n\nThe Yellow River carries much silt.');
    writeFileSync(join(dir, 'poets.html'), ARTICLE);
    writeFileSync(join(dir, 'ignored.bin'), 'Yangtze');
    const local = await LocalSearch.fromFolder(dir);
    expect(local.size).toBe(3);
    const hits = await local.search('longest river');
    expect(hits[0]?.url).toMatch(/rivers\.txt$/);
    expect((await local.search('poet-historian rebellion'))[0]?.title).toBe('Tang poetry');
    expect((await local.search('Hangzhou'))[0]?.title).toBe('Tea');
    expect((await local.read(hits[0]?.url as string)).text).toContain('Yellow River');
    await expect(local.read('file:///etc/passwd')).rejects.toMatchObject({ code: 'AGENT_FETCH_FAILED' });
    expect(await searchTool(local).run({ query: 'silt' }, { signal: new AbortController().signal })).toMatch(/^\[1\] rivers\.txt/);
  });
  it('a missing or empty folder is a coded error', async () => {
    await expect(LocalSearch.fromFolder('/nonexistent/puyu')).rejects.toMatchObject({ code: 'AGENT_BAD_CORPUS' });
    await expect(LocalSearch.fromFolder(mkdtempSync(join(tmpdir(), 'puyu-empty-')))).rejects.toMatchObject({ code: 'AGENT_BAD_CORPUS' });
  });
});
