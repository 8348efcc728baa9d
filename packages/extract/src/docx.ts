/** DOCX → HTML through mammoth (Word's heading styles become h1–h6), then the HTML path. */
import mammoth from 'mammoth';
import { ExtractError } from './errors.js';
import { htmlToBlocks } from './html.js';
import type { Block } from './model.js';

export async function docxToBlocks(bytes: Uint8Array, name: string): Promise<{ blocks: Block[]; warnings: string[] }> {
  const images = new Map<string, { data: Uint8Array; ext: string }>();
  let n = 0;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes) },
      {
        convertImage: mammoth.images.imgElement(async (image) => {
          const data = await image.read();
          const src = `puyu-image-${++n}`;
          images.set(src, {
            data: new Uint8Array(data),
            ext: (image.contentType.split('/')[1] ?? 'bin').replace('jpeg', 'jpg').replace(/[^a-z0-9]/g, ''),
          });
          return { src };
        }),
      },
    );
    const { blocks } = htmlToBlocks(result.value, { readability: false, images });
    return { blocks, warnings: result.messages.filter((m) => m.type === 'error').map((m) => `${name}: ${m.message}`) };
  } catch (e) {
    throw new ExtractError(
      'EXTRACT_CORRUPT',
      `${name} is not a readable DOCX (${(e as Error).message}); re-save it from Word or LibreOffice.`,
      { cause: e },
    );
  }
}
