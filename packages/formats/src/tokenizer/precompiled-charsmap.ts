import { TokenizerError } from '@puyu/core';

/**
 * SentencePiece's precompiled normalization map (`NormalizerSpec.precompiled_charsmap`):
 * a little-endian uint32 trie size, a Darts-clone double-array trie over UTF-8
 * bytes, then a blob of NUL-terminated replacement strings the trie values
 * point into. Rules like nmt_nfkc are compiled into this form at training time,
 * so applying it reproduces NFKC exactly as SentencePiece saw it.
 */
export class PrecompiledCharsmap {
  private readonly units: Uint32Array;
  private readonly normalized: Uint8Array;
  private readonly replacementCache = new Map<number, string>();

  constructor(blob: Uint8Array) {
    const bad = (why: string) =>
      new TokenizerError('TOKENIZER_BAD_CHARSMAP', `SentencePiece precompiled_charsmap is corrupt (${why}): re-export the model.`);
    if (blob.length <= 4) throw bad('shorter than its header');
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const trieSize = view.getUint32(0, true);
    if (trieSize >= blob.length - 4 + 1 || trieSize % 4 !== 0 || trieSize === 0) throw bad(`trie size ${trieSize}`);
    this.units = new Uint32Array(trieSize / 4);
    for (let i = 0; i < this.units.length; i++) this.units[i] = view.getUint32(4 + i * 4, true);
    this.normalized = blob.slice(4 + trieSize);
  }

  /**
   * Longest rule matching `bytes` at `pos` (Darts `commonPrefixSearch`):
   * returns [matched byte length, value offset] or undefined.
   */
  longestMatch(bytes: Uint8Array, pos: number, end: number): [number, number] | undefined {
    const units = this.units;
    let id = 0;
    let unit = units[0];
    id ^= offsetOf(unit);
    let bestLen = 0;
    let bestValue = 0;
    for (let i = pos; i < end; i++) {
      const c = bytes[i];
      id ^= c;
      if (id >= units.length) return bestLen > 0 ? [bestLen, bestValue] : undefined;
      unit = units[id];
      // label(): the low byte plus the top bit (set on leaf units, which never match a byte).
      if ((unit & 0x800000ff) >>> 0 !== c) break;
      id ^= offsetOf(unit);
      if ((unit >>> 8) & 1) {
        bestLen = i + 1 - pos;
        bestValue = units[id] & 0x7fffffff;
      }
    }
    return bestLen > 0 ? [bestLen, bestValue] : undefined;
  }

  /** The replacement text stored at `offset` (NUL-terminated UTF-8). */
  replacement(offset: number): string {
    let s = this.replacementCache.get(offset);
    if (s === undefined) {
      let end = offset;
      while (end < this.normalized.length && this.normalized[end] !== 0) end++;
      s = utf8.decode(this.normalized.subarray(offset, end));
      this.replacementCache.set(offset, s);
    }
    return s;
  }
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function offsetOf(unit: number): number {
  return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
}
