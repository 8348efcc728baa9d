import type { Doc } from '../io/jsonlDocs.js';
import { wordTokenStrings } from '../text/wordTokens.js';
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
      const words = wordTokenStrings(text);
      const totalChars = words.reduce((s, w) => s + w.length, 0);
      if (totalChars === 0) return null;
      for (const [nText, frac] of Object.entries(c.topNgramCharFrac)) {
        const n = Number(nText);
        const counts = new Map<string, number>();
        for (let i = 0; i + n <= words.length; i++) {
          const g = words.slice(i, i + n).join(' ');
          counts.set(g, (counts.get(g) ?? 0) + 1);
        }
        let top = '';
        let topCount = 0;
        for (const [g, k] of counts)
          if (k > topCount) {
            top = g;
            topCount = k;
          }
        // Characters of the words of the most frequent n-gram times its count (spaces not counted).
        if (topCount > 1 && ((top.length - (n - 1)) * topCount) / totalChars > frac) return `gopher_top_${n}gram`;
      }
      for (const [nText, frac] of Object.entries(c.dupNgramCharFrac)) {
        const n = Number(nText);
        const seen = new Set<string>();
        const dupWord = new Uint8Array(words.length);
        for (let i = 0; i + n <= words.length; i++) {
          const g = words.slice(i, i + n).join(' ');
          if (seen.has(g)) dupWord.fill(1, i, i + n);
          else seen.add(g);
        }
        let dupChars = 0;
        for (let i = 0; i < words.length; i++) if (dupWord[i]) dupChars += (words[i] as string).length;
        if (dupChars / totalChars > frac) return `gopher_dup_${n}gram_chars`;
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
