/**
 * Markdown- and Chinese-aware chunking. A document (Markdown, or text already turned into
 * Markdown by @puyu/extract) is cut at headings first, so no chunk spans two sections and each
 * carries its heading path; a section longer than the limit is packed paragraph by paragraph,
 * and a paragraph longer than the limit is cut at sentence ends, Chinese (。！？；) as well as
 * Latin (. ! ? followed by a space). Code fences are never cut inside (unless one alone is over
 * the limit). Offsets are character offsets into the document text, so a citation can point at
 * the exact span; `pageOf` maps them to PDF pages when the caller knows where pages start.
 */

export interface Chunk {
  /** Stable within a KB: `${fileId}:${index}`. */
  id: string;
  /** Path of the source file, relative to the ingested folder. */
  source: string;
  /** Heading titles from the top level down to this chunk's section. */
  headings: string[];
  /** The chunk text (exactly `document.slice(start, end)`). */
  text: string;
  start: number;
  end: number;
  /** 1-based PDF page of `start`, when the source has pages. */
  page?: number;
}

export interface ChunkOptions {
  /** Most characters in one chunk (default 800: about 200–400 tokens of English or Chinese). */
  maxChars?: number;
  /** Start offsets of pages 1, 2, … in the document text (PDFs). */
  pageStarts?: number[];
}

interface Span {
  start: number;
  end: number;
}

const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/;
const FENCE = /^(```|~~~)/;

/** Sections: [start, end) spans between headings, each with its heading path. */
function sections(doc: string): { span: Span; headings: string[] }[] {
  const out: { span: Span; headings: string[] }[] = [];
  const stack: { level: number; title: string }[] = [];
  let sectionStart = 0;
  let inFence = false;
  let pos = 0;
  const flush = (end: number) => {
    if (doc.slice(sectionStart, end).trim()) out.push({ span: { start: sectionStart, end }, headings: stack.map((h) => h.title) });
  };
  for (const line of doc.split('\n')) {
    const lineStart = pos;
    pos += line.length + 1;
    if (FENCE.test(line.trimStart())) inFence = !inFence;
    if (inFence) continue;
    const m = HEADING.exec(line);
    if (!m) continue;
    flush(lineStart);
    const level = m[1].length;
    while (stack.length && (stack.at(-1) as { level: number }).level >= level) stack.pop();
    stack.push({ level, title: m[2].trim() });
    sectionStart = lineStart;
  }
  flush(doc.length);
  return out;
}

/** Blank-line separated paragraphs of a span, code fences kept whole. */
function paragraphs(doc: string, span: Span): Span[] {
  const out: Span[] = [];
  let start = span.start;
  let inFence = false;
  let pos = span.start;
  for (const line of doc.slice(span.start, span.end).split('\n')) {
    const lineStart = pos;
    pos += line.length + 1;
    if (FENCE.test(line.trimStart())) inFence = !inFence;
    if (!inFence && line.trim() === '') {
      if (doc.slice(start, lineStart).trim()) out.push({ start, end: lineStart });
      start = Math.min(pos, span.end);
    }
  }
  if (doc.slice(start, span.end).trim()) out.push({ start, end: span.end });
  return out;
}

// A sentence ends after 。！？；!? (Chinese needs no space), or after . ; followed by whitespace.
const SENTENCE_END = /[。！？；!?]+[”"’')）]*|[.;]+[”"’')）]*(?=\s)|\n/g;

/** Cuts an over-long paragraph at sentence ends, then hard at the limit. */
function sentences(doc: string, span: Span, maxChars: number): Span[] {
  const text = doc.slice(span.start, span.end);
  const cuts: number[] = [];
  SENTENCE_END.lastIndex = 0;
  for (let m = SENTENCE_END.exec(text); m; m = SENTENCE_END.exec(text)) cuts.push(m.index + m[0].length);
  const out: Span[] = [];
  let start = 0;
  let last = 0;
  const emit = (end: number) => {
    for (let s = start; s < end; s += maxChars) out.push({ start: span.start + s, end: span.start + Math.min(end, s + maxChars) });
    start = end;
  };
  for (const c of [...cuts, text.length]) {
    if (c - start > maxChars && last > start) emit(last);
    last = c;
  }
  emit(text.length);
  return out;
}

/** Packs consecutive spans into chunks of at most maxChars. */
function pack(spans: Span[], maxChars: number): Span[] {
  const out: Span[] = [];
  let cur: Span | undefined;
  for (const s of spans) {
    if (cur && s.end - cur.start <= maxChars) cur.end = s.end;
    else {
      if (cur) out.push(cur);
      cur = { ...s };
    }
  }
  if (cur) out.push(cur);
  return out;
}

function trimSpan(doc: string, s: Span): Span {
  let { start, end } = s;
  while (start < end && /\s/.test(doc[start] as string)) start++;
  while (end > start && /\s/.test(doc[end - 1] as string)) end--;
  return { start, end };
}

/** 1-based page holding `offset`, from the start offsets of each page. */
export function pageOf(pageStarts: number[], offset: number): number {
  let lo = 0;
  let hi = pageStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((pageStarts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export function chunkDocument(doc: string, source: string, fileId: string, opts: ChunkOptions = {}): Chunk[] {
  const maxChars = opts.maxChars ?? 800;
  const chunks: Chunk[] = [];
  for (const sec of sections(doc)) {
    const pieces = paragraphs(doc, sec.span).flatMap((p) => (p.end - p.start > maxChars ? sentences(doc, p, maxChars) : [p]));
    for (const raw of pack(pieces, maxChars)) {
      const s = trimSpan(doc, raw);
      if (s.end <= s.start) continue;
      const text = doc.slice(s.start, s.end);
      // A chunk that is only its own heading line carries nothing to retrieve.
      if (HEADING.test(text) && !text.includes('\n')) continue;
      chunks.push({
        id: `${fileId}:${chunks.length}`,
        source,
        headings: sec.headings,
        text,
        start: s.start,
        end: s.end,
        ...(opts.pageStarts?.length ? { page: pageOf(opts.pageStarts, s.start) } : {}),
      });
    }
  }
  return chunks;
}
