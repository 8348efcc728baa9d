import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePageRange } from './extract.js';

// Drives the real `puyu` binary (dist/ built by the suite's global setup) on the extractor's fixtures.
const ROOT = resolve(__dirname, '../../../..');
const BIN = join(ROOT, 'packages/cli/bin/puyu.js');
const FIX = join(ROOT, 'packages/extract/src/fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'puyu-cli-extract-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function puyu(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: tmp, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('puyu extract', () => {
  it('parses --pages ranges', () => {
    expect(parsePageRange('2-5')).toEqual({ from: 2, to: 5 });
    expect(parsePageRange('3')).toEqual({ from: 3, to: 3 });
    expect(parsePageRange('4-')).toEqual({ from: 4, to: Number.MAX_SAFE_INTEGER });
    for (const bad of ['0-2', '5-3', 'a', '1-2-3', '']) expect(() => parsePageRange(bad)).toThrow(/--pages must be/);
  });

  it('writes Markdown, content_list.json and middle.json for a PDF page range and a DOCX', () => {
    const out = join(tmp, 'out');
    const r = puyu(['extract', join(FIX, 'bench', 'tables.pdf'), join(FIX, 'docx', 'sample.docx'), '-o', out, '--pages', '2', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [pdf, docx] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(pdf).toMatchObject({ format: 'pdf', pages: 1, pageCount: 2, warnings: [] });
    expect(docx).toMatchObject({ format: 'docx' });
    const md = readFileSync(join(out, 'tables.md'), 'utf8');
    expect(md).toContain('| S-024 | 2026-06-26 | Shenyang | 100 |');
    expect(md).not.toContain('Quarterly Inventory Tables');
    const list = JSON.parse(readFileSync(join(out, 'tables_content_list.json'), 'utf8')) as { page_idx: number; type: string }[];
    expect(list.every((i) => i.page_idx === 1)).toBe(true);
    expect(list.some((i) => i.type === 'table')).toBe(true);
    const middle = JSON.parse(readFileSync(join(out, 'tables_middle.json'), 'utf8')) as {
      pdf_info: { page_idx: number; discarded_blocks: unknown[] }[];
    };
    expect(middle.pdf_info.map((p) => p.page_idx)).toEqual([1]);
    expect(existsSync(join(out, 'sample.md'))).toBe(true);
  });

  it('fails with one coded line and exit 2', () => {
    const cases: [string[], string][] = [
      [['extract', join(FIX, 'bench', 'tables.pdf'), '-o', tmp, '--pages', '3-1'], 'CLI_BAD_OPTION'],
      [['extract', join(FIX, 'bench', 'tables.pdf'), '-o', tmp, '--pages', '9'], 'EXTRACT_BAD_PAGE_RANGE'],
      [['extract', join(FIX, 'bad', 'encrypted.pdf'), '-o', tmp], 'EXTRACT_ENCRYPTED'],
      [['extract', join(tmp, 'missing.pdf'), '-o', tmp], 'CLI_INPUT_NOT_FOUND'],
    ];
    for (const [args, code] of cases) {
      const r = puyu(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^puyu: \\[${code}\\] `));
    }
  });
});
