/** One line of a byte stream: its bytes without the newline, or a note that it was too long to keep. */
export interface RawLine {
  /** The bytes (without \n; a trailing \r stays). Empty when `tooLong`. */
  bytes: Uint8Array;
  /** 1-based line number. */
  line: number;
  /** The line was longer than the limit: its bytes were skipped, not buffered. */
  tooLong: boolean;
  /** The length it had (all of it, also when too long). */
  length: number;
}

/**
 * Splits a byte stream on \n without decoding, so kept lines can be written back byte for byte,
 * and without ever buffering more than `maxLineBytes` of one line: a 100 MB line is skipped and
 * reported, not held in memory.
 */
export async function* splitLines(chunks: AsyncIterable<Uint8Array>, maxLineBytes = 32 << 20): AsyncGenerator<RawLine> {
  let parts: Uint8Array[] = [];
  let partLen = 0;
  let tooLong = false;
  let length = 0;
  let line = 0;
  for await (const chunk of chunks) {
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(10, start);
      const end = nl < 0 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      length += piece.length;
      if (!tooLong) {
        if (partLen + piece.length > maxLineBytes) {
          tooLong = true;
          parts = [];
          partLen = 0;
        } else if (piece.length > 0) {
          parts.push(piece);
          partLen += piece.length;
        }
      }
      if (nl < 0) {
        // Copy what we keep: the chunk's buffer may be reused by the stream.
        if (!tooLong && parts.length > 0 && parts[parts.length - 1] === piece) parts[parts.length - 1] = piece.slice();
        break;
      }
      line++;
      yield { bytes: tooLong ? new Uint8Array(0) : concat(parts, partLen), line, tooLong, length };
      parts = [];
      partLen = 0;
      tooLong = false;
      length = 0;
      start = nl + 1;
    }
  }
  if (length > 0 || partLen > 0) {
    line++;
    yield { bytes: tooLong ? new Uint8Array(0) : concat(parts, partLen), line, tooLong, length };
  }
}

function concat(parts: Uint8Array[], len: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
