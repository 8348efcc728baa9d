import { isCjk } from './pdf/segments.js';

/**
 * Joins the lines of a paragraph: a hyphen at a line end between letters is dropped when the
 * next line goes on in lower case (de-hyphenation); CJK text joins with no space.
 */
export function joinLines(lines: string[]): string {
  let out = '';
  for (const raw of lines) {
    const line = raw.trim();
    if (!line) continue;
    if (!out) {
      out = line;
      continue;
    }
    if (/[A-Za-z]-$/.test(out) && /^[a-z]/.test(line)) out = out.slice(0, -1) + line;
    else if (isCjk(out[out.length - 1]) || isCjk(line[0])) out += isCjk(out[out.length - 1]) && isCjk(line[0]) ? line : ` ${line}`;
    else out += ` ${line}`;
  }
  return out;
}

/** A paragraph that stops without closing punctuation may go on in the next column or page. */
export function endsOpen(text: string): boolean {
  return !/[.!?。！？:：;；"”'’)\]】」』]$/.test(text.trim());
}

/** The continuation of a cut paragraph starts in lower case (or CJK, which has no case). */
export function startsContinuation(text: string): boolean {
  const c = text.trim()[0];
  return c !== undefined && (/[a-z]/.test(c) || isCjk(c));
}
