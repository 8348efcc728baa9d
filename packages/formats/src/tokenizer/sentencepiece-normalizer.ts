import { TokenizerError } from '@puyu/core';
import { type NormalizerSpec, normalizerDefaults } from './sentencepiece-proto.js';

/** SentencePiece's visible space, U+2581. */
export const SPACE_SYMBOL = '\u2581';
// With the u flag, surrogate pairs are one code point, so \p{Cs} only matches lone halves.
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_G = /\p{Cs}/gu;

/**
 * SentencePiece's `Normalizer::Normalize` for models whose rule is `identity`
 * (no precompiled charsmap): only whitespace handling changes the text.
 *
 * Only ASCII ' ' counts as whitespace here, exactly as in SentencePiece: tabs,
 * newlines and U+3000 pass through and are tokenized as ordinary characters.
 * Charsmap rules (nmt_nfkc, nfkc, …) would rewrite characters before this step;
 * they are refused at load time rather than silently skipped, because a model
 * trained with NFKC and encoded without it yields different ids.
 */
export class SentencePieceNormalizer {
  readonly addDummyPrefix: boolean;
  readonly removeExtraWhitespaces: boolean;
  readonly escapeWhitespaces: boolean;
  readonly treatWhitespaceAsSuffix: boolean;

  constructor(spec: NormalizerSpec | undefined, treatWhitespaceAsSuffix: boolean) {
    const d = normalizerDefaults(spec);
    if (d.precompiledCharsmap.length > 0 || (d.name !== '' && d.name !== 'identity')) {
      throw new TokenizerError(
        'TOKENIZER_UNSUPPORTED_NORMALIZER',
        `SentencePiece normalization rule "${d.name}"${d.precompiledCharsmap.length > 0 ? ` with a ${d.precompiledCharsmap.length}-byte precompiled charsmap` : ''} is not supported: only "identity" models (such as InternLM2's) can be encoded. Retrain or re-export the model with --normalization_rule_name=identity.`,
        { details: { name: d.name, charsmapBytes: d.precompiledCharsmap.length } },
      );
    }
    this.addDummyPrefix = d.addDummyPrefix;
    this.removeExtraWhitespaces = d.removeExtraWhitespaces;
    this.escapeWhitespaces = d.escapeWhitespaces;
    this.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix;
  }

  /** Returns the normalized string SentencePiece's model sees (spaces escaped to U+2581). */
  normalize(input: string): string {
    // SentencePiece works on UTF-8 bytes; a lone surrogate has no UTF-8 form and
    // becomes U+FFFD when the JS string is encoded, so do the same up front.
    let text = LONE_SURROGATE.test(input) ? input.replace(LONE_SURROGATE_G, '\uFFFD') : input;
    const ws = this.escapeWhitespaces ? SPACE_SYMBOL : ' ';
    if (this.removeExtraWhitespaces) {
      // Leading spaces go and runs of spaces collapse to one (only ASCII ' ').
      let start = 0;
      while (start < text.length && text.charCodeAt(start) === 32) start++;
      if (start === text.length) return '';
      text = text.slice(start).replace(/ {2,}/g, ' ');
    } else if (text.length === 0) return '';
    let out = this.escapeWhitespaces ? text.replaceAll(' ', SPACE_SYMBOL) : text;
    if (this.addDummyPrefix && !this.treatWhitespaceAsSuffix) out = ws + out;
    if (this.removeExtraWhitespaces) {
      // SentencePiece trims trailing whitespace *after* escaping, so a literal
      // U+2581 at the end of the input is trimmed too (and may empty the text).
      let end = out.length;
      while (end > 0 && out.charCodeAt(end - 1) === ws.charCodeAt(0)) end--;
      out = out.slice(0, end);
    }
    if (this.addDummyPrefix && this.treatWhitespaceAsSuffix) out += ws;
    return out;
  }
}
