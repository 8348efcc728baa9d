import { PrecompiledCharsmap } from './precompiled-charsmap.js';
import { type NormalizerSpec, normalizerDefaults } from './sentencepiece-proto.js';

/** SentencePiece's visible space, U+2581. */
export const SPACE_SYMBOL = '\u2581';
// With the u flag, surrogate pairs are one code point, so \p{Cs} only matches lone halves.
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_G = /\p{Cs}/gu;
const encoder = new TextEncoder();

/**
 * SentencePiece's `Normalizer::Normalize`.
 *
 * Models without a precompiled charsmap (rule "identity", e.g. InternLM2) take a
 * fast string path where only ASCII ' ' counts as whitespace: tabs, newlines and
 * U+3000 pass through as ordinary characters. Models with a charsmap (nmt_nfkc,
 * nfkc, …) rewrite the UTF-8 input rule by rule (longest match) first; user-defined
 * symbols are matched before the charsmap and left untouched, as SentencePiece does.
 */
export class SentencePieceNormalizer {
  readonly addDummyPrefix: boolean;
  readonly removeExtraWhitespaces: boolean;
  readonly escapeWhitespaces: boolean;
  readonly treatWhitespaceAsSuffix: boolean;
  private readonly charsmap: PrecompiledCharsmap | undefined;
  private readonly userDefined: Array<{ text: string; bytes: Uint8Array }>;

  constructor(spec: NormalizerSpec | undefined, treatWhitespaceAsSuffix: boolean, userDefined: string[] = []) {
    const d = normalizerDefaults(spec);
    this.addDummyPrefix = d.addDummyPrefix;
    this.removeExtraWhitespaces = d.removeExtraWhitespaces;
    this.escapeWhitespaces = d.escapeWhitespaces;
    this.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix;
    this.charsmap = d.precompiledCharsmap.length > 0 ? new PrecompiledCharsmap(d.precompiledCharsmap) : undefined;
    this.userDefined = userDefined.map((text) => ({ text, bytes: encoder.encode(text) })).sort((a, b) => b.bytes.length - a.bytes.length);
  }

  /** Returns the normalized string SentencePiece's model sees (spaces escaped to U+2581). */
  normalize(input: string): string {
    // SentencePiece works on UTF-8 bytes; a lone surrogate has no UTF-8 form and
    // becomes U+FFFD when the JS string is encoded, so do the same up front.
    const text = LONE_SURROGATE.test(input) ? input.replace(LONE_SURROGATE_G, '\uFFFD') : input;
    return this.charsmap ? this.normalizeWithCharsmap(text, this.charsmap) : this.normalizeIdentity(text);
  }

  private get ws(): string {
    return this.escapeWhitespaces ? SPACE_SYMBOL : ' ';
  }

  /** Trailing trim happens after escaping, so a literal U+2581 at the end is trimmed too. */
  private finish(out: string): string {
    const ws = this.ws;
    if (this.removeExtraWhitespaces) {
      let end = out.length;
      while (end > 0 && out.charCodeAt(end - 1) === ws.charCodeAt(0)) end--;
      out = out.slice(0, end);
    }
    if (this.addDummyPrefix && this.treatWhitespaceAsSuffix) out += ws;
    return out;
  }

  private normalizeIdentity(input: string): string {
    let text = input;
    if (this.removeExtraWhitespaces) {
      // Leading spaces go and runs of spaces collapse to one (only ASCII ' ').
      let start = 0;
      while (start < text.length && text.charCodeAt(start) === 32) start++;
      if (start === text.length) return '';
      text = text.slice(start).replace(/ {2,}/g, ' ');
    } else if (text.length === 0) return '';
    let out = this.escapeWhitespaces ? text.replaceAll(' ', SPACE_SYMBOL) : text;
    if (this.addDummyPrefix && !this.treatWhitespaceAsSuffix) out = this.ws + out;
    return this.finish(out);
  }

  private normalizeWithCharsmap(text: string, charsmap: PrecompiledCharsmap): string {
    const bytes = encoder.encode(text);
    const len = bytes.length;
    let pos = 0; // byte position
    let si = 0; // UTF-16 position of the same character
    // NormalizePrefix: what the next input unit becomes and how many bytes it consumes.
    let piece = '';
    let consumed = 0;
    let consumedUnits = 0;
    const prefix = (): void => {
      for (const u of this.userDefined) {
        if (u.bytes.length <= len - pos && u.bytes.every((b, k) => bytes[pos + k] === b)) {
          piece = u.text;
          consumed = u.bytes.length;
          consumedUnits = u.text.length;
          return;
        }
      }
      const m = charsmap.longestMatch(bytes, pos, len);
      if (m !== undefined) {
        piece = charsmap.replacement(m[1]);
        consumed = m[0];
        // Advance the UTF-16 index over the characters the rule consumed.
        let b = 0;
        let k = si;
        while (b < consumed) {
          const cp = text.codePointAt(k) as number;
          b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
          k += cp >= 0x10000 ? 2 : 1;
        }
        consumedUnits = k - si;
        return;
      }
      const cp = text.codePointAt(si) as number;
      consumedUnits = cp >= 0x10000 ? 2 : 1;
      piece = text.slice(si, si + consumedUnits);
      consumed = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    };
    if (this.removeExtraWhitespaces) {
      while (pos < len) {
        prefix();
        if (piece !== ' ') break;
        pos += consumed;
        si += consumedUnits;
      }
    }
    if (pos >= len) return '';
    let out = this.addDummyPrefix && !this.treatWhitespaceAsSuffix ? this.ws : '';
    let isPrevSpace = this.removeExtraWhitespaces;
    while (pos < len) {
      prefix();
      let sp = piece;
      if (isPrevSpace) {
        let k = 0;
        while (k < sp.length && sp.charCodeAt(k) === 32) k++;
        sp = sp.slice(k);
      }
      if (sp.length > 0) {
        out += this.escapeWhitespaces ? sp.replaceAll(' ', SPACE_SYMBOL) : sp;
        isPrevSpace = sp.charCodeAt(sp.length - 1) === 32;
      }
      pos += consumed;
      si += consumedUnits;
      if (!this.removeExtraWhitespaces) isPrevSpace = false;
    }
    return this.finish(out);
  }
}
