import { readFileSync } from 'node:fs';
import { FormatError, TokenizerError } from '@puyu/core';
import { SentencePieceBpe } from './sentencepiece-bpe.js';
import { type DecodeSettings, decodeIds } from './sentencepiece-decoder.js';
import { SentencePieceNormalizer } from './sentencepiece-normalizer.js';
import { decodeModelProto, type ModelProto, ModelType, PieceType, trainerDefaults } from './sentencepiece-proto.js';
import { SentencePieceUnigram } from './sentencepiece-unigram.js';
import { SentencePieceVocab } from './sentencepiece-vocab.js';
import { SpecialTokenSplitter } from './special-token-splitter.js';

export interface EncodeOptions {
  /** Prepend the BOS id (default false). */
  addBos?: boolean;
  /** Append the EOS id (default false). */
  addEos?: boolean;
  /** Recognize added/special token strings (e.g. `<|im_start|>`) in the text and emit their ids, as HF does. */
  parseSpecial?: boolean;
}

export interface DecodeOptions {
  /** Drop added/special tokens instead of rendering their text. */
  skipSpecial?: boolean;
}

/** An HF-style added token: id and the exact text it stands for. */
export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
}

/**
 * SentencePiece's `Encode` emits a run of adjacent unknown pieces as one `<unk>`
 * (so decode shows one ⁇ per unknown span); with byte fallback they become bytes instead.
 */
function mergeUnknownRuns(out: number[], start: number, unkId: number): void {
  let w = start;
  for (let r = start; r < out.length; r++) {
    if (out[r] === unkId && w > start && out[w - 1] === unkId) continue;
    out[w++] = out[r];
  }
  out.length = w;
}

const MODEL_TYPE_NAMES: Record<number, string> = { 1: 'unigram', 2: 'bpe', 3: 'word', 4: 'char' };

/**
 * A SentencePiece (BPE or unigram) tokenizer that reproduces `sentencepiece`'s ids exactly
 * (verified line by line against the Python library on the InternLM2 model),
 * plus HF-style added tokens for chat markup.
 */
export class SentencePieceTokenizer {
  readonly proto: ModelProto;
  readonly vocab: SentencePieceVocab;
  readonly bosId: number;
  readonly eosId: number;
  readonly unkId: number;
  readonly padId: number;
  private readonly normalizer: SentencePieceNormalizer;
  /** The segmentation model: BPE merges or unigram Viterbi. */
  private readonly model: { encode(normalized: string, out: number[]): void };
  private readonly decodeSettings: DecodeSettings;
  private readonly byteFallback: boolean;
  private added: AddedToken[] = [];
  private splitter: SpecialTokenSplitter | undefined;
  private readonly addedById = new Map<number, string>();

  private constructor(proto: ModelProto) {
    this.proto = proto;
    const t = trainerDefaults(proto.trainerSpec);
    if (t.modelType !== ModelType.BPE && t.modelType !== ModelType.UNIGRAM) {
      const name = MODEL_TYPE_NAMES[t.modelType] ?? `type ${t.modelType}`;
      throw new TokenizerError(
        'TOKENIZER_UNSUPPORTED_MODEL_TYPE',
        `SentencePiece model type "${name}" is not supported: only BPE models (InternLM2, Llama 2, …) can be encoded. Use a BPE model or train one with \`puyu tokenizer train\`.`,
        { details: { modelType: t.modelType } },
      );
    }
    this.vocab = new SentencePieceVocab(proto);
    this.byteFallback = t.byteFallback;
    this.normalizer = new SentencePieceNormalizer(proto.normalizerSpec, t.treatWhitespaceAsSuffix, this.vocab.userDefined);
    this.model =
      t.modelType === ModelType.BPE
        ? new SentencePieceBpe(this.vocab, t.byteFallback)
        : new SentencePieceUnigram(this.vocab, t.byteFallback);
    // SentencePiece resolves the special ids by their pieces; -1 means "disabled".
    const idOf = (piece: string, type: number) => {
      const id = this.vocab.reserved.get(piece) ?? this.vocab.mergeable.get(piece);
      return id !== undefined && this.vocab.types[id] === type ? id : -1;
    };
    this.unkId = this.vocab.unkId;
    this.bosId = idOf(t.bosPiece, PieceType.CONTROL);
    this.eosId = idOf(t.eosPiece, PieceType.CONTROL);
    this.padId = idOf(t.padPiece, PieceType.CONTROL);
    const n = proto.normalizerSpec;
    this.decodeSettings = {
      stripLeadingSpace: (n?.addDummyPrefix ?? true) || (n?.removeExtraWhitespaces ?? true),
      unkSurface: t.unkSurface,
    };
  }

  /** Loads a `.model` file (path) or its bytes. */
  static load(source: string | Uint8Array): SentencePieceTokenizer {
    let bytes: Uint8Array;
    if (typeof source === 'string') {
      try {
        bytes = new Uint8Array(readFileSync(source));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new TokenizerError(
          code === 'ENOENT' ? 'TOKENIZER_MODEL_NOT_FOUND' : 'TOKENIZER_MODEL_UNREADABLE',
          code === 'ENOENT'
            ? `SentencePiece model not found: ${source}. Pass the path of a tokenizer.model file.`
            : `Cannot read SentencePiece model ${source} (${code ?? String(e)}): check the path and permissions.`,
          { cause: e },
        );
      }
    } else bytes = source;
    let proto: ModelProto;
    try {
      proto = decodeModelProto(bytes);
    } catch (e) {
      if (e instanceof FormatError) {
        throw new TokenizerError(
          'TOKENIZER_MODEL_CORRUPT',
          `Not a valid SentencePiece model${typeof source === 'string' ? ` (${source})` : ''}: ${e.message}`,
          { cause: e, details: { protoCode: e.code } },
        );
      }
      throw e;
    }
    return new SentencePieceTokenizer(proto);
  }

  static fromProto(proto: ModelProto): SentencePieceTokenizer {
    return new SentencePieceTokenizer(proto);
  }

  /** SentencePiece pieces plus any added tokens HF placed after them (ids ≥ the model's size). */
  get vocabSize(): number {
    let size = this.vocab.size;
    for (const t of this.added) size = Math.max(size, t.id + 1);
    return size;
  }

  /** Added tokens currently registered (see `addTokens`). */
  get addedTokens(): readonly AddedToken[] {
    return this.added;
  }

  /**
   * Registers HF-style added tokens. With `parseSpecial` their text is matched
   * before SentencePiece sees the input; decode renders them as their text.
   * Ids past the SentencePiece vocabulary extend it, as HF does for e.g. a
   * `<pad>` appended to a Llama tokenizer.
   */
  addTokens(tokens: AddedToken[]): void {
    for (const t of tokens) {
      // The bound keeps a typo like 1e9 from making every later id "valid".
      if (!Number.isInteger(t.id) || t.id < 0 || t.id >= this.vocab.size + 65536) {
        throw new TokenizerError(
          'TOKENIZER_BAD_ADDED_TOKEN',
          `Added token "${t.content}" has id ${t.id}, which is negative or far past the ${this.vocab.size}-piece SentencePiece vocabulary. Fix tokenizer_config.json.`,
        );
      }
      if (t.content === '') {
        throw new TokenizerError('TOKENIZER_BAD_ADDED_TOKEN', `Added token ${t.id} has empty content. Fix tokenizer_config.json.`);
      }
      this.added = this.added.filter((a) => a.id !== t.id && a.content !== t.content);
      this.added.push(t);
    }
    this.addedById.clear();
    for (const t of this.added) this.addedById.set(t.id, t.content);
    this.splitter = new SpecialTokenSplitter(this.added.map((t) => [t.content, t.id] as const));
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    if (typeof text !== 'string') {
      throw new TokenizerError('TOKENIZER_BAD_INPUT', `encode() needs a string, got ${typeof text}.`);
    }
    const out: number[] = [];
    if (options.addBos) out.push(this.requireSpecial(this.bosId, 'BOS'));
    if (options.parseSpecial && this.splitter) {
      this.splitter.split(
        text,
        (segment) => this.encodePlain(segment, out),
        (id) => out.push(id),
      );
    } else this.encodePlain(text, out);
    if (options.addEos) out.push(this.requireSpecial(this.eosId, 'EOS'));
    return out;
  }

  private encodePlain(text: string, out: number[]): void {
    const start = out.length;
    this.model.encode(this.normalizer.normalize(text), out);
    if (!this.byteFallback) mergeUnknownRuns(out, start, this.unkId);
  }

  private requireSpecial(id: number, what: string): number {
    if (id < 0) {
      throw new TokenizerError('TOKENIZER_NO_SPECIAL_ID', `This SentencePiece model has no ${what} piece, so it cannot be added.`);
    }
    return id;
  }

  encodeAsPieces(text: string, options: EncodeOptions = {}): string[] {
    return this.encode(text, options).map((id) => this.addedById.get(id) ?? this.vocab.pieces[id]);
  }

  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') {
      throw new TokenizerError('TOKENIZER_BAD_INPUT', 'decode() needs an array of token ids.');
    }
    for (let i = 0; i < ids.length; i++) this.checkId(ids[i]);
    let override: Map<number, string | null> | undefined;
    if (this.addedById.size > 0) {
      override = new Map();
      for (const [id, content] of this.addedById) {
        // Control pieces (<s>, </s>) stay invisible as in SentencePiece; other
        // added tokens (chat markup) render as their text unless skipped.
        const type = this.vocab.types[id];
        if (type === PieceType.CONTROL || type === PieceType.UNKNOWN) continue;
        override.set(id, options.skipSpecial ? null : content);
      }
    }
    return decodeIds(this.vocab, ids, this.decodeSettings, override);
  }

  private checkId(id: number): void {
    if (Number.isInteger(id) && id >= 0 && (id < this.vocab.size || this.addedById.has(id))) return;
    throw new TokenizerError(
      'TOKENIZER_BAD_ID',
      `Token id ${id} is not in the vocabulary (0..${this.vocab.size - 1}${this.vocabSize > this.vocab.size ? ` and ${this.vocabSize - this.vocab.size} added` : ''}): the ids come from a different tokenizer or are corrupt.`,
    );
  }

  idToPiece(id: number): string {
    this.checkId(id);
    return this.addedById.get(id) ?? this.vocab.pieces[id];
  }

  /** Id of a piece or added token; the UNK id when unknown (as SentencePiece does). */
  pieceToId(piece: string): number {
    for (const t of this.added) if (t.content === piece) return t.id;
    return this.vocab.pieceToId(piece);
  }
}
