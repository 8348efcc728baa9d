import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasShared, sharedPath, startOpenAIPeer, wordTokens } from '@puyu/testing';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Doc } from '../io/jsonlDocs.js';
import { MalformedLog } from '../io/Malformed.js';
import { readDocs } from '../io/readers.js';
import { blocklistOperator } from './blocklist.js';
import { c4Operator } from './c4.js';
import { decontaminateOperator } from './decontaminate.js';
import { gopherQualityOperator } from './gopherQuality.js';
import { gopherRepetitionOperator } from './gopherRepetition.js';
import { langIdOperator } from './langid.js';
import { normalizeOperator } from './normalize.js';
import { perplexityOperator } from './perplexity.js';
import { piiOperator, validChineseId } from './pii.js';
import { QualityClassifier } from './qualityClassifier.js';

const doc = (text: string, meta: Record<string, unknown> = {}): Doc => ({ id: 'd', text, meta });
const PROSE =
  'The committee met on Tuesday to discuss the budget and the members agreed that the library needs new books. ' +
  'A good teacher explains the idea first, then shows an example, and finally lets the students try it themselves. ' +
  'When the rain stopped the farmers went back to the fields and started to plant the rice again with their families.';

afterEach(() => vi.restoreAllMocks());

describe('operators', () => {
  it('normalises Unicode and whitespace', () => {
    const d = doc('  a\u200b b\t\tc \r\n\r\n\r\n\r\nd\u0007 ');
    expect(normalizeOperator().apply(d)).toBeNull();
    expect(d.text).toBe('a b c\n\nd');
    expect(normalizeOperator().apply(doc(' \u200b '))).toBe('empty_after_normalize');
  });

  it('unwraps hard-wrapped prose when asked, keeping verse lines and paragraph breaks', () => {
    const d = doc('WAR, n.  A by-product of the arts\n    of peace.   \n\nSecond\nparagraph.\n\n《静夜思》\n床前明月光，\n疑是地上霜。');
    expect(normalizeOperator({ unwrap: true }).apply(d)).toBeNull();
    expect(d.text).toBe('WAR, n. A by-product of the arts of peace.\n\nSecond paragraph.\n\n《静夜思》\n床前明月光，\n疑是地上霜。');
    const kept = doc('a\nb');
    normalizeOperator().apply(kept);
    expect(kept.text).toBe('a\nb');
  });

  it('identifies English and Chinese offline, never calling fetch', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const op = await langIdOperator({ keep: ['en'] });
    const en = doc(PROSE);
    expect(op.apply(en)).toBeNull();
    expect(en.meta.lang).toBe('en');
    const zh = doc('春天来了，河边的柳树发出了新芽，孩子们在草地上放风筝。');
    expect(op.apply(zh)).toBe('lang_zh');
    expect(op.apply(doc('Der Ausschuss traf sich am Dienstag, um über den Haushalt der Bibliothek zu sprechen.'))).toBe('lang_de');
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('applies the Gopher quality and repetition rules', () => {
    const q = gopherQualityOperator();
    expect(q.apply(doc(PROSE))).toBeNull();
    expect(q.apply(doc('too short'))).toBe('gopher_too_few_words');
    expect(q.apply(doc(`${'# heading ... '.repeat(60)} the and of`))).toBe('gopher_symbol_ratio');
    expect(q.apply(doc(Array.from({ length: 60 }, (_, i) => `- item number ${i} of the list`).join('\n')))).toBe('gopher_bullet_lines');
    expect(q.apply(doc('xqz vbn '.repeat(40)))).toBe('gopher_stop_words');
    const r = gopherRepetitionOperator();
    expect(r.apply(doc(PROSE))).toBeNull();
    expect(r.apply(doc(Array.from({ length: 10 }, () => 'the same line again').join('\n')))).toBe('gopher_dup_lines');
  });

  it('cleans lines the C4 way', () => {
    const c4 = c4Operator();
    const d = doc(
      'Menu\nThe first sentence is here.\nPlease enable javascript to view this page.\nThe second sentence is here.\n这是第三个完整的中文句子。',
    );
    expect(c4.apply(d)).toBeNull();
    expect(d.text).toBe('The first sentence is here.\nThe second sentence is here.\n这是第三个完整的中文句子。');
    expect(c4.apply(doc('lorem ipsum dolor sit amet.'))).toBe('c4_lorem_ipsum');
    expect(c4.apply(doc('function f() { return 1; }'))).toBe('c4_curly_bracket');
  });

  it('redacts emails, phones, ID numbers and IPs', () => {
    const op = piiOperator();
    const d = doc(
      'Mail bob@mail.example.cn, call 138-1234-5678 or (415) 555-0132, ID 11010519491231002X, SSN 123-45-6789, host 10.0.0.1 and fe80::1:2:3:4. Version 1.2.3 stays.',
    );
    op.apply(d);
    expect(d.text).toBe('Mail <EMAIL>, call <PHONE> or <PHONE>, ID <ID_NUMBER>, SSN <ID_NUMBER>, host <IP> and <IP>. Version 1.2.3 stays.');
    expect(validChineseId('110105194912310021')).toBe(false);
    expect(Object.fromEntries(op.events ?? [])).toEqual({ email: 1, phone: 2, id_number: 2, ip: 2 });
  });

  it('blocks listed words and domains', () => {
    const op = blocklistOperator({ words: ['casino', '赌博'], domains: ['bad.example'] });
    expect(op.apply(doc('Visit the Casino tonight'))).toBe('blocked_word');
    expect(op.apply(doc('这里有网络赌博内容'))).toBe('blocked_word');
    expect(op.apply(doc('fine', { url: 'https://www.bad.example/x' }))).toBe('blocked_domain');
    expect(op.apply(doc('occasional casinos are fine', { url: 'https://good.example/' }))).toBeNull();
  });

  it('trains a quality classifier that separates prose from spam', () => {
    const good = PROSE.split('. ').flatMap((s) => [s, `${s} and more of the same kind`]);
    const bad = [
      'BUY NOW cheap pills $$$ click here',
      'win money fast click click click',
      'free free free offer now',
      'hot deals xxx click',
    ];
    const clf = new QualityClassifier();
    clf.train(good, bad);
    expect(clf.score('The members of the committee agreed to buy new books for the library')).toBeGreaterThan(0.5);
    expect(clf.score('click here for cheap pills now $$$')).toBeLessThan(0.5);
  });

  it('scores perplexity through an OpenAI-compatible endpoint with echo logprobs', async () => {
    const peer = await startOpenAIPeer((r) => {
      const prompt = String(r.body.prompt);
      const { tokens, text_offset } = wordTokens(prompt);
      // A "model" that finds English likely and everything else unlikely.
      const token_logprobs = tokens.map((t, i) => (i === 0 ? null : /^[\s\w.,]+$/.test(t) ? -1 : -8));
      return { logprobs: { tokens, token_logprobs, text_offset } };
    });
    try {
      const op = await perplexityOperator({ model: `${peer.url}@m`, maxPerplexity: 100 });
      const a = doc('the cat sat on the mat');
      expect(await op.apply(a)).toBeNull();
      expect(a.meta.perplexity).toBeCloseTo(Math.E, 2);
      expect(await op.apply(doc('猫 坐 在 垫子 上 了'))).toBe('high_perplexity');
      await op.close?.();
    } finally {
      await peer.close();
    }
  });

  it('drops documents that overlap GSM8K and MMLU test items', async (ctx) => {
    if (!hasShared('datasets', 'gsm8k', 'test.jsonl') || !hasShared('datasets', 'mmlu', 'test')) {
      console.log('skipped: ../shared/datasets/gsm8k/test.jsonl or mmlu/test is not present');
      ctx.skip();
    }
    const op = await decontaminateOperator({
      benchmarks: [sharedPath('datasets', 'gsm8k', 'test.jsonl'), sharedPath('datasets', 'mmlu', 'test')],
    });
    const leaked = `Here is a homework answer. Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four.`;
    expect(op.apply(doc(leaked))).toBe('benchmark_overlap');
    expect(op.apply(doc('Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q, as my teacher asked.'))).toBe(
      'benchmark_overlap',
    );
    expect(op.apply(doc(PROSE))).toBeNull();
  });
});

describe('readers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'puyu-readers-'));

  it('reads zstd JSONL, text by paragraph, HTML main text and Parquet', async () => {
    const log = new MalformedLog();
    const jsonl = join(dir, 'a.jsonl');
    writeFileSync(jsonl, `${JSON.stringify({ id: 1, text: 'zstd works' })}\n`);
    // The zstd file is made by the zstd command (Debian package zstd), a compressor written by others.
    if (spawnSync('zstd', ['--version'], { stdio: 'ignore' }).status === 0) {
      execFileSync('zstd', ['-q', '-f', jsonl, '-o', `${jsonl}.zst`]);
      const got = [];
      for await (const d of readDocs(`${jsonl}.zst`, log)) got.push(d.text);
      expect(got).toEqual(['zstd works']);
    } else console.log('skipped the .zst part: the zstd command (Debian package zstd) is not installed');

    writeFileSync(join(dir, 'b.txt'), 'para one\nline two\n\n\npara two\n');
    const paras = [];
    for await (const d of readDocs(join(dir, 'b.txt'), log, { split: 'paragraph' })) paras.push(d.text);
    expect(paras).toEqual(['para one\nline two', 'para two\n']);

    const html = `<html><head><title>T</title></head><body><nav><a href="/">Home</a> | <a href="/x">Menu</a></nav>
      <article><h1>Rivers</h1>${'<p>The river runs past the old mill and the children walk along its bank every morning before school, talking about the day ahead.</p>'.repeat(6)}</article>
      <footer>Copyright footer links</footer></body></html>`;
    writeFileSync(join(dir, 'c.html'), html);
    const pages = [];
    for await (const d of readDocs(join(dir, 'c.html'), log)) pages.push(d.text);
    expect(pages[0]).toMatch(/The river runs past the old mill/);
    expect(pages[0]).not.toMatch(/Copyright footer|Menu/);

    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'id', data: ['p1', 'p2'], type: 'STRING' },
        { name: 'text', data: ['parquet row one', 'parquet row two'], type: 'STRING' },
      ],
    });
    writeFileSync(join(dir, 'd.parquet'), Buffer.from(buf));
    const rows = [];
    for await (const d of readDocs(join(dir, 'd.parquet'), log)) rows.push([d.id, d.text]);
    expect(rows).toEqual([
      ['p1', 'parquet row one'],
      ['p2', 'parquet row two'],
    ]);
    expect(log.total).toBe(0);
  });

  it('counts, never throws on, a corrupt zstd file, a 40 MB line and a non-UTF-8 text file', async () => {
    const log = new MalformedLog();
    writeFileSync(join(dir, 'bad.jsonl.zst'), Buffer.from('not zstd at all'));
    for await (const _ of readDocs(join(dir, 'bad.jsonl.zst'), log)) expect.unreachable();
    writeFileSync(join(dir, 'long.jsonl'), `{"text":"${'x'.repeat(40 << 20)}"}\n{"text":"ok"}\n`);
    const texts = [];
    for await (const d of readDocs(join(dir, 'long.jsonl'), log)) texts.push(d.text);
    expect(texts).toEqual(['ok']);
    writeFileSync(join(dir, 'gbk.txt'), Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0xff]));
    for await (const _ of readDocs(join(dir, 'gbk.txt'), log)) expect.unreachable();
    expect(log.counts).toMatchObject({ unreadable_file: 1, line_too_long: 1, bad_encoding: 1 });
  });
});
