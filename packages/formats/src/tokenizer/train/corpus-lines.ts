import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { FormatError } from '@puyu/core';

export interface CorpusOptions {
  /** For `.jsonl` inputs: the string field holding the text (default "text"). */
  jsonlField?: string;
  /** Called after each chunk with the bytes read so far over all files and their total. */
  onBytes?: (done: number, total: number) => void;
}

const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes UTF-8 as SentencePiece reads it: each byte that does not start a valid
 * sequence becomes one U+FFFD (TextDecoder would fold a broken sequence into one),
 * so character counts, and thus the alphabet, match the reference trainer.
 */
export function decodeUtf8LikeSentencePiece(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    // Rare path: decode by hand.
  }
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    let need = 0;
    let cp = 0;
    let min = 0;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    if (b >= 0xc2 && b <= 0xdf) [need, cp, min] = [1, b & 0x1f, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, cp, min] = [2, b & 0x0f, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, cp, min] = [3, b & 0x07, 0x10000];
    let ok = need > 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
      out += String.fromCodePoint(cp);
      i += need + 1;
    } else {
      out += '\uFFFD';
      i++;
    }
  }
  return out;
}

/**
 * Lines of text files, or of one field of JSONL files (a record's text is split at
 * newlines, since the trainer sees one sentence per line). A trailing '\r' is
 * dropped so CRLF files train like LF files.
 */
export async function* readCorpusLines(paths: string[], options: CorpusOptions = {}): AsyncGenerator<string> {
  const field = options.jsonlField ?? 'text';
  let total = 0;
  for (const p of paths) {
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(p);
    } catch (e) {
      throw new FormatError('CORPUS_NOT_FOUND', `Cannot read corpus file ${p}: check the path.`, { cause: e });
    }
    if (!st.isFile())
      throw new FormatError('CORPUS_NOT_A_FILE', `Corpus input ${p} is not a file; list the text or .jsonl files themselves.`);
    total += st.size;
  }
  let done = 0;
  for (const p of paths) {
    const jsonl = /\.jsonl$/i.test(p);
    let lineNo = 0;
    for await (const line of fileLines(p, (n) => {
      done += n;
      options.onBytes?.(done, total);
    })) {
      lineNo++;
      if (!jsonl) {
        yield line;
        continue;
      }
      if (line.trim() === '') continue;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch (e) {
        throw new FormatError('CORPUS_BAD_JSONL', `${p}:${lineNo} is not valid JSON; fix the line or pass a text file.`, {
          cause: e,
        });
      }
      const v = (rec as Record<string, unknown> | null)?.[field];
      if (typeof v !== 'string') {
        throw new FormatError(
          'CORPUS_MISSING_FIELD',
          `${p}:${lineNo} has no string field "${field}"; choose the text field with jsonlField / --jsonl-field.`,
        );
      }
      for (const l of v.split('\n')) yield l.endsWith('\r') ? l.slice(0, -1) : l;
    }
  }
}

async function* fileLines(path: string, onChunk: (n: number) => void): AsyncGenerator<string> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    onChunk(buf.length);
    const data = pending.length > 0 ? Buffer.concat([pending, buf]) : buf;
    let start = 0;
    for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, start)) {
      yield lineOf(data.subarray(start, i));
      start = i + 1;
    }
    pending = data.subarray(start);
  }
  if (pending.length > 0) yield lineOf(pending);
}

function lineOf(bytes: Uint8Array): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
  return decodeUtf8LikeSentencePiece(bytes.subarray(0, end));
}
