import { IM_END, INTERNLM2_MARKERS, type RenderInternLM2Options, renderInternLM2Chat } from '@puyu/formats/chat';
import type { SentencePieceTokenizer } from '@puyu/formats/tokenizer';
import type { SftDialogue } from './readSftJsonl.js';
import { SftDataError, type SftSkippedLine } from './SftDataError.js';

/** One tokenized dialogue: ids and a 0/1 loss mask per token (1 = an assistant token to learn). */
export interface SftExample {
  line: number;
  ids: Int32Array;
  mask: Uint8Array;
  /** The dialogue was longer than maxTokens and was cut, as XTuner's encode_fn does. */
  truncated: boolean;
}

/**
 * A stretch of the rendered dialogue: `context` (weight 0) followed by `completion` (weight 1).
 * Each segment ends at an `<|im_end|>` or at the end of the dialogue, so segments meet on a
 * special token and encoding them one by one gives the same ids as encoding the whole text.
 */
export interface SftSegment {
  context: string;
  completion: string;
}

export interface SftTokenizeOptions {
  /** Longest example kept, in tokens; for SftBatcher use seqLen + 1. Default: no limit. */
  maxTokens?: number;
  /** What to do with a longer one: cut it (XTuner's `input_ids[:max_length]`, the default) or skip it. */
  overflow?: 'truncate' | 'skip';
  /** Put the BOS id first with weight 0, as XTuner's encode_fn does. Default true. */
  addBos?: boolean;
}

/**
 * The options that make renderInternLM2Chat render a training dialogue the way XTuner's
 * internlm2_chat template does: no default meta instruction, no generation prompt, and BOS
 * added as an id rather than as `<s>` text (the shipped tokenizer does not parse `<s>`).
 */
export function sftRenderOptions(d: Pick<SftDialogue, 'tools' | 'interpreter'>): RenderInternLM2Options {
  return { tools: d.tools, interpreter: d.interpreter, meta_instruction: null, addGenerationPrompt: false, bosToken: '' };
}

/**
 * Splits a dialogue into segments whose concatenated text is exactly
 * `renderInternLM2Chat(messages, sftRenderOptions(d))` (each piece is rendered by that same
 * function). Trained: an assistant turn's text, its tool calls and its `<|im_end|>`; not trained:
 * system, user and environment turns, the `<|im_start|>assistant\n` header, and the newline
 * after `<|im_end|>` (XTuner's SEP, which it also leaves out of the loss).
 */
export function renderSftSegments(d: Pick<SftDialogue, 'messages' | 'tools' | 'interpreter' | 'contextOnly'>): SftSegment[] {
  const plain = sftRenderOptions({});
  const contextOnly = new Set(d.contextOnly);
  const pieces: { text: string; trained: boolean }[] = [];
  // The first system turn (if any), then the interpreter and plugin prompts, in the renderer's order.
  const leadsWithSystem = d.messages[0]?.role === 'system';
  const head = renderInternLM2Chat(leadsWithSystem ? d.messages.slice(0, 1) : [], sftRenderOptions(d));
  pieces.push({ text: head, trained: false });
  d.messages.forEach((m, i) => {
    if (i === 0 && leadsWithSystem) return;
    const turn = renderInternLM2Chat([m], plain);
    if (m.role !== 'assistant' || contextOnly.has(i)) {
      pieces.push({ text: turn, trained: false });
      return;
    }
    // The header is the same turn rendered with nothing in it, minus its closing `<|im_end|>\n`.
    const empty = renderInternLM2Chat([{ role: 'assistant', content: '', name: m.name }], plain);
    const header = empty.slice(0, empty.length - `${IM_END}\n`.length);
    pieces.push({ text: header, trained: false }, { text: turn.slice(header.length, -1), trained: true }, { text: '\n', trained: false });
  });
  const segments: SftSegment[] = [];
  let current: SftSegment = { context: '', completion: '' };
  for (const p of pieces) {
    if (p.text === '') continue;
    if (p.trained) current.completion += p.text;
    else if (current.completion === '') current.context += p.text;
    else {
      segments.push(current);
      current = { context: p.text, completion: '' };
    }
  }
  if (current.context !== '' || current.completion !== '') segments.push(current);
  return segments;
}

/**
 * Checks every InternLM2 chat marker encodes as one token. Without that `<|im_end|>` would be
 * several plain pieces that BPE could merge with neighbouring text, and the mask could not end
 * exactly on it.
 */
export function assertChatMarkers(tokenizer: SentencePieceTokenizer): void {
  for (const marker of INTERNLM2_MARKERS) {
    const ids = tokenizer.encode(marker, { parseSpecial: true });
    if (ids.length !== 1) {
      throw new SftDataError(
        'TRAIN_SFT_NO_CHAT_TOKENS',
        `The tokenizer encodes ${marker} as ${ids.length} tokens, not one; use an InternLM2 tokenizer folder (tokenizer.model + tokenizer_config.json) or one trained with the chat markers.`,
      );
    }
  }
}

/**
 * Encodes one segment: context + completion together, then the tokens shared with encoding the
 * context alone get weight 0 and the rest weight 1. Encoding them together keeps the ids equal
 * to a whole-dialogue encode even where BPE merges across the header/completion boundary (a
 * reply starting with "\n" after `assistant\n` gives one "\n\n" token); such a merged token
 * holds reply text, so it is trained.
 */
function encodeSegment(tokenizer: SentencePieceTokenizer, s: SftSegment, ids: number[], mask: number[]): void {
  const all = tokenizer.encode(s.context + s.completion, { parseSpecial: true });
  let shared = 0;
  if (s.completion === '') shared = all.length;
  else if (s.context !== '') {
    const ctx = tokenizer.encode(s.context, { parseSpecial: true });
    while (shared < ctx.length && shared < all.length && all[shared] === ctx[shared]) shared++;
  }
  for (let i = 0; i < all.length; i++) {
    ids.push(all[i]);
    mask.push(i < shared ? 0 : 1);
  }
}

/** Tokenizes one dialogue; returns null with a skip reason when overflow is `skip` and it is too long. */
export function tokenizeSftDialogue(
  d: SftDialogue,
  tokenizer: SentencePieceTokenizer,
  options: SftTokenizeOptions = {},
): SftExample | SftSkippedLine {
  const ids: number[] = [];
  const mask: number[] = [];
  if (options.addBos ?? true) {
    ids.push(tokenizer.bosId);
    mask.push(0);
  }
  for (const s of renderSftSegments(d)) encodeSegment(tokenizer, s, ids, mask);
  const max = options.maxTokens ?? Number.POSITIVE_INFINITY;
  let truncated = false;
  if (ids.length > max) {
    if (options.overflow === 'skip') {
      return { line: d.line, code: 'TRAIN_SFT_TOO_LONG', reason: `${ids.length} tokens, more than the ${max} allowed (overflow: skip)` };
    }
    ids.length = max;
    mask.length = max;
    truncated = true;
    if (!mask.includes(1)) {
      return {
        line: d.line,
        code: 'TRAIN_SFT_TOO_LONG',
        reason: `cut to ${max} tokens no assistant token is left to learn (the prompt alone is longer)`,
      };
    }
  }
  return { line: d.line, ids: Int32Array.from(ids), mask: Uint8Array.from(mask), truncated };
}

/** Tokenizes many dialogues; too-long ones under `overflow: 'skip'` join the skipped report. */
export function tokenizeSftDialogues(
  dialogues: readonly SftDialogue[],
  tokenizer: SentencePieceTokenizer,
  options: SftTokenizeOptions = {},
): { examples: SftExample[]; skipped: SftSkippedLine[] } {
  if (options.maxTokens !== undefined && (!Number.isInteger(options.maxTokens) || options.maxTokens < 2)) {
    throw new SftDataError('TRAIN_SFT_BAD_OPTIONS', `maxTokens must be an integer ≥ 2, got ${options.maxTokens}.`);
  }
  if (options.overflow !== undefined && options.overflow !== 'truncate' && options.overflow !== 'skip') {
    throw new SftDataError('TRAIN_SFT_BAD_OPTIONS', `overflow must be "truncate" or "skip", got ${JSON.stringify(options.overflow)}.`);
  }
  assertChatMarkers(tokenizer);
  const examples: SftExample[] = [];
  const skipped: SftSkippedLine[] = [];
  for (const d of dialogues) {
    const r = tokenizeSftDialogue(d, tokenizer, options);
    if ('ids' in r) examples.push(r);
    else skipped.push(r);
  }
  return { examples, skipped };
}
