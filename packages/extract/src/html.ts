/**
 * HTML (a web page through Readability, or DOCX through mammoth) → the same blocks as PDFs.
 * linkedom supplies the DOM (light, no browser); Readability keeps the article and drops
 * navigation; turndown writes each paragraph's inline markup (links, emphasis, code) as Markdown.
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import TurndownService from 'turndown';
import type { Block, ImageBlock, TableCell } from './model.js';

const BLOCK_TAGS = new Set([
  'P',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'UL',
  'OL',
  'TABLE',
  'PRE',
  'BLOCKQUOTE',
  'DIV',
  'SECTION',
  'ARTICLE',
  'MAIN',
  'HEADER',
  'FOOTER',
  'ASIDE',
  'NAV',
  'FIGURE',
  'FIGCAPTION',
  'IMG',
  'HR',
  'DL',
  'DT',
  'DD',
  'BODY',
  'CENTER',
  'FORM',
  'DETAILS',
  'SUMMARY',
]);
const SKIP_TAGS = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'HEAD', 'IFRAME', 'BUTTON', 'INPUT', 'SELECT', 'TEXTAREA']);

type El = {
  tagName: string;
  childNodes: ArrayLike<Node>;
  getAttribute(n: string): string | null;
  textContent: string | null;
  innerHTML: string;
  children: ArrayLike<El>;
};
type Node = { nodeType: number; textContent: string | null } & Partial<El>;

const clean = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

export interface HtmlOptions {
  /** Keep only the main article (Readability) when it finds one (default true for web pages). */
  readability?: boolean;
  /** Images by their src (DOCX: mammoth's extracted images). */
  images?: Map<string, { data: Uint8Array; ext: string }>;
}

export function htmlToBlocks(html: string, opts: HtmlOptions = {}): { blocks: Block[]; title?: string } {
  const { document } = parseHTML(html.includes('<html') ? html : `<!doctype html><html><head></head><body>${html}</body></html>`);
  let root = document.body as unknown as El | null;
  let title: string | undefined;
  if (opts.readability ?? true) {
    try {
      const article = new Readability(document.cloneNode(true) as never).parse();
      if (article?.content && clean(article.textContent).length > 140) {
        root = parseHTML(`<!doctype html><html><body>${article.content}</body></html>`).document.body as unknown as El;
        title = clean(article.title) || undefined;
      }
    } catch {
      // Readability gives up on some pages; the whole body is used then.
    }
  }
  const turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });
  const blocks: Block[] = [];
  let imageNo = 0;
  const inline = (el: El) => clean(turndown.turndown(el.innerHTML ?? '').replace(/\n+/g, ' '));
  const pushText = (text: string) => {
    if (text) blocks.push({ type: 'text', text, pageIdx: 0 });
  };
  const walk = (el: El) => {
    let pending = '';
    const flush = () => {
      pushText(clean(pending));
      pending = '';
    };
    for (const node of Array.from(el.childNodes)) {
      if (node.nodeType === 3) {
        pending += node.textContent ?? '';
        continue;
      }
      if (node.nodeType !== 1) continue;
      const child = node as unknown as El;
      const tag = child.tagName.toUpperCase();
      if (SKIP_TAGS.has(tag)) continue;
      if (!BLOCK_TAGS.has(tag)) {
        pending += ` ${turndown.turndown(child.innerHTML !== undefined ? `<span>${(child as unknown as { outerHTML: string }).outerHTML}</span>` : '')} `;
        continue;
      }
      flush();
      if (/^H[1-6]$/.test(tag)) {
        const text = clean(child.textContent);
        if (text) blocks.push({ type: 'title', level: Number(tag[1]), text, pageIdx: 0 });
      } else if (tag === 'P' || tag === 'DT' || tag === 'DD' || tag === 'FIGCAPTION' || tag === 'SUMMARY') {
        if (Array.from(child.children).some((c) => BLOCK_TAGS.has(c.tagName.toUpperCase()) && c.tagName.toUpperCase() !== 'IMG'))
          walk(child);
        else {
          for (const img of Array.from(child.children).filter((c) => c.tagName.toUpperCase() === 'IMG')) pushImage(img);
          pushText(inline(child));
        }
      } else if (tag === 'UL' || tag === 'OL') {
        const items = Array.from(child.children)
          .filter((c) => c.tagName.toUpperCase() === 'LI')
          .map((li) => inline(li))
          .filter(Boolean);
        if (items.length) blocks.push({ type: 'list', ordered: tag === 'OL', items, pageIdx: 0 });
      } else if (tag === 'TABLE') {
        const rows = tableRows(child);
        if (rows.length) blocks.push({ type: 'table', rows, pageIdx: 0 });
      } else if (tag === 'PRE') {
        pushText(`\`\`\`\n${(child.textContent ?? '').replace(/\n$/, '')}\n\`\`\``);
      } else if (tag === 'IMG') pushImage(child);
      else if (tag !== 'HR') walk(child);
    }
    flush();
  };
  const pushImage = (img: El) => {
    const src = img.getAttribute('src') ?? '';
    const alt = clean(img.getAttribute('alt'));
    const known = opts.images?.get(src);
    const block: ImageBlock = { type: 'image', path: src.startsWith('data:') ? '' : src, pageIdx: 0, ...(alt ? { caption: alt } : {}) };
    if (known) {
      imageNo++;
      block.path = `images/img-${imageNo}.${known.ext}`;
      block.data = known.data;
    }
    if (block.path) blocks.push(block);
  };
  if (root) walk(root);
  if (title && !blocks.some((b) => b.type === 'title' && b.level === 1))
    blocks.unshift({ type: 'title', level: 1, text: title, pageIdx: 0 });
  return { blocks, ...(title ? { title } : {}) };
}

function tableRows(table: El): TableCell[][] {
  const rows: TableCell[][] = [];
  const visit = (el: El) => {
    for (const c of Array.from(el.children)) {
      const tag = c.tagName.toUpperCase();
      if (tag === 'TR') {
        rows.push(
          Array.from(c.children)
            .filter((td) => /^T[DH]$/i.test(td.tagName))
            .map((td) => ({
              text: clean(td.textContent),
              rowspan: Math.max(1, Number(td.getAttribute('rowspan')) || 1),
              colspan: Math.max(1, Number(td.getAttribute('colspan')) || 1),
            })),
        );
      } else if (tag === 'THEAD' || tag === 'TBODY' || tag === 'TFOOT') visit(c);
    }
  };
  visit(table);
  return rows.filter((r) => r.length);
}
