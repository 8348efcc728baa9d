/**
 * Garbled text layers: fonts with broken or missing ToUnicode maps give private-use code
 * points, U+FFFD, control characters, or runs of glyph names with no letters. A page whose
 * share of such characters passes a threshold is treated as having no usable text.
 */
export const GARBLED_THRESHOLD = 0.1;

export function garbledRatio(text: string): number {
  let bad = 0;
  let total = 0;
  for (const ch of text) {
    if (/\s/.test(ch)) continue;
    total++;
    const cp = ch.codePointAt(0) as number;
    const privateUse = (cp >= 0xe000 && cp <= 0xf8ff) || cp >= 0xf0000;
    const control = cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
    if (privateUse || control || cp === 0xfffd) bad++;
  }
  return total ? bad / total : 0;
}
