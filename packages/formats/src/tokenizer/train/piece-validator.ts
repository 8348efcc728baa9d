import type { ResolvedBpeOptions } from './trainer-options.js';
import { SCRIPT_INHERITED, trainerScriptOf } from './unicode-script.js';

const WS_CP = 0x2581;
const UNK_CP = 0x2585;
const ANY = -1;

function isDecimalDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0xff10 && c <= 0xff19);
}

/**
 * SentencePiece's IsValidSentencePiece: may these code points become one piece?
 * Rules: bounded length; no unk marker, NUL, tab or space; '▁' only as a prefix
 * (when splitting by whitespace); one script per piece (Inherited marks join their
 * base, digits are free when split_by_number is off); digits alone with split_digits.
 */
export function makePieceValidator(o: ResolvedBpeOptions): (cps: readonly number[]) => boolean {
  return (cps) => {
    const n = cps.length;
    if (n === 0 || n > o.maxSentencepieceLength) return false;
    let allWs = true;
    for (const c of cps) {
      if (c !== WS_CP) {
        allWs = false;
        break;
      }
    }
    let prev = ANY;
    for (let pos = 0; pos < n; pos++) {
      const c = cps[pos] as number;
      if (c === UNK_CP || c === 0 || c === 0x09 || c === 0x20) return false;
      if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return false;
      if (c === WS_CP) {
        if (!o.allowWhitespaceOnlyPieces || !allWs) {
          if ((o.splitByWhitespace && pos > 0) || (!o.splitByWhitespace && pos > 0 && pos === n - 1)) return false;
        }
        continue;
      }
      let s = trainerScriptOf(c);
      if (s === SCRIPT_INHERITED) s = prev;
      const digit = isDecimalDigit(c);
      if (!o.splitByNumber && digit) s = ANY;
      if (o.splitDigits && digit && n > 1) return false;
      if (o.splitByUnicodeScript && s !== ANY && prev !== ANY && prev !== s) return false;
      prev = s;
    }
    return true;
  };
}
