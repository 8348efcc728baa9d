import { PieceType } from './sentencepiece-proto.js';
import type { SentencePieceVocab } from './sentencepiece-vocab.js';

const FLT_MAX = 3.4028234663852886e38;
const FLT_MIN = 1.1754943508222875e-38;
/** SentencePiece's penalty below the lowest piece score for an unknown character. */
const UNK_PENALTY = 10;

interface TrieNode {
  id: number;
  children: Map<number, TrieNode>;
}

/**
 * SentencePiece's unigram `Model::EncodeOptimized` (unigram_model.cc): Viterbi
 * over all vocabulary pieces starting at each character, built on the fly.
 *
 * Arithmetic follows the C++ types so ties and near-ties resolve identically:
 * path scores are stored as float32, candidates are summed in double (the
 * ternary mixes a double user-defined bonus with float piece scores), and the
 * unknown-character score is float32 (min score − 10). Its `max_score_` starts
 * at FLT_MIN, not −FLT_MAX, which we keep too.
 */
export class SentencePieceUnigram {
  private readonly root: TrieNode = { id: -1, children: new Map() };
  private readonly maxScore: number;
  private readonly unkScore: number;

  constructor(
    private readonly vocab: SentencePieceVocab,
    private readonly byteFallback: boolean,
  ) {
    let min = FLT_MAX;
    let max = FLT_MIN;
    for (let i = 0; i < vocab.size; i++) {
      if (vocab.types[i] !== PieceType.NORMAL) continue;
      min = Math.min(min, vocab.scores[i]);
      max = Math.max(max, vocab.scores[i]);
    }
    this.maxScore = max;
    this.unkScore = Math.fround(min - UNK_PENALTY);
    for (const [piece, id] of vocab.mergeable) {
      let node = this.root;
      for (let k = 0; k < piece.length; k++) {
        const c = piece.charCodeAt(k);
        let child = node.children.get(c);
        if (child === undefined) {
          child = { id: -1, children: new Map() };
          node.children.set(c, child);
        }
        node = child;
      }
      node.id = id;
    }
  }

  /** Encodes a normalized string, appending ids to `out`. */
  encode(text: string, out: number[]): void {
    const n = text.length;
    if (n === 0) return;
    const { scores, types, unkId } = this.vocab;
    // Best path ending at each UTF-16 position: score (float32), start, id.
    const best = new Float64Array(n + 1);
    const startAt = new Int32Array(n + 1).fill(-1);
    const idAt = new Int32Array(n + 1);
    let start = 0;
    while (start < n) {
      const till = best[start];
      const c0 = text.charCodeAt(start);
      const charLen = c0 >= 0xd800 && c0 < 0xdc00 && start + 1 < n ? 2 : 1;
      let hasSingle = false;
      let node = this.root;
      let bytes = 0;
      for (let k = start; k < n; k++) {
        const c = text.charCodeAt(k);
        const next = node.children.get(c);
        if (next === undefined) break;
        node = next;
        // UTF-8 length of the text so far: surrogate halves count 2 bytes each.
        bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xe000 ? 2 : 3;
        const id = node.id;
        if (id < 0 || types[id] === PieceType.UNUSED) continue;
        const end = k + 1;
        const score = types[id] === PieceType.USER_DEFINED ? Math.fround(bytes * this.maxScore) - 0.1 : scores[id];
        const candidate = score + till;
        if (startAt[end] === -1 || candidate > best[end]) {
          best[end] = Math.fround(candidate);
          startAt[end] = start;
          idAt[end] = id;
        }
        if (end - start === charLen) hasSingle = true;
      }
      if (!hasSingle) {
        const end = start + charLen;
        const candidate = Math.fround(this.unkScore + till);
        if (startAt[end] === -1 || candidate > best[end]) {
          best[end] = candidate;
          startAt[end] = start;
          idAt[end] = unkId;
        }
      }
      start += charLen;
    }
    const path: number[] = [];
    for (let end = n; end > 0; end = startAt[end]) path.push(end);
    for (let i = path.length - 1; i >= 0; i--) {
      const end = path[i];
      const s = startAt[end];
      const id = idAt[end];
      if (id === unkId && this.byteFallback) this.emitBytes(text.slice(s, end), out);
      else out.push(id);
    }
  }

  private emitBytes(piece: string, out: number[]): void {
    const { byteIds, unkId } = this.vocab;
    for (const b of new TextEncoder().encode(piece)) out.push(byteIds[b] >= 0 ? byteIds[b] : unkId);
  }
}
