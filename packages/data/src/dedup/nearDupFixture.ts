import { wordTokenStrings } from '../text/wordTokens.js';

/** mulberry32: a tiny seeded PRNG for generated test and bench data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedDoc {
  id: string;
  text: string;
  /** Family index: variants of one base share it; bases of different families are unrelated. */
  family: number;
  /** Word edit rate applied to the base (0 for the base itself). */
  editRate: number;
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tas', 'vo', 'qui', 'zen', 'dar', 'pel', 'sho', 'nu', 'bri', 'ot', 'fa', 'gy'];

function vocabulary(r: () => number, size: number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + Math.floor(r() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    words.add(w);
  }
  return [...words];
}

/**
 * A corpus with near-duplicates at controlled word-edit rates: `families` random base texts,
 * each followed by variants where each word is, with probability `rate`, replaced, deleted or
 * followed by an inserted word. Some texts mix in CJK characters and punctuation so the
 * tokenizer's rules are exercised too.
 */
export function nearDuplicateCorpus(opts: {
  families: number;
  words: number;
  rates: number[];
  seed?: number;
  bases?: string[];
}): GeneratedDoc[] {
  const r = rng(opts.seed ?? 7);
  const vocab = vocabulary(r, 5000);
  const pick = () => vocab[Math.floor(r() * vocab.length)] as string;
  const docs: GeneratedDoc[] = [];
  for (let f = 0; f < opts.families; f++) {
    const base: string[] = [];
    // Real text when given (paragraphs of essays for the bench), generated words otherwise.
    const given = opts.bases?.[f % opts.bases.length]?.split(/\s+/).filter(Boolean);
    if (given) base.push(...given);
    else for (let i = 0; i < opts.words; i++) base.push(f % 5 === 0 && i % 7 === 3 ? `${pick()}，数据${'甲乙丙丁戊'[i % 5]}` : pick());
    docs.push({ id: `f${f}-base`, text: `${base.join(' ')}.`, family: f, editRate: 0 });
    for (const rate of opts.rates) {
      const out: string[] = [];
      for (const w of base) {
        const x = r();
        if (x < rate / 3) out.push(pick());
        else if (x < (2 * rate) / 3) continue;
        else if (x < rate) out.push(w, pick());
        else out.push(w);
      }
      docs.push({ id: `f${f}-r${rate}`, text: `${out.join(' ')}!`, family: f, editRate: rate });
    }
  }
  return docs;
}

/** The exact Jaccard similarity of two texts' word n-gram sets (as strings: independent of the hashing). */
export function exactJaccard(a: string, b: string, n = 5): number {
  const sa = shingleSet(a, n);
  const sb = shingleSet(b, n);
  let inter = 0;
  for (const s of sa) if (sb.has(s)) inter++;
  const union = sa.size + sb.size - inter;
  return union === 0 ? 1 : inter / union;
}

export function shingleSet(text: string, n = 5): Set<string> {
  const t = wordTokenStrings(text);
  const out = new Set<string>();
  if (t.length > 0 && t.length < n) out.add(t.join(' '));
  for (let i = 0; i + n <= t.length; i++) out.add(t.slice(i, i + n).join(' '));
  return out;
}
