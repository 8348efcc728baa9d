import type { ResolvedBpeOptions } from './trainer-options.js';

/** U+2581, SentencePiece's visible whitespace. */
export const WS = '\u2581';
/** U+2585, what SentencePiece's trainer puts in place of characters outside the alphabet. */
export const UNK_CHAR = '\u2585';
/** Tab: where user-defined and control symbols were cut out of a training sentence. */
export const BOUNDARY_CHAR = '\t';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Normalizes one training line the way SentencePiece's Normalizer does with an
 * identity char map: drop leading/trailing spaces and collapse runs
 * when `removeExtraWhitespaces`, add the dummy prefix, and write ' ' as '▁'.
 * Returns "" for a line that is all spaces (the trainer drops it).
 */
export function normalizeForTraining(line: string, o: ResolvedBpeOptions): string {
  // Lone surrogates cannot be written as UTF-8; the reference reads them as U+FFFD.
  let s = line.replace(LONE_SURROGATE, '\uFFFD');
  if (o.removeExtraWhitespaces) {
    s = s.replace(/^ +| +$/g, '').replace(/ {2,}/g, ' ');
  }
  if (s.length === 0) return '';
  if (o.addDummyPrefix) s = ` ${s}`;
  return s.replaceAll(' ', WS);
}

/**
 * Replaces every occurrence of the meta pieces (unk/bos/eos/pad, control and
 * user-defined symbols, byte pieces) with a boundary tab, longest match first, so
 * the trainer never learns them as ordinary pieces nor merges across them.
 */
export class MetaPieceMatcher {
  private readonly byFirst = new Map<string, string[]>();

  constructor(pieces: Iterable<string>) {
    for (const p of pieces) {
      if (p.length === 0) continue;
      const first = p[0] as string;
      const list = this.byFirst.get(first) ?? [];
      list.push(p);
      this.byFirst.set(first, list);
    }
    // Longest first, so "<|im_start|>" wins over a hypothetical "<|im".
    for (const list of this.byFirst.values()) list.sort((a, b) => b.length - a.length);
  }

  replace(s: string): string {
    if (this.byFirst.size === 0) return s;
    let out = '';
    let last = 0;
    for (let i = 0; i < s.length; ) {
      const list = this.byFirst.get(s[i] as string);
      const hit = list?.find((p) => s.startsWith(p, i));
      if (hit) {
        out += s.slice(last, i) + BOUNDARY_CHAR;
        i += hit.length;
        last = i;
      } else i++;
    }
    return last === 0 ? s : out + s.slice(last);
  }
}

/**
 * Splits a normalized sentence into words, each starting at a '▁' (SentencePiece's
 * SplitIntoWords without treat_whitespace_as_suffix). With `allowWhitespaceOnly`,
 * a run of '▁' stays together as the start of the next word.
 */
export function splitIntoWords(s: string, allowWhitespaceOnly: boolean): string[] {
  const words: string[] = [];
  let start = 0;
  let inWsRun = false;
  for (let i = 0; i < s.length; i++) {
    const isWs = s.charCodeAt(i) === 0x2581;
    if (i > 0 && isWs && (!inWsRun || !allowWhitespaceOnly)) {
      words.push(s.slice(start, i));
      start = i;
      inWsRun = true;
    } else if (i === 0) inWsRun = true;
    if (inWsRun && !isWs) inWsRun = false;
  }
  if (s.length > 0) words.push(s.slice(start));
  return words;
}
