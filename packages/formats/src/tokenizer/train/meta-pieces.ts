import { TokenizerError } from '@puyu/core';
import { PieceType } from '../sentencepiece-proto.js';
import type { ResolvedBpeOptions } from './trainer-options.js';

export interface MetaPiece {
  piece: string;
  type: number;
}

/** `<0x0A>`: SentencePiece's name of a byte-fallback piece. */
export function bytePiece(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/**
 * Where the non-learned pieces go (SentencePiece's InitMetaPieces): unk/bos/eos/pad
 * at their configured ids, then control symbols, user-defined symbols and the 256
 * byte pieces in the lowest free ids. A control or user symbol spelled like bos/eos/pad
 * only changes that piece's type.
 */
export function layoutMetaPieces(o: ResolvedBpeOptions): Map<number, MetaPiece> {
  const meta = new Map<number, MetaPiece>();
  const fail = (msg: string): never => {
    throw new TokenizerError('TOKENIZER_TRAIN_BAD_SPECIAL_PIECES', msg);
  };
  let hasUnk = false;
  const placeId = (id: number, piece: string, what: string) => {
    if (id < 0) return;
    if (id >= o.vocabSize) fail(`${what} id ${id} is outside the vocabulary (size ${o.vocabSize}).`);
    if (meta.has(id)) fail(`${what} id ${id} is already used by ${meta.get(id)?.piece}; give each special piece its own id.`);
    if (hasUnk && piece === o.unkPiece) fail(`${what} piece must differ from the unk piece ${o.unkPiece}.`);
    if (piece === o.unkPiece) hasUnk = true;
    meta.set(id, { piece, type: piece === o.unkPiece ? PieceType.UNKNOWN : PieceType.CONTROL });
  };
  placeId(o.unkId, o.unkPiece, 'unk');
  placeId(o.bosId, o.bosPiece, 'bos');
  placeId(o.eosId, o.eosPiece, 'eos');
  placeId(o.padId, o.padPiece, 'pad');
  if (!hasUnk) fail(`The unk piece ${o.unkPiece} must have an id (unkId >= 0).`);

  const seen = new Set<string>();
  let id = 0;
  const placeSymbol = (piece: string, type: number) => {
    if (seen.has(piece)) fail(`Symbol ${JSON.stringify(piece)} is listed twice; list each symbol once.`);
    seen.add(piece);
    if (piece === o.unkPiece) fail(`${o.unkPiece} cannot be a control or user-defined symbol.`);
    if (piece === o.bosPiece && o.bosId >= 0) (meta.get(o.bosId) as MetaPiece).type = type;
    else if (piece === o.eosPiece && o.eosId >= 0) (meta.get(o.eosId) as MetaPiece).type = type;
    else if (piece === o.padPiece && o.padId >= 0) (meta.get(o.padId) as MetaPiece).type = type;
    else {
      while (meta.has(id)) id++;
      meta.set(id, { piece, type });
    }
  };
  for (const s of o.controlSymbols) placeSymbol(s, PieceType.CONTROL);
  for (const s of o.userDefinedSymbols) placeSymbol(s, PieceType.USER_DEFINED);
  if (o.byteFallback) for (let b = 0; b < 256; b++) placeSymbol(bytePiece(b), PieceType.BYTE);
  return meta;
}
