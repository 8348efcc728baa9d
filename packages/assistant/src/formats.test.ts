import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@puyu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFolder } from './ingest.js';
import { openKnowledgeBase } from './knowledgeBase.js';
import { makeZip } from './testkit.js';

// PDF and DOCX through @puyu/extract, on @puyu/extract's own fixtures: PDF chunks cite their page,
// and a DOCX that is a zip bomb is refused before mammoth inflates it.
const FIX = join(REPO_ROOT, 'packages/extract/src/fixtures');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'puyu-assistant-formats-'));
  await mkdir(join(dir, 'docs'));
  await cp(join(FIX, 'bench', 'en-report.pdf'), join(dir, 'docs', 'report.pdf'));
  await cp(join(FIX, 'docx', 'sample.docx'), join(dir, 'docs', 'sample.docx'));
  const bomb = makeZip([
    { name: 'word/document.xml', data: Buffer.alloc(30 * 2 ** 20, 32) },
    { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
  ]);
  await writeFile(join(dir, 'docs', 'bomb.docx'), bomb);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('PDF and DOCX ingest', () => {
  it('indexes both, cites PDF pages, and refuses a DOCX bomb', async () => {
    const r = await ingestFolder(join(dir, 'docs'), join(dir, 'kb'), { quiet: true });
    expect(r.added.sort()).toEqual(['report.pdf', 'sample.docx']);
    expect(r.skipped).toEqual([expect.objectContaining({ path: 'bomb.docx', code: 'ASSISTANT_ARCHIVE_BOMB' })]);
    const kb = await openKnowledgeBase(join(dir, 'kb'), { logDecisions: false });
    const pdfChunks = kb.stats().sources.find((s) => s.path === 'report.pdf')?.chunks ?? 0;
    expect(pdfChunks).toBeGreaterThan(1);
    const chunks = JSON.parse(await readFile(join(dir, 'kb', 'chunks.json'), 'utf8')) as { source: string; page?: number; start: number }[];
    const pdf = chunks.filter((c) => c.source === 'report.pdf');
    // Every PDF chunk has a page, pages never go backwards through the document, and more than one page is cited.
    expect(pdf.every((c) => typeof c.page === 'number' && c.page >= 1)).toBe(true);
    const pages = pdf.sort((a, b) => a.start - b.start).map((c) => c.page as number);
    expect(pages).toEqual([...pages].sort((a, b) => a - b));
    expect(new Set(pages).size).toBeGreaterThan(1);
    expect(chunks.filter((c) => c.source === 'sample.docx').every((c) => c.page === undefined)).toBe(true);
    await kb.close();
  }, 120_000);
});
