import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenAIPeer, startOpenAIPeer } from '@puyu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbedder } from './embedder.js';
import { ingestFolder } from './ingest.js';
import { openKnowledgeBase } from './knowledgeBase.js';
import { hashEmbedding } from './testkit.js';

// The embedding endpoint is @puyu/testing's fake OpenAI server answering hashed bag-of-words
// vectors (deterministic); the real served model is exercised in e2e.model.test.ts.
let peer: OpenAIPeer;
let dir: string;
beforeAll(async () => {
  peer = await startOpenAIPeer((r) => ({ embeddings: [r.body.input].flat().map((t) => hashEmbedding(String(t))) }));
  dir = await mkdtemp(join(tmpdir(), 'puyu-assistant-ingest-'));
});
afterAll(async () => {
  await peer.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ingest', () => {
  it('indexes Markdown, text and HTML, reports unreadable files, and re-ingests incrementally', async () => {
    const docs = join(dir, 'docs');
    const kb = join(dir, 'kb');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(docs, 'sub'), { recursive: true }));
    await writeFile(join(docs, 'apt.md'), '# APT\n\nUse apt install to add a package. apt remove deletes it.\n');
    await writeFile(join(docs, 'sub', 'net.txt'), '网络配置：编辑 /etc/network/interfaces 文件，然后重启 networking 服务。\n');
    await writeFile(
      join(docs, 'grub.html'),
      '<html><body><h1>GRUB</h1><p>The GRUB boot loader reads /boot/grub/grub.cfg at start-up.</p></body></html>',
    );
    await writeFile(join(docs, 'broken.pdf'), '%PDF-1.7 this is not really a pdf');
    await writeFile(join(docs, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    // A sparse 200 MiB file: refused by size before a byte is read.
    const big = await open(join(docs, 'huge.md'), 'w');
    await big.truncate(200 * 2 ** 20);
    await big.close();

    const embedder = await openEmbedder(`${peer.url}@hash-embed`);
    const first = await ingestFolder(docs, kb, { embedder, quiet: true });
    expect(first.added.sort()).toEqual(['apt.md', 'grub.html', 'sub/net.txt']);
    const skipped = Object.fromEntries(first.skipped.map((s) => [s.path, s.code]));
    expect(skipped).toEqual({
      'broken.pdf': expect.stringMatching(/^EXTRACT_|^ASSISTANT_/),
      'huge.md': 'ASSISTANT_FILE_TOO_LARGE',
      'latin1.txt': 'ASSISTANT_UNREADABLE_FILE',
    });
    expect(first.vectors).toBe(first.chunks);

    const calls = peer.requests.length;
    await writeFile(join(docs, 'apt.md'), '# APT\n\nUse apt install to add a package. apt purge also deletes its configuration.\n');
    await rm(join(docs, 'grub.html'));
    // The KB remembers its embedder: a second run without one still embeds the changed file.
    const second = await ingestFolder(docs, kb, { quiet: true });
    expect(second.updated).toEqual(['apt.md']);
    expect(second.unchanged).toEqual(['sub/net.txt']);
    expect(second.removed).toEqual(['grub.html']);
    expect(peer.requests.length).toBe(calls + 1);

    const opened = await openKnowledgeBase(kb, { logDecisions: false });
    try {
      expect(opened.stats()).toMatchObject({ files: 2, chunks: 2, vectors: 2 });
      for (const retriever of ['bm25', 'dense', 'hybrid'] as const) {
        const r = await opened.retrieve('how do I purge a package with apt', retriever);
        expect(r.hits[0]?.chunk.source, retriever).toBe('apt.md');
      }
      const zh = await opened.retrieve('怎么配置网络接口', 'bm25');
      expect(zh.hits[0]?.chunk.source).toBe('sub/net.txt');
      // Calibration stores a threshold per retriever in config.json.
      const cal = await opened.calibrate(
        ['How do I purge a package with apt?', '如何配置网络接口？'],
        ['Who won the 1998 World Cup?', '今天天气怎么样？'],
      );
      expect(Object.keys(cal).sort()).toEqual(['bm25', 'dense', 'hybrid']);
      expect(cal.bm25?.f1).toBe(1);
      const reopened = await openKnowledgeBase(kb, { logDecisions: false });
      expect(reopened.threshold('bm25')).toEqual({ value: cal.bm25?.threshold, calibrated: true });
      const yes = await reopened.decide('How can apt purge a package?', { retrievalOnly: true, retriever: 'bm25' });
      expect(yes).toMatchObject({ decision: 'answer', calibrated: true });
      expect(yes.citations?.[0]).toMatchObject({ n: 1, source: 'apt.md', headings: ['APT'] });
      // Retrieval only cites what clears the threshold on its own: the network note does not.
      expect(yes.citations).toHaveLength(1);
      const no = await reopened.decide('Who won the 1998 World Cup?', { retrievalOnly: true, retriever: 'bm25' });
      expect(no.decision).toBe('reject');
      expect(no.reason).toMatch(/< threshold/);
      await reopened.close();
    } finally {
      await opened.close();
    }
  });

  it('stops on an embedding failure with what it had saved, and a re-run resumes from there', async () => {
    let broken = true;
    const flaky = await startOpenAIPeer((r) => {
      const inputs = [r.body.input].flat().map(String);
      if (broken && inputs.some((t) => t.includes('zzz'))) return { status: 400, body: { error: { message: 'bad input' } } };
      return { embeddings: inputs.map((t) => hashEmbedding(t)) };
    });
    try {
      const docs = join(dir, 'resume-docs');
      await import('node:fs/promises').then((fs) => fs.mkdir(docs, { recursive: true }));
      await writeFile(join(docs, 'a.md'), '# A\n\nalpha text\n');
      await writeFile(join(docs, 'b.md'), '# B\n\nzzz breaks the embedder\n');
      await writeFile(join(docs, 'c.md'), '# C\n\ngamma text\n');
      const kb = join(dir, 'resume-kb');
      const embedder = await openEmbedder(`${flaky.url}@e`);
      await expect(ingestFolder(docs, kb, { embedder, quiet: true })).rejects.toMatchObject({
        code: 'ASSISTANT_EMBED_FAILED',
        message: expect.stringMatching(/PROVIDER_HTTP_400/),
      });
      broken = false;
      const again = await ingestFolder(docs, kb, { embedder, quiet: true });
      expect(again.unchanged).toEqual(['a.md']);
      expect(again.added).toEqual(['b.md', 'c.md']);
      expect(again).toMatchObject({ chunks: 3, vectors: 3 });
    } finally {
      await flaky.close();
    }
  });

  it('refuses to ingest an empty folder and to open a folder that is not a KB', async () => {
    const empty = join(dir, 'empty');
    await import('node:fs/promises').then((fs) => fs.mkdir(empty, { recursive: true }));
    await expect(ingestFolder(empty, join(dir, 'kb-empty'), { quiet: true })).rejects.toMatchObject({ code: 'ASSISTANT_NO_DOCUMENTS' });
    await expect(openKnowledgeBase(empty)).rejects.toMatchObject({ code: 'ASSISTANT_KB_NOT_FOUND' });
  });
});
