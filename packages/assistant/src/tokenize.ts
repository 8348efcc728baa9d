/**
 * Words for BM25: jieba (through @node-rs/jieba, a maintained Rust binding that ships its
 * dictionary, so nothing downloads) in search mode, which also emits the short words inside long
 * ones (软件包 → 软件, 软件包), lower-cased, with punctuation and common stop words dropped.
 * English passes through jieba as whole words.
 */
import { createRequire } from 'node:module';

interface JiebaLike {
  cutForSearch(text: string, hmm?: boolean): string[];
}

let jieba: JiebaLike | undefined;

function segmenter(): JiebaLike {
  if (!jieba) {
    // The binding is CommonJS with a native addon; createRequire keeps it out of the ESM graph until first use.
    const require = createRequire(import.meta.url);
    const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(d: Uint8Array): JiebaLike } };
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jieba = Jieba.withDict(dict);
  }
  return jieba;
}

const STOP = new Set(
  (
    'a an the and or of to in on at by for with from as is are was were be been being it its this that these those ' +
    'do does did can could should would will shall may might must i you he she we they me my your our their what which who ' +
    'whom whose how why when where there here not no yes if then than so such into about over under also just only very ' +
    '的 了 是 在 和 与 或 及 吗 呢 吧 啊 呀 么 我 你 他 她 它 我们 你们 他们 这 那 这个 那个 怎么 如何 什么 为什么 哪 哪些 请问 请 一个 有 没有 就 也 都 还 被 把 对 从 到 给'
  ).split(/\s+/),
);

// Letters, digits or CJK: a token with none of these is punctuation or space.
const WORDISH = /[\p{L}\p{N}]/u;

export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of segmenter().cutForSearch(text.toLowerCase(), true)) {
    const t = raw.trim();
    if (!t || !WORDISH.test(t) || STOP.has(t)) continue;
    out.push(t);
  }
  return out;
}
