/** Decodes a token slice to text (node-llama-cpp's `model.detokenize`, or a test tokenizer). */
export type Detokenize = (tokens: readonly number[]) => string;

export interface StreamerStep {
  /** Text that is now final: no partial UTF-8 character, no possible start of a stop string. */
  text: string;
  /** The stop string that ended generation, when one did (it is not part of `text`). */
  stop?: string;
}

/**
 * Turns generated tokens into text deltas safely.
 *
 * - A character split across byte-fallback tokens decodes to U+FFFD until its last byte arrives,
 *   so text ending in U+FFFD is held back (TGI/vLLM "prefix/read offset" scheme). Only a window
 *   of recent tokens is re-decoded, so a long generation costs O(n), not O(n²).
 * - Stop strings: text that could be the beginning of a stop string is held until the next
 *   tokens decide; a matched stop string and everything after it are dropped.
 */
export class TokenTextStreamer {
  private readonly tokens: number[] = [];
  private prefixOffset = 0;
  private readOffset = 0;
  /** Decoded but not yet released text (possible stop-string prefix). */
  private held = '';
  private stopped = false;

  constructor(
    private readonly detokenize: Detokenize,
    private readonly stops: readonly string[] = [],
  ) {}

  get done(): boolean {
    return this.stopped;
  }

  push(token: number): StreamerStep {
    if (this.stopped) return { text: '' };
    this.tokens.push(token);
    const prefix = this.detokenize(this.tokens.slice(this.prefixOffset, this.readOffset));
    const full = this.detokenize(this.tokens.slice(this.prefixOffset));
    if (full.length <= prefix.length || full.endsWith('\uFFFD')) return { text: '' };
    const delta = full.slice(prefix.length);
    this.prefixOffset = this.readOffset;
    this.readOffset = this.tokens.length;
    return this.release(delta, false);
  }

  /** Flushes what is held at the end of generation (a dangling partial character stays U+FFFD). */
  finish(): StreamerStep {
    if (this.stopped) return { text: '' };
    const tail = this.detokenize(this.tokens.slice(this.prefixOffset));
    const prefix = this.detokenize(this.tokens.slice(this.prefixOffset, this.readOffset));
    const rest = tail.length > prefix.length ? tail.slice(prefix.length) : '';
    this.readOffset = this.tokens.length;
    this.prefixOffset = this.readOffset;
    const step = this.release(rest, true);
    this.stopped = true;
    return step;
  }

  private release(delta: string, final: boolean): StreamerStep {
    const text = this.held + delta;
    let first: { index: number; stop: string } | undefined;
    for (const stop of this.stops) {
      const i = text.indexOf(stop);
      if (i >= 0 && (first === undefined || i < first.index)) first = { index: i, stop };
    }
    if (first) {
      this.held = '';
      this.stopped = true;
      return { text: text.slice(0, first.index), stop: first.stop };
    }
    if (final) {
      this.held = '';
      return { text };
    }
    const keep = heldSuffixLength(text, this.stops);
    this.held = text.slice(text.length - keep);
    return { text: text.slice(0, text.length - keep) };
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of some stop string. */
export function heldSuffixLength(text: string, stops: readonly string[]): number {
  let best = 0;
  for (const stop of stops) {
    for (let k = Math.min(stop.length - 1, text.length); k > best; k--) {
      if (text.endsWith(stop.slice(0, k))) {
        best = k;
        break;
      }
    }
  }
  return best;
}
