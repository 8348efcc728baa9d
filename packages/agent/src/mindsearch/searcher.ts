import type { AgentModel, WireMessage } from '../core/model.js';
import { tokenize } from '../search/localSearch.js';
import type { PageReader, SearchHit, SearchProvider } from '../search/types.js';
import { mapCitations } from './citations.js';
import type { PlanNode } from './plan.js';

/** A source a searcher read, numbered within its node. */
export interface NodeSource {
  n: number;
  url: string;
  title: string;
  excerpt: string;
}

export interface NodeAnswer {
  answer: string;
  sources: NodeSource[];
}

export interface SearcherDeps {
  model: AgentModel;
  search: SearchProvider;
  reader: PageReader;
  /** Results asked of the search provider (default 6) and pages read (default 3). */
  searchLimit?: number;
  readLimit?: number;
  excerptChars?: number;
  signal?: AbortSignal;
  onSearch?: (query: string, hits: SearchHit[]) => void;
  onSelect?: (urls: string[]) => void;
}

/** Asks the model and returns its whole text. */
export async function ask(model: AgentModel, messages: WireMessage[], signal?: AbortSignal, maxTokens = 512): Promise<string> {
  let text = '';
  for await (const c of model.chat({ messages, params: { temperature: 0, maxTokens } }, signal)) text += c.text ?? '';
  return text;
}

/**
 * One WebSearcher: search → select → read → answer with `[[n]]` citations. The model picks
 * which results to read (an unreadable pick falls back to the top results) and writes the
 * answer from the excerpts it is shown; citations to sources it was not shown are dropped.
 */
export async function runSearcher(
  node: PlanNode,
  topic: string,
  parents: { question: string; answer: string }[],
  d: SearcherDeps,
): Promise<NodeAnswer> {
  const hits = await d.search.search(node.question, { limit: d.searchLimit ?? 6, signal: d.signal });
  d.onSearch?.(node.question, hits);
  if (hits.length === 0) return { answer: 'No search results were found for this question.', sources: [] };
  const readLimit = d.readLimit ?? 3;
  let picked = hits.slice(0, readLimit);
  if (hits.length > readLimit) {
    const list = hits.map((h, i) => `[${i + 1}] ${h.title} (${h.url})\n${h.snippet}`).join('\n');
    const reply = await ask(
      d.model,
      [
        {
          role: 'user',
          content: `Question: ${node.question}\n\nSearch results:\n${list}\n\nWhich results should be read to answer the question? Reply with a JSON list of at most ${readLimit} result numbers, e.g. [1, 3].`,
        },
      ],
      d.signal,
      64,
    );
    const chosen = [...new Set((/\[([\d,\s]*)\]/.exec(reply)?.[1] ?? '').split(',').map((s) => Number(s.trim())))]
      .filter((n) => Number.isInteger(n) && n >= 1 && n <= hits.length)
      .slice(0, readLimit);
    if (chosen.length > 0) picked = chosen.map((n) => hits[n - 1] as SearchHit);
  }
  d.onSelect?.(picked.map((h) => h.url));
  const pages = await Promise.all(picked.map((h) => d.reader.read(h.url, d.signal).catch(() => undefined)));
  const sources: NodeSource[] = [];
  pages.forEach((page, i) => {
    const hit = picked[i] as SearchHit;
    const excerpt = page ? bestExcerpt(page.text, node.question, d.excerptChars ?? 1500) : hit.snippet;
    if (excerpt) sources.push({ n: sources.length + 1, url: hit.url, title: page?.title || hit.title, excerpt });
  });
  const context = parents.map((p) => `## Earlier question\n${p.question}\nAnswer: ${p.answer}\n`).join('\n');
  const sourceText = sources.map((s) => `[[${s.n}]] ${s.title} (${s.url})\n${s.excerpt}`).join('\n\n');
  const answer = await ask(
    d.model,
    [
      {
        role: 'system',
        content:
          'You answer one research question from the numbered sources given. Mark every key point with the source it comes from as [[n]], e.g. [[1]] or [[1]][[2]]. Use only the sources; say so if they do not answer the question.',
      },
      { role: 'user', content: `${context}## Main question\n${topic}\n## Current question\n${node.question}\n\n## Sources\n${sourceText}` },
    ],
    d.signal,
  );
  const known = new Set(sources.map((s) => s.n));
  return { answer: mapCitations(answer.trim(), (n) => (known.has(n) ? n : undefined)), sources };
}

/** The paragraphs of a page that share most words with the question, in page order, within a budget. */
export function bestExcerpt(text: string, question: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const q = new Set(tokenize(question));
  const paras = text.split(/\n\s*\n/).map((p, i) => ({ p: p.trim(), i, score: tokenize(p).filter((t) => q.has(t)).length }));
  const chosen: typeof paras = [];
  let size = 0;
  for (const x of [...paras].sort((a, b) => b.score - a.score || a.i - b.i)) {
    if (!x.p || size + x.p.length > maxChars) continue;
    chosen.push(x);
    size += x.p.length + 2;
  }
  return chosen
    .sort((a, b) => a.i - b.i)
    .map((x) => x.p)
    .join('\n\n');
}
