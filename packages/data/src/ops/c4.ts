import type { Doc } from '../io/jsonlDocs.js';
import type { Operator } from './Operator.js';

/**
 * C4's line-level cleaning (Raffel et al. 2020; datatrove's C4QualityFilter): drop lines without
 * terminal punctuation (Chinese 。！？ count), with fewer than `minWordsPerLine` words (CJK lines
 * are judged by characters), mentioning javascript or cookie/privacy boilerplate; drop the
 * document for "lorem ipsum", a curly bracket (code), or fewer than `minSentences` lines left.
 */
export interface C4Options {
  terminalPunctuation?: boolean;
  minWordsPerLine?: number;
  minSentences?: number;
  removeBoilerplate?: boolean;
  dropCode?: boolean;
}

const TERMINAL = /[.!?"'”’。！？」』)）]\s*$/;
const BOILERPLATE = /(javascript|terms of use|privacy policy|cookie policy|uses cookies|use of cookies|隐私政策|使用条款|版权所有)/i;

export function c4Operator(o: C4Options = {}): Operator {
  const c = { terminalPunctuation: true, minWordsPerLine: 3, minSentences: 3, removeBoilerplate: true, dropCode: true, ...o };
  const events = new Map<string, number>();
  return {
    name: 'c4',
    events,
    apply(doc: Doc) {
      const lower = doc.text.toLowerCase();
      if (lower.includes('lorem ipsum')) return 'c4_lorem_ipsum';
      if (c.dropCode && doc.text.includes('{')) return 'c4_curly_bracket';
      const kept: string[] = [];
      for (const line of doc.text.split('\n')) {
        const l = line.trim();
        if (!l) continue;
        if (c.terminalPunctuation && !TERMINAL.test(l)) {
          events.set('c4_line_no_terminal_punct', (events.get('c4_line_no_terminal_punct') ?? 0) + 1);
          continue;
        }
        const cjk = (l.match(/[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]/g) ?? []).length;
        const words = cjk > l.length / 3 ? cjk / 2 : l.split(/\s+/).length;
        if (words < c.minWordsPerLine) {
          events.set('c4_line_too_short', (events.get('c4_line_too_short') ?? 0) + 1);
          continue;
        }
        if (c.removeBoilerplate && BOILERPLATE.test(l)) {
          events.set('c4_line_boilerplate', (events.get('c4_line_boilerplate') ?? 0) + 1);
          continue;
        }
        kept.push(l);
      }
      doc.text = kept.join('\n');
      return kept.length < c.minSentences ? 'c4_too_few_lines' : null;
    },
  };
}
