import { parseToolCallBody, type ToolCallErrorCode } from './parse-tool-call-body.js';
import { ACTION_END, ACTION_START, IM_END, IM_START, INTERNLM2_MARKERS, INTERPRETER, PLUGIN } from './special-tokens.js';
import type { ToolCall, ToolKind } from './types.js';

export type ChatStreamEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_call_start'; kind: ToolKind }
  /** Raw call body as it streams (JSON for plugins, the fenced code for the interpreter). */
  | { type: 'tool_call_delta'; kind: ToolKind; text: string }
  | { type: 'tool_call'; call: ToolCall }
  /** A call the model got wrong. Data, not a throw: one bad generation must not sink a server. */
  | { type: 'error'; code: ToolCallErrorCode; message: string; kind?: ToolKind; raw: string }
  /** `im_end`: the model closed its turn; `end`: the input ended (a stop word or length limit). */
  | { type: 'done'; reason: 'im_end' | 'end' };

type BodyState = { mode: 'body'; kind: ToolKind; raw: string; skippedNewline?: boolean };
/** `afterCall`: a newline right after `<|action_end|>` is a separator (lagent, chat_format.md), not text. */
type State = { mode: 'text'; afterCall?: boolean } | { mode: 'action' } | BodyState | { mode: 'done' };

/** Markers that end a call body; anything else inside a body is taken literally. */
const BODY_TERMINATORS = [ACTION_END, IM_END, IM_START, ACTION_START];
const KIND_MARKERS: Record<string, ToolKind> = { [PLUGIN]: 'plugin', [INTERPRETER]: 'interpreter' };

/**
 * Incremental parser for InternLM2 assistant output. Feed decoded text as tokens arrive; get
 * back events. Text that could still turn into a marker (`"...<|act"`) is held until the next
 * delta decides, so no event ever shows a piece of a special token, and the events do not depend
 * on where the deltas were split (only on how text/delta events are chunked).
 *
 * Grammar (chat/chat_format.md): text, then any number of
 * `<|action_start|><|plugin|>\n{json}<|action_end|>` or
 * `<|action_start|><|interpreter|>\n```python\n...\n```<|action_end|>`, text between them, and
 * `<|im_end|>`. Lenient like lagent: a bare `<|plugin|>` / `<|interpreter|>` without
 * `<|action_start|>` still opens a call, a call cut off by `<|im_end|>` or by end() (servers strip
 * the `<|action_end|>` stop word) is completed, stray `<|action_end|>` is dropped, and one newline
 * right after `<|action_end|>` (lagent writes `<|action_end|>\n`) is taken as a separator.
 *
 * Markers are matched in decoded text, where a special token and the same characters typed by a
 * user look alike; so marker text inside a JSON string still ends the call. A caller that must
 * tell them apart has to split on the special token ids before decoding.
 */
export class InternLM2StreamParser {
  private state: State = { mode: 'text' };
  private pending = '';

  /** True once `<|im_end|>` was seen or end() was called; later input is ignored. */
  get done(): boolean {
    return this.state.mode === 'done';
  }

  push(delta: string): ChatStreamEvent[] {
    if (this.state.mode === 'done') return [];
    this.pending += delta;
    const events: ChatStreamEvent[] = [];
    while (this.step(events)) {
      // each step consumes input or changes state; stop when it needs more input
    }
    return events;
  }

  /** Flush at end of input: held text is text after all; an open call is completed. */
  end(): ChatStreamEvent[] {
    const events: ChatStreamEvent[] = [];
    const s = this.state;
    if (s.mode === 'text') {
      if (this.pending) events.push({ type: 'text', text: this.pending });
    } else if (s.mode === 'action') {
      events.push({
        type: 'error',
        code: 'TOOL_CALL_INCOMPLETE',
        message: 'The output ended after <|action_start|> without naming <|plugin|> or <|interpreter|>.',
        raw: ACTION_START + this.pending,
      });
    } else if (s.mode === 'body') {
      if (this.pending) this.bodyText(events, s, this.pending);
      this.finishCall(events, s);
    }
    this.pending = '';
    if (s.mode !== 'done') events.push({ type: 'done', reason: 'end' });
    this.state = { mode: 'done' };
    return events;
  }

  /** Runs one transition; false when it must wait for more input. */
  private step(events: ChatStreamEvent[]): boolean {
    const s = this.state;
    if (s.mode === 'done' || this.pending === '') return false;
    if (s.mode === 'text') {
      if (s.afterCall) {
        s.afterCall = false;
        if (this.pending.startsWith('\n')) this.pending = this.pending.slice(1);
        return true;
      }
      const hit = findEarliest(this.pending, INTERNLM2_MARKERS);
      if (!hit) {
        const keep = heldSuffixLength(this.pending, INTERNLM2_MARKERS);
        this.emitText(events, this.pending.slice(0, this.pending.length - keep));
        this.pending = this.pending.slice(this.pending.length - keep);
        return false;
      }
      this.emitText(events, this.pending.slice(0, hit.index));
      this.pending = this.pending.slice(hit.index + hit.marker.length);
      if (hit.marker === IM_END || hit.marker === IM_START) {
        // <|im_start|> here means the model began a new turn on its own: the answer is over.
        this.finish(events, 'im_end');
      } else if (hit.marker === ACTION_START) {
        this.state = { mode: 'action' };
      } else if (hit.marker in KIND_MARKERS) {
        this.openCall(events, KIND_MARKERS[hit.marker]);
      }
      // a stray <|action_end|> closes nothing and is not text: drop it
      return true;
    }
    if (s.mode === 'action') {
      for (const [marker, kind] of Object.entries(KIND_MARKERS)) {
        if (this.pending.startsWith(marker)) {
          this.pending = this.pending.slice(marker.length);
          this.openCall(events, kind);
          return true;
        }
        if (marker.startsWith(this.pending)) return false; // could still become this marker
      }
      events.push({
        type: 'error',
        code: 'TOOL_CALL_UNKNOWN_KIND',
        message: '<|action_start|> must be followed by <|plugin|> or <|interpreter|>; the rest is kept as text.',
        raw: ACTION_START,
      });
      this.state = { mode: 'text' };
      return true;
    }
    // body: skip the one newline that follows the kind marker, then stream until a terminator
    if (s.raw === '' && this.pending.startsWith('\n') && !s.skippedNewline) {
      this.pending = this.pending.slice(1);
      s.skippedNewline = true;
      return true;
    }
    s.skippedNewline = true;
    const hit = findEarliest(this.pending, BODY_TERMINATORS);
    if (!hit) {
      const keep = heldSuffixLength(this.pending, BODY_TERMINATORS);
      this.bodyText(events, s, this.pending.slice(0, this.pending.length - keep));
      this.pending = this.pending.slice(this.pending.length - keep);
      return false;
    }
    this.bodyText(events, s, this.pending.slice(0, hit.index));
    this.pending = this.pending.slice(hit.index + hit.marker.length);
    this.finishCall(events, s);
    if (hit.marker === IM_END || hit.marker === IM_START) this.finish(events, 'im_end');
    else this.state = hit.marker === ACTION_START ? { mode: 'action' } : { mode: 'text', afterCall: true };
    return true;
  }

  private emitText(events: ChatStreamEvent[], text: string): void {
    if (text) events.push({ type: 'text', text });
  }

  private openCall(events: ChatStreamEvent[], kind: ToolKind): void {
    events.push({ type: 'tool_call_start', kind });
    this.state = { mode: 'body', kind, raw: '' };
  }

  private bodyText(events: ChatStreamEvent[], s: BodyState, text: string): void {
    if (!text) return;
    s.raw += text;
    events.push({ type: 'tool_call_delta', kind: s.kind, text });
  }

  private finishCall(events: ChatStreamEvent[], s: BodyState): void {
    const parsed = parseToolCallBody(s.kind, s.raw);
    if (parsed.ok) events.push({ type: 'tool_call', call: parsed.call });
    else events.push({ type: 'error', code: parsed.code, message: parsed.message, kind: s.kind, raw: s.raw });
  }

  private finish(events: ChatStreamEvent[], reason: 'im_end' | 'end'): void {
    events.push({ type: 'done', reason });
    this.state = { mode: 'done' };
    this.pending = '';
  }
}

function findEarliest(text: string, markers: readonly string[]): { index: number; marker: string } | undefined {
  let best: { index: number; marker: string } | undefined;
  for (const marker of markers) {
    const index = text.indexOf(marker);
    if (index >= 0 && (best === undefined || index < best.index)) best = { index, marker };
  }
  return best;
}

/** Length of the longest suffix of `text` that is a proper prefix of a marker (held back). */
function heldSuffixLength(text: string, markers: readonly string[]): number {
  // Every marker starts with '<': without one there is nothing to hold (the common case).
  if (!text.includes('<')) return 0;
  const maxLen = Math.max(...markers.map((m) => m.length)) - 1;
  for (let k = Math.min(text.length, maxLen); k > 0; k--) {
    const suffix = text.slice(text.length - k);
    if (markers.some((m) => m.startsWith(suffix))) return k;
  }
  return 0;
}

/** Parses an async stream of text deltas (e.g. an engine's token stream) into events. */
export async function* parseInternLM2Stream(deltas: AsyncIterable<string>): AsyncGenerator<ChatStreamEvent, void, undefined> {
  const parser = new InternLM2StreamParser();
  for await (const delta of deltas) {
    yield* parser.push(delta);
    // Stop pulling once the turn is over so the engine can be told to stop generating.
    if (parser.done) return;
  }
  yield* parser.end();
}
