/** Blocks → Markdown. Tables with merged cells are written as HTML (Markdown cannot span). */
import type { Block, TableCell } from './model.js';

const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Text that starts like Markdown syntax ("# cmd" from a shell listing, "1. " in prose) stays text. */
function escapeLineStart(text: string): string {
  return text.replace(/^(#{1,6}\s|[-+*]\s|\d{1,9}[.)]\s|>)/, (m) => `\\${m}`);
}

export function tableHtml(rows: TableCell[][]): string {
  const body = rows
    .map((row) => {
      const cells = row.map((c) => {
        const attrs = `${c.rowspan > 1 ? ` rowspan="${c.rowspan}"` : ''}${c.colspan > 1 ? ` colspan="${c.colspan}"` : ''}`;
        return `<td${attrs}>${escapeHtml(c.text)}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('');
  return `<table>${body}</table>`;
}

export function tableMarkdown(rows: TableCell[][]): string {
  if (!rows.length) return '';
  if (rows.some((r) => r.some((c) => c.rowspan > 1 || c.colspan > 1))) return tableHtml(rows);
  const width = Math.max(...rows.map((r) => r.length));
  const line = (r: TableCell[]) => `| ${Array.from({ length: width }, (_, i) => escapeCell(r[i]?.text ?? '')).join(' | ')} |`;
  const [head, ...rest] = rows as [TableCell[], ...TableCell[][]];
  return [line(head), `|${' --- |'.repeat(width)}`, ...rest.map(line)].join('\n');
}

export function blockMarkdown(b: Block): string {
  switch (b.type) {
    case 'title':
      return `${'#'.repeat(Math.min(6, Math.max(1, b.level)))} ${b.text}`;
    case 'text':
      return escapeLineStart(b.text);
    case 'list':
      return b.items.map((it, i) => (b.ordered ? `${i + 1}. ${it}` : `- ${it}`)).join('\n');
    case 'table':
      return tableMarkdown(b.rows);
    case 'image':
      return b.path ? `![${b.caption ?? ''}](${b.path})` : '';
    case 'equation':
      return b.text;
  }
}

export function toMarkdown(blocks: Block[]): string {
  return `${blocks
    .map(blockMarkdown)
    .filter((s) => s.trim() !== '')
    .join('\n\n')}\n`;
}
