import { stat } from 'node:fs/promises';
import type { MalformedLog } from './Malformed.js';
import { readBytes } from './openBytes.js';
import { splitLines } from './splitLines.js';

/** One document as every operator sees it. */
export interface Doc {
  id: string;
  text: string;
  /** The parsed JSON object (JSONL) or reader metadata (source path, url, …). */
  meta: Record<string, unknown>;
}

export interface JsonlRecord {
  doc: Doc;
  /** The line's original bytes, so a dedup stage can write kept lines unchanged. */
  raw: Uint8Array;
}

export interface JsonlReadOptions {
  /** The field holding the text (default "text"). */
  textField?: string;
  /** The field holding the id (default "id"; missing ids become `<file>:<line>`). */
  idField?: string;
  maxLineBytes?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Documents of a JSONL file (plain, .gz or .zst). Broken JSON, non-objects, lines without a
 * string text field, invalid UTF-8, over-long lines, empty and unreadable files are counted in
 * `log` with examples and skipped.
 */
export async function* readJsonlDocs(path: string, log: MalformedLog, o: JsonlReadOptions = {}): AsyncGenerator<JsonlRecord> {
  const textField = o.textField ?? 'text';
  const idField = o.idField ?? 'id';
  let any = false;
  try {
    if ((await stat(path)).size === 0) {
      log.add('empty_file', path);
      return;
    }
    for await (const line of splitLines(readBytes(path), o.maxLineBytes)) {
      const where = `${path}:${line.line}`;
      if (line.tooLong) {
        log.add('line_too_long', where, `${line.length} bytes`);
        continue;
      }
      if (line.bytes.length === 0 || (line.bytes.length === 1 && line.bytes[0] === 13)) continue;
      any = true;
      let s: string;
      try {
        s = utf8.decode(line.bytes);
      } catch {
        log.add('bad_encoding', where, Buffer.from(line.bytes.subarray(0, 60)).toString('latin1'));
        continue;
      }
      let v: unknown;
      try {
        v = JSON.parse(s);
      } catch {
        log.add(looksBinary(s) ? 'binary' : 'bad_json', where, s);
        continue;
      }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        log.add('not_an_object', where, s);
        continue;
      }
      const obj = v as Record<string, unknown>;
      const text = obj[textField];
      if (typeof text !== 'string') {
        log.add('no_text', where, s);
        continue;
      }
      const idv = obj[idField];
      const id = typeof idv === 'string' || typeof idv === 'number' ? String(idv) : `${path}:${line.line}`;
      yield { doc: { id, text, meta: obj }, raw: line.bytes };
    }
    if (!any) log.add('empty_file', path);
  } catch (e) {
    log.add('unreadable_file', path, e instanceof Error ? e.message : String(e));
  }
}

/** Many NULs or other C0 controls: a binary file, not a broken JSON line. */
export function looksBinary(s: string): boolean {
  let ctrl = 0;
  const n = Math.min(s.length, 512);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 9 || (c > 13 && c < 32) || c === 0xfffd) ctrl++;
  }
  return ctrl > n * 0.05;
}
