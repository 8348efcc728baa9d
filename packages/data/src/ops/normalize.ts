import type { Doc } from '../io/jsonlDocs.js';
import type { Operator } from './Operator.js';

export interface NormalizeOptions {
  /** Unicode form (default NFC: NFKC would turn full-width CJK punctuation into ASCII in the output). */
  form?: 'NFC' | 'NFKC' | 'none';
  /** Remove C0/C1 controls except \n and \t, zero-width characters and the BOM (default true). */
  stripControls?: boolean;
  /** Collapse runs of spaces/tabs, trim lines, and keep at most one blank line (default true). */
  whitespace?: boolean;
  /** Drop the document when nothing is left (default true). */
  dropEmpty?: boolean;
  /**
   * Join hard-wrapped lines of prose: inside a paragraph, a line break becomes a space, so a model
   * learns sentences rather than a printed page's line length (default false). Paragraphs with
   * Han, kana or Hangul keep their lines: there a line is a verse.
   */
  unwrap?: boolean;
}

const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;

/** Joins the lines of each blank-line-separated paragraph that holds no CJK text. */
export function unwrapProse(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => (CJK.test(p) ? p : p.replace(/\n/g, ' ').replace(/ {2,}/g, ' ')))
    .join('\n\n');
}

const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200d\u2060\ufeff\ufffe]/g;

/** Unicode and whitespace normalisation. */
export function normalizeOperator(o: NormalizeOptions = {}): Operator {
  const form = o.form ?? 'NFC';
  return {
    name: 'normalize',
    apply(doc: Doc) {
      let t = doc.text;
      if (form !== 'none') t = t.normalize(form);
      if (o.stripControls ?? true) t = t.replace(/\r\n?/g, '\n').replace(CONTROLS, '');
      if (o.whitespace ?? true)
        t = t
          .split('\n')
          .map((l) => l.replace(/[ \t\u00a0\u3000]+/g, ' ').trim())
          .join('\n')
          .replace(/\n{3,}/g, '\n\n')
          .trim();
      if (o.unwrap) t = unwrapProse(t);
      doc.text = t;
      return (o.dropEmpty ?? true) && t === '' ? 'empty_after_normalize' : null;
    },
  };
}
