import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';

/**
 * HTML → title + readable text: Mozilla's Readability (Firefox Reader View) on a linkedom DOM
 * picks the article and drops navigation, ads and scripts; pages it cannot handle (too short,
 * no article) fall back to the body's text with scripts and styles removed. Paragraph breaks are
 * kept as blank lines so a searcher can quote whole sentences.
 */
export function htmlToText(html: string): { title: string; text: string } {
  const { document } = parseHTML(html);
  const title = (document.querySelector('title')?.textContent ?? '').trim();
  try {
    const article = new Readability(document.cloneNode(true) as unknown as ConstructorParameters<typeof Readability>[0], {
      charThreshold: 100,
    }).parse();
    if (article?.content) {
      const text = blockText(parseHTML(`<html><body>${article.content}</body></html>`).document.body as unknown as DomNode);
      if (text.length > 0) return { title: (article.title ?? title).trim() || title, text };
    }
  } catch {
    // Readability throws on some malformed documents: the fallback below still reads them.
  }
  for (const el of [...document.querySelectorAll('script, style, noscript, template')]) el.remove();
  return { title, text: blockText(document.body as unknown as DomNode) };
}

const BLOCKS = new Set([
  'P',
  'DIV',
  'LI',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'TR',
  'BLOCKQUOTE',
  'PRE',
  'SECTION',
  'ARTICLE',
  'BR',
  'HR',
  'DT',
  'DD',
]);

/** Text of an element with a line break after each block element, whitespace runs collapsed. */
/** The little of the DOM this walk needs (the package builds without the DOM lib). */
interface DomNode {
  nodeType: number;
  textContent: string | null;
  tagName?: string;
  childNodes: ArrayLike<DomNode>;
}

function blockText(root: DomNode | null): string {
  if (!root) return '';
  const out: string[] = [];
  const walk = (node: DomNode) => {
    if (node.nodeType === 3) out.push(node.textContent ?? '');
    else if (node.nodeType === 1) {
      const tag = node.tagName ?? '';
      if (tag === 'SCRIPT' || tag === 'STYLE') return;
      for (const child of Array.from(node.childNodes)) walk(child);
      if (BLOCKS.has(tag)) out.push('\n\n');
    }
  };
  walk(root);
  return out
    .join('')
    .split(/\n{2,}/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n\n');
}
