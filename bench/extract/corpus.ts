/**
 * The benchmark's source documents: a small Markdown dialect (headings, paragraphs, - and 1.
 * lists, pipe tables, raw <table> blocks with rowspan/colspan, [^n] footnotes, `:::columns`
 * … `:::` for a two-column section, `\pagebreak`, and a front matter `header:` line for the
 * running header) parsed into the HTML Chromium prints and into the ground truth the
 * extractors are scored against.
 */
import type { Block, TableCell } from '@puyu/extract';

export interface GroundTruth {
  name: string;
  lang: string;
  /** The running header printed on every page; the footer is "Page N of M". */
  header: string;
  pages: number;
  blocks: Block[];
  /** Texts of the paragraphs inside the two-column section, in reading order. */
  columnParagraphs: string[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function inlineHtml(s: string): string {
  return esc(s)
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/\*(.+?)\*/g, '<em>$1</em>')
    .replace(/`(.+?)`/g, '<code>$1</code>')
    .replace(/\[\^(\d+)\]/g, '<sup>$1</sup>');
}

function inlineText(s: string): string {
  return s
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/\*(.+?)\*/g, '$1')
    .replace(/`(.+?)`/g, '$1')
    .replace(/\[\^(\d+)\]/g, '$1');
}

function htmlTableRows(html: string): TableCell[][] {
  const rows: TableCell[][] = [];
  for (const tr of html.match(/<tr>[\s\S]*?<\/tr>/g) ?? []) {
    const cells: TableCell[] = [];
    for (const m of tr.matchAll(/<t[hd]([^>]*)>([\s\S]*?)<\/t[hd]>/g)) {
      const attrs = m[1] ?? '';
      cells.push({
        text: (m[2] ?? '').replace(/<[^>]+>/g, '').trim(),
        rowspan: Number(/rowspan="(\d+)"/.exec(attrs)?.[1] ?? 1),
        colspan: Number(/colspan="(\d+)"/.exec(attrs)?.[1] ?? 1),
      });
    }
    rows.push(cells);
  }
  return rows;
}

export function parseCorpus(name: string, source: string): { html: string; truth: Omit<GroundTruth, 'pages'> } {
  let lines = source.split('\n');
  const meta: Record<string, string> = {};
  if (lines[0] === '---') {
    const end = lines.indexOf('---', 1);
    for (const l of lines.slice(1, end)) {
      const i = l.indexOf(':');
      meta[l.slice(0, i).trim()] = l.slice(i + 1).trim();
    }
    lines = lines.slice(end + 1);
  }
  const blocks: Block[] = [];
  const columnParagraphs: string[] = [];
  const footnotes: string[] = [];
  const html: string[] = [];
  let inColumns = false;
  let para: string[] = [];
  const flushPara = () => {
    if (!para.length) return;
    const text = para.join(' ');
    html.push(`<p>${inlineHtml(text)}</p>`);
    blocks.push({ type: 'text', text: inlineText(text), pageIdx: 0 });
    if (inColumns) columnParagraphs.push(inlineText(text));
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (line.trim() === '') flushPara();
    else if (line.trim() === '\\pagebreak') {
      flushPara();
      html.push('<div style="break-after: page"></div>');
    } else if (line.trim() === ':::columns' || line.trim() === ':::') {
      flushPara();
      inColumns = line.trim() === ':::columns';
      html.push(inColumns ? '<div class="columns">' : '</div>');
    } else if (heading) {
      flushPara();
      const level = (heading[1] as string).length;
      html.push(`<h${level}>${inlineHtml(heading[2] as string)}</h${level}>`);
      blocks.push({ type: 'title', level, text: inlineText(heading[2] as string), pageIdx: 0 });
    } else if (/^\[\^\d+\]:/.test(line)) {
      flushPara();
      footnotes.push(line.replace(/^\[\^\d+\]:\s*/, ''));
    } else if (/^(- |\d+\. )/.test(line)) {
      flushPara();
      const ordered = /^\d+\. /.test(line);
      const items: string[] = [];
      while (i < lines.length && (ordered ? /^\d+\. /.test(lines[i] as string) : /^- /.test(lines[i] as string))) {
        items.push((lines[i] as string).replace(/^(- |\d+\. )/, ''));
        i++;
      }
      i--;
      const tag = ordered ? 'ol' : 'ul';
      html.push(`<${tag}>${items.map((it) => `<li>${inlineHtml(it)}</li>`).join('')}</${tag}>`);
      blocks.push({ type: 'list', ordered, items: items.map(inlineText), pageIdx: 0 });
    } else if (line.startsWith('|')) {
      flushPara();
      const rowsText: string[] = [];
      while (i < lines.length && (lines[i] as string).startsWith('|')) rowsText.push(lines[i++] as string);
      i--;
      const cellsOf = (r: string) =>
        r
          .replace(/^\||\|$/g, '')
          .split('|')
          .map((c) => c.trim());
      const [head, , ...body] = rowsText.map(cellsOf) as [string[], string[], ...string[][]];
      html.push(
        `<table><thead><tr>${head.map((c) => `<th>${inlineHtml(c)}</th>`).join('')}</tr></thead><tbody>${body
          .map((r) => `<tr>${r.map((c) => `<td>${inlineHtml(c)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`,
      );
      const rows = [head, ...body].map((r) => r.map((c) => ({ text: inlineText(c), rowspan: 1, colspan: 1 })));
      blocks.push({ type: 'table', rows, pageIdx: 0 });
    } else if (line.startsWith('<table')) {
      flushPara();
      const raw: string[] = [];
      while (i < lines.length && !(lines[i] as string).startsWith('</table>')) raw.push(lines[i++] as string);
      raw.push('</table>');
      html.push(raw.join('\n'));
      blocks.push({ type: 'table', rows: htmlTableRows(raw.join('\n')), pageIdx: 0 });
    } else para.push(line.trim());
  }
  flushPara();
  if (footnotes.length) {
    html.push(`<section class="footnotes"><ol>${footnotes.map((f) => `<li>${inlineHtml(f)}</li>`).join('')}</ol></section>`);
    blocks.push({ type: 'list', ordered: true, items: footnotes.map(inlineText), pageIdx: 0 });
  }
  const lang = meta.lang ?? 'en';
  const doc = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><style>${CSS}</style></head><body>${html.join('\n')}</body></html>`;
  return { html: doc, truth: { name, lang, header: meta.header ?? '', blocks, columnParagraphs } };
}

const CSS = `
body { font-family: 'Liberation Serif', 'WenQuanYi Micro Hei', serif; font-size: 11pt; line-height: 1.35; }
h1 { font-size: 20pt; } h2 { font-size: 15pt; } h3 { font-size: 12.5pt; }
h1, h2, h3 { break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 8pt 0; }
th, td { border: 0.75pt solid #333; padding: 3pt 6pt; text-align: left; }
thead { display: table-header-group; }
table.plain { width: auto; } table.plain th, table.plain td { border: none; padding: 2pt 18pt 2pt 0; }
tr { break-inside: avoid; }
.columns { column-count: 2; column-gap: 24pt; }
.columns h2, .columns h3 { margin-top: 8pt; }
.footnotes { font-size: 9pt; border-top: 0.5pt solid #999; margin-top: 16pt; }
`;
