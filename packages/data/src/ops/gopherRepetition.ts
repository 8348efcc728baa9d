import type { Doc } from '../io/jsonlDocs.js';
import { hashNgrams, WordTokenizer } from '../text/wordTokens.js';
import type { Operator } from './Operator.js';

/**
 * Gopher's repetition rules (Rae et al. 2021, table A1; datatrove's GopherRepetitionFilter):
 * duplicate lines and paragraphs (by count and by characters), the most frequent 2–4-gram's
 * share of characters, and the share of characters in duplicated 5–10-grams.
 */
export interface GopherRepetitionOptions {
  dupLineFrac?: number;
  dupParaFrac?: number;
  dupLineCharFrac?: number;
  dupParaCharFrac?: number;
  topNgramCharFrac?: Record<string, number>;
  dupNgramCharFrac?: Record<string, number>;
}

export function gopherRepetitionOperator(o: GopherRepetitionOptions = {}): Operator {
  const c = {
    dupLineFrac: 0.3,
    dupParaFrac: 0.3,
    dupLineCharFrac: 0.2,
    dupParaCharFrac: 0.2,
    topNgramCharFrac: { 2: 0.2, 3: 0.18, 4: 0.16 } as Record<string, number>,
    dupNgramCharFrac: { 5: 0.15, 6: 0.14, 7: 0.13, 8: 0.12, 9: 0.11, 10: 0.1 } as Record<string, number>,
    ...o,
  };
  const tok = new WordTokenizer();
  const grams = { buf: new Uint32Array(1024) };
  let dupWord = new Uint8Array(1024);
  return {
    name: 'gopher_repetition',
    apply(doc: Doc) {
      const text = doc.text;
      const paras = text.split(/\n{2,}/).filter((p) => p.trim());
      const [pDup, pChars] = duplicates(paras);
      if (paras.length > 0 && pDup / paras.length > c.dupParaFrac) return 'gopher_dup_paragraphs';
      if (pChars / text.length > c.dupParaCharFrac) return 'gopher_dup_paragraph_chars';
      const lines = text.split('\n').filter((l) => l.trim());
      const [lDup, lChars] = duplicates(lines);
      if (lines.length > 0 && lDup / lines.length > c.dupLineFrac) return 'gopher_dup_lines';
      if (lChars / text.length > c.dupLineCharFrac) return 'gopher_dup_line_chars';
      // N-grams as 32-bit hashes of word-token hashes (no string per n-gram); word lengths from the tokenizer.
      const m = tok.hash(text);
      const lens = tok.lengths;
      let totalChars = 0;
      for (let i = 0; i < m; i++) totalChars += lens[i] as number;
      if (totalChars === 0) return null;
      for (const [nText, frac] of Object.entries(c.topNgramCharFrac)) {
        const n = Number(nText);
        if (m < n) continue;
        const k = hashNgrams(tok.tokens, m, n, grams);
        const counts = new Map<number, number>();
        let top = -1;
        let topCount = 0;
        for (let i = 0; i < k; i++) {
          const g = grams.buf[i] as number;
          const cnt = (counts.get(g) ?? 0) + 1;
          counts.set(g, cnt);
          if (cnt > topCount) {
            topCount = cnt;
            top = i;
          }
        }
        let chars = 0;
        for (let i = top; i < top + n; i++) chars += lens[i] as number;
        if (topCount > 1 && (chars * topCount) / totalChars > frac) return `gopher_top_${n}gram`;
      }
      for (const [nText, frac] of Object.entries(c.dupNgramCharFrac)) {
        const n = Number(nText);
        if (m < n) continue;
        const k = hashNgrams(tok.tokens, m, n, grams);
        const seen = new Set<number>();
        if (dupWord.length < m) dupWord = new Uint8Array(m * 2);
        dupWord.fill(0, 0, m);
        for (let i = 0; i < k; i++) {
          const g = grams.buf[i] as number;
          if (seen.has(g)) dupWord.fill(1, i, i + n);
          else seen.add(g);
        }
        let dupChars = 0;
        for (let i = 0; i < m; i++) if (dupWord[i]) dupChars += lens[i] as number;
        if (dupChars / totalChars > frac) return `gopher_dup_${n}gram_chars`;
        // A repeated (n+1)-gram contains a repeated n-gram: none at n means none above.
        if (dupChars === 0) break;
      }
      return null;
    },
  };
}

/** Elements that repeat an earlier one: how many, and how many characters they hold. */
function duplicates(items: string[]): [number, number] {
  const seen = new Set<string>();
  let dup = 0;
  let chars = 0;
  for (const it of items) {
    if (seen.has(it)) {
      dup++;
      chars += it.length;
    } else seen.add(it);
  }
  return [dup, chars];
}
