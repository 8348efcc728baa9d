import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import MiniSearch from 'minisearch';
import { z } from 'zod';
import { defineTool } from '../core/tool.js';
import { AgentError } from '../errors.js';
import { htmlToText } from './readable.js';
import type { Page, PageReader, SearchHit, SearchOptions, SearchProvider } from './types.js';

const EXTENSIONS = new Set(['.txt', '.md', '.markdown', '.html', '.htm']);
const PASSAGE_CHARS = 600;

/** Words for alphabetic scripts, single characters for Han (as @puyu/eval's BM25 retriever does). */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/\p{Script=Han}|[\p{L}\p{N}]+/gu) ?? [];
}

interface Passage {
  id: number;
  doc: number;
  text: string;
  title: string;
}

/**
 * Offline search over a folder of documents (plain text, Markdown, HTML): BM25 over passages of
 * about 600 characters with MiniSearch (its default scoring is BM25+), results merged per
 * document so a page appears once, with its best passage as the snippet. It is also a
 * PageReader for its own `file://` URLs, so MindSearch can "read" what it found with no network.
 */
export class LocalSearch implements SearchProvider, PageReader {
  readonly name = 'local';
  private readonly index = new MiniSearch<Passage>({ fields: ['title', 'text'], storeFields: ['doc', 'text'], tokenize });
  private readonly docs: Page[] = [];
  private readonly byUrl = new Map<string, Page>();

  /** Indexes every .txt/.md/.html under `folder` (recursively). */
  static async fromFolder(folder: string): Promise<LocalSearch> {
    const root = resolve(folder);
    const info = await stat(root).catch(() => undefined);
    if (!info?.isDirectory())
      throw new AgentError('AGENT_BAD_CORPUS', `${folder} is not a folder; point --docs at a folder of .txt, .md or .html files.`);
    const files = (await readdir(root, { recursive: true })).filter((f) => EXTENSIONS.has(extname(f).toLowerCase())).sort();
    if (files.length === 0) throw new AgentError('AGENT_BAD_CORPUS', `${folder} holds no .txt, .md or .html documents.`);
    const search = new LocalSearch();
    for (const f of files) {
      const path = join(root, f);
      const raw = await readFile(path, 'utf8');
      search.add(pathToFileURL(path).href, raw, extname(f).toLowerCase().startsWith('.htm') ? 'html' : 'text', f);
    }
    return search;
  }

  /** Adds one document; `kind: 'html'` extracts readable text first. */
  add(url: string, content: string, kind: 'html' | 'text' = 'text', fallbackTitle = url): void {
    let title: string;
    let text: string;
    if (kind === 'html') ({ title, text } = htmlToText(content));
    else {
      text = content.trim();
      title = /^#\s+(.+)$/m.exec(text)?.[1]?.trim() ?? '';
    }
    const page: Page = { url, title: title || fallbackTitle, text };
    const doc = this.docs.push(page) - 1;
    this.byUrl.set(url, page);
    const passages = splitPassages(text);
    this.index.addAll(passages.map((p, i) => ({ id: doc * 100_000 + i, doc, text: p, title: page.title })));
  }

  get size(): number {
    return this.docs.length;
  }

  async search(query: string, opts: SearchOptions = {}): Promise<SearchHit[]> {
    const limit = opts.limit ?? 5;
    const hits: SearchHit[] = [];
    const seen = new Set<number>();
    for (const r of this.index.search(query, { boost: { title: 2 } })) {
      const doc = r.doc as number;
      if (seen.has(doc)) continue;
      seen.add(doc);
      const page = this.docs[doc] as Page;
      hits.push({ url: page.url, title: page.title, snippet: String(r.text).slice(0, 300) });
      if (hits.length >= limit) break;
    }
    return hits;
  }

  async read(url: string): Promise<Page> {
    const page = this.byUrl.get(url);
    if (!page) throw new AgentError('AGENT_FETCH_FAILED', `${url} is not a document of the local corpus.`);
    return page;
  }
}

/** Paragraphs packed into passages of about PASSAGE_CHARS characters. */
function splitPassages(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const para of text.split(/\n\s*\n/)) {
    const p = para.trim();
    if (!p) continue;
    if (cur && cur.length + p.length > PASSAGE_CHARS) {
      out.push(cur);
      cur = '';
    }
    cur = cur ? `${cur}\n\n${p}` : p;
  }
  if (cur) out.push(cur);
  return out;
}

/** `search({query})` over any provider: the results as a numbered list the model can cite. */
export function searchTool(provider: SearchProvider, limit = 5) {
  return defineTool({
    name: 'search',
    description: `Search ${provider.name === 'local' ? 'the local documents' : 'the web'} and return titles, addresses and snippets.`,
    input: z.object({ query: z.string().describe('What to search for') }),
    run: async ({ query }, ctx) => {
      const hits = await provider.search(query, { limit, signal: ctx.signal });
      if (hits.length === 0) return 'No results.';
      return hits.map((h, i) => `[${i + 1}] ${h.title}\n${h.url}\n${h.snippet}`).join('\n\n');
    },
  });
}
