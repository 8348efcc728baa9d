import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@puyu/testing';
import { describe, expect, it, vi } from 'vitest';
import { runPipeline } from '../pipeline/runPipeline.js';
import { MalformedLog } from './Malformed.js';
import { detectFormat, readDocs } from './readers.js';

// Counts how often @puyu/extract (and with it pdfjs and mammoth) is loaded: JSONL must not load it.
const extractLoads = vi.hoisted(() => ({ n: 0 }));
vi.mock('@puyu/extract', async (importOriginal) => {
  extractLoads.n++;
  return importOriginal();
});

// Real documents from @puyu/extract's own fixtures, read in place (linked, never copied here).
const FIX = join(REPO_ROOT, 'packages', 'extract', 'src', 'fixtures');
const REPORT_PDF = join(FIX, 'bench', 'en-report.pdf');
const SAMPLE_DOCX = join(FIX, 'docx', 'sample.docx');
const ENCRYPTED_PDF = join(FIX, 'bad', 'encrypted.pdf');

describe('PDF and DOCX inputs through @puyu/extract', () => {
  it('reads JSONL without loading @puyu/extract', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'puyu-data-docs-'));
    writeFileSync(join(dir, 'a.jsonl'), `${JSON.stringify({ id: 'a', text: 'plain' })}\n`);
    const texts: string[] = [];
    for await (const d of readDocs(join(dir, 'a.jsonl'), new MalformedLog())) texts.push(d.text);
    expect(texts).toEqual(['plain']);
    expect(extractLoads.n).toBe(0);
  });

  it('turns a PDF into one Markdown document with its page count, format and warnings', async () => {
    const log = new MalformedLog();
    const docs = [];
    for await (const d of readDocs(REPORT_PDF, log, { ocr: 'off' })) docs.push(d);
    expect(extractLoads.n).toBe(1);
    expect(log.total).toBe(0);
    expect(docs).toHaveLength(1);
    const [doc] = docs;
    expect(doc?.id).toBe('en-report.pdf');
    expect(doc?.text).toMatch(/^# Soil Moisture Monitoring in Terraced Farmland$/m);
    expect(doc?.text).toContain('capacitive sensors');
    expect(doc?.meta).toMatchObject({ source: REPORT_PDF, format: 'pdf' });
    expect(doc?.meta.pages).toBeGreaterThanOrEqual(2);
    expect(Array.isArray(doc?.meta.warnings)).toBe(true);
  });

  it('sniffs a PDF or DOCX saved without its extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'puyu-data-docs-'));
    symlinkSync(SAMPLE_DOCX, join(dir, 'memo'));
    symlinkSync(REPORT_PDF, join(dir, 'scan.bin'));
    writeFileSync(join(dir, 'notes.dat'), 'plain words');
    expect(await detectFormat(join(dir, 'memo'))).toBe('docx');
    expect(await detectFormat(join(dir, 'scan.bin'))).toBe('pdf');
    await expect(detectFormat(join(dir, 'notes.dat'))).rejects.toMatchObject({ code: 'DATA_UNKNOWN_FORMAT' });
    // A DOCX named .pdf: the extension picks the document reader, @puyu/extract's sniffing the format.
    symlinkSync(SAMPLE_DOCX, join(dir, 'misnamed.pdf'));
    const log = new MalformedLog();
    const formats: unknown[] = [];
    for await (const d of readDocs(join(dir, 'misnamed.pdf'), log)) formats.push(d.meta.format);
    expect([formats, log.total]).toEqual([['docx'], 0]);
  });

  it('runs a pipeline over docs/*.pdf and *.docx; a corrupt or encrypted file is a counted drop reason with its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'puyu-data-docs-'));
    const docs = join(dir, 'docs');
    mkdirSync(docs);
    symlinkSync(REPORT_PDF, join(docs, 'report.pdf'));
    symlinkSync(SAMPLE_DOCX, join(docs, 'survey.docx'));
    symlinkSync(ENCRYPTED_PDF, join(docs, 'locked.pdf'));
    // A PDF header followed by junk, and a PDF cut off after its first 300 bytes.
    writeFileSync(join(docs, 'junk.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x41)]));
    writeFileSync(join(docs, 'truncated.pdf'), readFileSync(REPORT_PDF).subarray(0, 300));
    writeFileSync(
      join(dir, 'p.yaml'),
      'name: docs\ninput: { paths: [docs/*.pdf, docs/*.docx], ocr: off }\noutput: { dir: out }\nsteps:\n  - exact_dedup: {}\n',
    );
    const r = await runPipeline(join(dir, 'p.yaml'), { silent: true });
    expect(r.units).toHaveLength(5);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as {
      read: number;
      kept: number;
      malformed: { counts: Record<string, number>; examples: Record<string, string[]> };
    };
    expect(report.read).toBe(2);
    expect(report.kept).toBe(2);
    expect(report.malformed.counts).toEqual({ extract_failed: 3 });
    const examples = report.malformed.examples.extract_failed?.join('\n') ?? '';
    for (const name of ['junk.pdf', 'truncated.pdf', 'locked.pdf']) expect(examples).toContain(join(docs, name));
    expect(examples).toMatch(/locked\.pdf: \[EXTRACT_ENCRYPTED\]/);
    expect(readFileSync(join(dir, 'out', 'report.md'), 'utf8')).toMatch(/\| extract_failed \| 3 \|/);
    const kept = r.units
      .flatMap((u) => u.outputs.filter((f) => f.endsWith('.jsonl')))
      .map((f) => readFileSync(join(dir, 'out', f), 'utf8').trim())
      .filter((line) => line !== '') // the failed files' shards are empty
      .map((line) => JSON.parse(line) as { id: string; text: string; format: string });
    expect(kept.map((d) => [d.id, d.format]).sort()).toEqual([
      ['report.pdf', 'pdf'],
      ['survey.docx', 'docx'],
    ]);
    expect(kept.find((d) => d.id === 'survey.docx')?.text).toMatch(/^# Harbour Survey 2026$/m);
    // Extraction is deterministic: a second run writes the same bytes (what resume relies on).
    writeFileSync(join(dir, 'p2.yaml'), readFileSync(join(dir, 'p.yaml'), 'utf8').replace('dir: out', 'dir: out2'));
    const again = await runPipeline(join(dir, 'p2.yaml'), { silent: true });
    const bytes = (root: string, units: typeof r.units) =>
      units.flatMap((u) => u.outputs.map((f) => [f, readFileSync(join(dir, root, f)).toString('base64')]));
    expect(bytes('out2', again.units)).toEqual(bytes('out', r.units));
  });
});
