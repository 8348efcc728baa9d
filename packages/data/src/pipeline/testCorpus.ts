import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { rng } from '../dedup/nearDupFixture.js';

const EN = [
  'The river runs past the old mill and the children walk along its bank every morning before school.',
  'A good teacher explains the idea first, then shows an example, and finally lets the students try it themselves.',
  'The committee met on Tuesday to discuss the budget, and the members agreed that the library needs new books.',
  'When the rain stopped, the farmers went back to the fields and started to plant the rice again.',
  'Scientists have measured the temperature of the ocean for many years and the data show a clear trend.',
  'She opened the window, looked at the mountains in the distance and decided that it was time to travel.',
];
const ZH = [
  '春天来了，河边的柳树发出了新芽，孩子们在草地上放风筝，老人们在树下下棋聊天。',
  '这座城市的图书馆每天早上八点开门，很多学生在这里学习，安静的阅览室里只能听到翻书的声音。',
  '科学家们通过多年的观测发现，海洋的温度正在慢慢升高，这对渔业和沿海城市都有很大的影响。',
  '他认真地读完了这本书，然后在笔记本上写下了自己的想法，并和同学们进行了讨论。',
];

/** A small mixed corpus for pipeline tests: English and Chinese prose, near-duplicates, junk, PII and malformed lines. */
export function writeTestCorpus(dir: string, files = 4, docsPerFile = 40, seed = 5): string[] {
  mkdirSync(dir, { recursive: true });
  const r = rng(seed);
  const paths: string[] = [];
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    for (let d = 0; d < docsPerFile; d++) {
      const id = `f${f}-d${d}`;
      const kind = d % 8;
      let text: string;
      if (kind === 7) text = 'buy now!!! $$$ ### 1234 5678 ### click';
      else {
        const pool = kind % 3 === 2 ? ZH : EN;
        const n = 6 + Math.floor(r() * 6);
        const sents: string[] = [];
        for (let i = 0; i < n; i++) sents.push(pool[Math.floor(r() * pool.length)] as string);
        text = sents.join(kind % 3 === 2 ? '' : '\n');
        if (d % 5 === 0) text += '\nContact me at alice.smith@example.com or 13812345678, server 192.168.1.20.';
      }
      lines.push(JSON.stringify({ id, text, url: `https://site${d % 3}.example.org/p/${d}` }));
      // An exact copy now and then: exact dedup must drop it.
      if (d % 10 === 3) lines.push(JSON.stringify({ id: `${id}-copy`, text, url: 'https://mirror.example.net/x' }));
    }
    lines.splice(5, 0, '{"id": "broken', '\u0000\u0001binary\u0002junk', '{"no_text": 1}');
    const body = `${lines.join('\n')}\n`;
    const path = join(dir, `part-${f}.jsonl${f === 1 ? '.gz' : ''}`);
    writeFileSync(path, f === 1 ? gzipSync(body) : body);
    paths.push(path);
  }
  writeFileSync(join(dir, 'empty.jsonl'), '');
  return paths;
}

export const TEST_PIPELINE = `
name: test
input:
  paths: [corpus/*.jsonl, corpus/*.jsonl.gz]
output:
  dir: out
  max_docs_per_file: 25
steps:
  - normalize: {}
  - langid: { keep: [en, zh] }
  - gopher_quality: { min_words: 20 }
  - gopher_repetition: { dup_line_frac: 0.9, dup_line_char_frac: 0.9, dup_para_frac: 0.9, dup_para_char_frac: 0.9, top_ngram_char_frac: {}, dup_ngram_char_frac: {} }
  - pii: {}
  - blocklist: { domains: [site2.example.org] }
  - exact_dedup: {}
  - minhash_dedup: {}
`;
