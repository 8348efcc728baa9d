import { TokenizerError } from '@puyu/core';
import { type ModelProto, PieceType } from './sentencepiece-proto.js';

/**
 * The lookup tables SentencePiece's `ModelBase::InitializePieces` builds:
 * NORMAL, USER_DEFINED and UNUSED pieces can be produced by merges
 * (`mergeable`); CONTROL, UNKNOWN and BYTE pieces are reserved and only reached
 * by exact lookup, where they take precedence (`reserved`, checked first by `pieceToId`).
 */
export class SentencePieceVocab {
  readonly pieces: string[];
  readonly scores: Float32Array;
  readonly types: Uint8Array;
  /** Pieces a BPE merge may create (SentencePiece's `pieces_`). */
  readonly mergeable = new Map<string, number>();
  /** CONTROL, UNKNOWN and BYTE pieces (SentencePiece's `reserved_id_map_`). */
  readonly reserved = new Map<string, number>();
  readonly unkId: number;
  /** Id of `<0xXX>` for every byte, or -1 when the model has no such piece. */
  readonly byteIds = new Int32Array(256).fill(-1);
  /** Byte value of each BYTE piece id, -1 for other ids. */
  readonly byteOfId: Int16Array;
  readonly userDefined: string[] = [];
  /** True when some string is both reserved and mergeable (then lookup must re-check). */
  readonly reservedShadowsMergeable: boolean;
  readonly hasUnused: boolean;

  constructor(proto: ModelProto) {
    const n = proto.pieces.length;
    this.pieces = new Array(n);
    this.scores = new Float32Array(n);
    this.types = new Uint8Array(n);
    this.byteOfId = new Int16Array(n).fill(-1);
    const reserved = this.reserved;
    let unk = -1;
    let hasUnused = false;
    for (let i = 0; i < n; i++) {
      const p = proto.pieces[i];
      const piece = p.piece ?? '';
      const type = p.type ?? PieceType.NORMAL;
      if (piece === '') {
        throw new TokenizerError('TOKENIZER_EMPTY_PIECE', `SentencePiece model piece ${i} is empty: the model is corrupt.`);
      }
      if (type < PieceType.NORMAL || type > PieceType.BYTE) {
        throw new TokenizerError(
          'TOKENIZER_BAD_PIECE_TYPE',
          `SentencePiece model piece ${i} ("${piece}") has unknown type ${type}: the model is corrupt or from an unsupported SentencePiece version.`,
        );
      }
      this.pieces[i] = piece;
      this.scores[i] = p.score ?? 0;
      this.types[i] = type;
      const isMergeable = type === PieceType.NORMAL || type === PieceType.USER_DEFINED || type === PieceType.UNUSED;
      const target = isMergeable ? this.mergeable : reserved;
      if (target.has(piece)) {
        throw new TokenizerError(
          'TOKENIZER_DUPLICATE_PIECE',
          `SentencePiece model defines piece "${piece}" twice (ids ${target.get(piece)} and ${i}): the model is corrupt.`,
        );
      }
      target.set(piece, i);
      if (type === PieceType.USER_DEFINED) this.userDefined.push(piece);
      if (type === PieceType.UNUSED) hasUnused = true;
      if (type === PieceType.UNKNOWN) {
        if (unk >= 0) {
          throw new TokenizerError('TOKENIZER_MULTIPLE_UNK', `SentencePiece model has two UNKNOWN pieces (ids ${unk} and ${i}).`);
        }
        unk = i;
      }
      if (type === PieceType.BYTE) {
        const m = /^<0x([0-9A-F]{2})>$/.exec(piece);
        if (!m) {
          throw new TokenizerError('TOKENIZER_BAD_BYTE_PIECE', `Byte piece ${i} is "${piece}", expected the form <0xXX>.`);
        }
        const b = Number.parseInt(m[1], 16);
        this.byteIds[b] = i;
        this.byteOfId[i] = b;
      }
    }
    if (unk < 0) {
      throw new TokenizerError(
        'TOKENIZER_NO_UNK',
        'SentencePiece model has no UNKNOWN piece: it is corrupt (every SentencePiece model defines <unk>).',
      );
    }
    this.unkId = unk;
    this.hasUnused = hasUnused;
    let shadow = false;
    for (const k of reserved.keys()) if (this.mergeable.has(k)) shadow = true;
    this.reservedShadowsMergeable = shadow;
  }

  get size(): number {
    return this.pieces.length;
  }

  /** SentencePiece's `PieceToId`: reserved pieces first, then mergeable ones, else UNK. */
  pieceToId(piece: string): number {
    return this.reserved.get(piece) ?? this.mergeable.get(piece) ?? this.unkId;
  }
}
