import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { ConfigError } from '@puyu/core/errors';
import type { Command } from 'commander';
import { intOption } from '../options.js';

interface ExtractFlags {
  output: string;
  pages?: string;
  json?: boolean;
  password?: string;
  ocr: boolean;
  images: boolean;
  pageTimeout: number;
}

/** "3-7", "3-", "5" → a 1-based inclusive range (checked against the page count by the extractor). */
export function parsePageRange(v: string): { from: number; to: number } {
  const m = /^\s*(\d+)\s*(?:-\s*(\d*)\s*)?$/.exec(v);
  const from = Number(m?.[1]);
  const to = m?.[2] === undefined ? from : m[2] === '' ? Number.MAX_SAFE_INTEGER : Number(m[2]);
  if (!m || from < 1 || to < from) throw new ConfigError('CLI_BAD_OPTION', `--pages must be A-B, A- or A (1-based, A ≤ B), got "${v}".`);
  return { from, to };
}

/** `puyu extract FILE… -o DIR`: PDF, DOCX and HTML to Markdown plus MinerU's JSON files (issue 13). */
export function registerExtractCommand(program: Command): void {
  program
    .command('extract')
    .description("Extract PDF, DOCX or HTML documents to Markdown and MinerU's content_list.json / middle.json")
    .argument('<files...>', 'documents to extract (.pdf, .docx, .html)')
    .requiredOption('-o, --output <dir>', 'folder for <name>.md, <name>_content_list.json, <name>_middle.json and images/')
    .option('--pages <range>', 'PDF page range, 1-based inclusive: A-B, A- or A')
    .option('--json', 'print one JSON summary line per document on stdout')
    .option('--password <pw>', 'password of an encrypted PDF')
    .option('--no-ocr', 'never OCR pages without a text layer (default: OCR when tesseract is installed)')
    .option('--no-images', 'do not save images')
    .option('--page-timeout <s>', 'seconds one page may take before it is skipped with a warning', intOption('--page-timeout'), 30)
    .action(async (files: string[], o: ExtractFlags) => {
      const range = o.pages === undefined ? undefined : parsePageRange(o.pages);
      for (const f of files) if (!existsSync(f)) throw new ConfigError('CLI_INPUT_NOT_FOUND', `${f} does not exist.`);
      // The extractor (pdfjs, mammoth, linkedom) loads only when this command runs.
      const { extractDocument, writeOutputs } = await import('@puyu/extract');
      for (const file of files) {
        const t0 = performance.now();
        const result = await extractDocument(file, {
          ...(range ? { pages: range } : {}),
          ...(o.password !== undefined ? { password: o.password } : {}),
          ocr: o.ocr ? 'auto' : 'off',
          images: o.images,
          pageTimeoutMs: o.pageTimeout * 1000,
          progress: process.stderr.isTTY === true || undefined,
        });
        const name = basename(file, extname(file));
        const written = await writeOutputs(result, o.output, name);
        const seconds = (performance.now() - t0) / 1000;
        const pages = result.pages.length || 1;
        if (o.json) {
          const summary = {
            file,
            format: result.format,
            pages,
            pageCount: result.pageCount,
            blocks: result.blocks.length,
            seconds: Math.round(seconds * 1000) / 1000,
            ocrPages: result.pages.filter((p) => p.source === 'ocr').length,
            noTextPages: result.pages.filter((p) => p.source === 'none').length,
            warnings: result.warnings,
            outputs: written,
          };
          process.stdout.write(`${JSON.stringify(summary)}\n`);
        } else {
          process.stdout.write(
            `${file}: ${result.format}, ${pages} page(s), ${result.blocks.length} blocks in ${seconds.toFixed(2)} s → ${written.markdown}\n`,
          );
          for (const w of result.warnings) process.stderr.write(`  warning: ${w}\n`);
        }
      }
    });
}
