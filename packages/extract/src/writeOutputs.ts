/**
 * Writes one result as MinerU lays its outputs out: DIR/<name>.md, DIR/<name>_content_list.json,
 * DIR/<name>_middle.json, and images under DIR/images/ (paths in the Markdown are relative to DIR).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { toMarkdown } from './markdown.js';
import { contentList, middleJson } from './mineru.js';
import type { ExtractResult } from './model.js';

export interface WrittenFiles {
  markdown: string;
  contentList: string;
  middle: string;
  images: string[];
}

export async function writeOutputs(result: ExtractResult, dir: string, name: string): Promise<WrittenFiles> {
  await mkdir(dir, { recursive: true });
  const images: string[] = [];
  for (const b of result.blocks) {
    if (b.type !== 'image' || !b.data || !b.path) continue;
    // Images of several documents share DIR/images: prefix with the document name.
    b.path = join('images', `${name}-${b.path.replace(/^images\//, '')}`);
    const file = join(dir, b.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, b.data);
    images.push(file);
    delete b.data;
  }
  const md = join(dir, `${name}.md`);
  const cl = join(dir, `${name}_content_list.json`);
  const mid = join(dir, `${name}_middle.json`);
  await writeFile(md, toMarkdown(result.blocks));
  await writeFile(cl, `${JSON.stringify(contentList(result), null, 2)}\n`);
  await writeFile(mid, `${JSON.stringify(middleJson(result))}\n`);
  return { markdown: md, contentList: cl, middle: mid, images };
}
