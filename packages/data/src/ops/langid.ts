import type { Doc } from '../io/jsonlDocs.js';
import type { Operator } from './Operator.js';

export interface LangIdOptions {
  /** Languages (ISO 639-1) to keep; empty keeps all and only labels (default ["en", "zh"]). */
  keep?: string[];
  /** Characters of the text the detector reads (default 400: a few sentences label a page reliably, and eld's cost grows with the length). */
  sampleChars?: number;
}

type Detector = { detect(text: string): { language: string; isReliable(): boolean; getScores(): Record<string, number> } };
let detector: Detector | undefined;

/**
 * The detector: eld (Efficient Language Detector) with its "small" n-gram table bundled in the
 * npm package — a static import of a JS file, no download, no network (langid.test.ts checks
 * that fetch is never called). eld covers 60 languages; a CJK-only text is labelled "zh"
 * ("ja" when kana are present) by a script rule, because eld's byte n-grams are weak on short
 * Chinese snippets.
 */
export async function loadLanguageDetector(): Promise<(text: string) => { lang: string; score: number }> {
  if (!detector) detector = (await import('eld/small')).eld as unknown as Detector;
  const d = detector;
  return (text: string) => {
    const script = scriptGuess(text);
    if (script) return script;
    const r = d.detect(text);
    const scores = r.getScores();
    const lang = r.language || 'und';
    return { lang, score: scores[lang] ?? 0 };
  };
}

function scriptGuess(text: string): { lang: string; score: number } | undefined {
  let han = 0;
  let kana = 0;
  let hangul = 0;
  let letters = 0;
  const n = Math.min(text.length, 2000);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x4e00 && c <= 0x9fff) han++;
    else if (c >= 0x3040 && c <= 0x30ff) kana++;
    else if (c >= 0xac00 && c <= 0xd7af) hangul++;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 0xbf) letters++;
  }
  const cjk = han + kana + hangul;
  if (cjk === 0 || cjk < letters / 2) return undefined;
  const total = cjk + letters;
  if (hangul > han) return { lang: 'ko', score: cjk / total };
  if (kana > cjk * 0.1) return { lang: 'ja', score: cjk / total };
  return { lang: 'zh', score: cjk / total };
}

export async function langIdOperator(o: LangIdOptions = {}): Promise<Operator> {
  const detect = await loadLanguageDetector();
  const keep = new Set(o.keep ?? ['en', 'zh']);
  const sample = o.sampleChars ?? 400;
  return {
    name: 'langid',
    apply(doc: Doc) {
      const { lang, score } = detect(doc.text.slice(0, sample));
      doc.meta.lang = lang;
      doc.meta.lang_score = Math.round(score * 1000) / 1000;
      return keep.size === 0 || keep.has(lang) ? null : `lang_${lang}`;
    },
  };
}
