import { PieceType } from './sentencepiece-proto.js';
import type { SentencePieceVocab } from './sentencepiece-vocab.js';

const SPACE_SYMBOL_RE = /\u2581/g;
const REPLACEMENT = '\uFFFD';

/**
 * SentencePiece's `DecodeUTF8` validity rule for one character at `bytes[i]`:
 * returns its length, or 0 when the byte at `i` starts no valid character
 * (then SentencePiece emits one U+FFFD and moves on by a single byte — unlike
 * TextDecoder, which replaces a whole maximal invalid subsequence at once).
 */
function validCharLength(bytes: Uint8Array, i: number, end: number): number {
  const b0 = bytes[i];
  if (b0 < 0x80) return 1;
  const trail = (k: number) => i + k < end && (bytes[i + k] & 0xc0) === 0x80;
  const validCp = (cp: number) => cp < 0xd800 || (cp >= 0xe000 && cp <= 0x10ffff);
  if ((b0 & 0xe0) === 0xc0 && trail(1)) {
    const cp = ((b0 & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
    return cp >= 0x80 ? 2 : 0;
  }
  if ((b0 & 0xf0) === 0xe0 && trail(1) && trail(2)) {
    const cp = ((b0 & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
    return cp >= 0x800 && validCp(cp) ? 3 : 0;
  }
  if ((b0 & 0xf8) === 0xf0 && trail(1) && trail(2) && trail(3)) {
    const cp = ((b0 & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
    return cp >= 0x10000 && validCp(cp) ? 4 : 0;
  }
  return 0;
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Turns a run of byte pieces into text the way SentencePiece does. */
export function decodeBytePieces(bytes: Uint8Array, len: number): string {
  let out = '';
  let i = 0;
  while (i < len) {
    const n = validCharLength(bytes, i, len);
    if (n === 0) {
      out += REPLACEMENT;
      i++;
      continue;
    }
    // Extend over the following valid characters and decode them in one call.
    let j = i + n;
    while (j < len) {
      const m = validCharLength(bytes, j, len);
      if (m === 0) break;
      j += m;
    }
    out += utf8.decode(bytes.subarray(i, j));
    i = j;
  }
  return out;
}

export interface DecodeSettings {
  /** Strip one leading U+2581 from the first piece (SentencePiece does when the model adds a dummy prefix or removes extra spaces). */
  stripLeadingSpace: boolean;
  unkSurface: string;
}

/**
 * SentencePiece's `Decode`: control pieces vanish, `<unk>` shows its surface,
 * runs of byte pieces become UTF-8 text, U+2581 becomes a space.
 * `override` renders chosen ids with fixed text (HF added tokens).
 */
export function decodeIds(
  vocab: SentencePieceVocab,
  ids: ArrayLike<number>,
  settings: DecodeSettings,
  override?: Map<number, string | null>,
): string {
  let text = '';
  let bytes = new Uint8Array(64);
  let nBytes = 0;
  const flushBytes = () => {
    if (nBytes > 0) {
      text += decodeBytePieces(bytes, nBytes);
      nBytes = 0;
    }
  };
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const ov = override?.get(id);
    if (ov !== undefined) {
      flushBytes();
      if (ov !== null) text += ov;
      continue;
    }
    const type = vocab.types[id];
    if (type === PieceType.BYTE) {
      if (nBytes === bytes.length) {
        const b = new Uint8Array(bytes.length * 2);
        b.set(bytes);
        bytes = b;
      }
      bytes[nBytes++] = vocab.byteOfId[id];
      continue;
    }
    flushBytes();
    if (type === PieceType.CONTROL) continue;
    let piece = vocab.pieces[id];
    if (type === PieceType.UNKNOWN) {
      text += settings.unkSurface;
      continue;
    }
    // sentencepiece 0.1.97 strips it even with treat_whitespace_as_suffix (checked against it).
    if (text.length === 0 && settings.stripLeadingSpace && piece.startsWith('\u2581')) {
      piece = piece.slice(1);
    }
    text += piece.includes('\u2581') ? piece.replace(SPACE_SYMBOL_RE, ' ') : piece;
  }
  flushBytes();
  return text;
}
