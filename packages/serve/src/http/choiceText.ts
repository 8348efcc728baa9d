import { type ChatStreamEvent, InternLM2StreamParser, type ToolCall, toOpenAIToolCalls } from '@puyu/formats';
import { BareCallFilter, type BarePiece } from './bareToolCalls.js';

export type OpenAIToolCallOut = ReturnType<typeof toOpenAIToolCalls>[number];

/** Where a chat choice's decoded text goes: content deltas and finished tool calls (numbered from 0). */
export interface ChoiceTextSink {
  content(text: string): void;
  toolCall(call: OpenAIToolCallOut, index: number): void;
}

/**
 * Turns a chat choice's decoded text, delta by delta, into content and tool calls. With tools
 * declared, InternLM2's native calls are parsed out (`<|action_start|><|plugin|>` …), and a call
 * the model wrote as bare JSON naming a declared tool is read too (BareCallFilter): it goes out
 * once, as `tool_calls`, never first as content. A malformed native call is sent as text, not dropped.
 */
export class ChoiceTextRouter {
  private readonly parser?: InternLM2StreamParser;
  private readonly bare?: BareCallFilter;
  private n = 0;

  constructor(
    private readonly sink: ChoiceTextSink,
    o: { parseTools: boolean; toolNames?: ReadonlySet<string> },
  ) {
    if (o.parseTools) {
      this.parser = new InternLM2StreamParser();
      if (o.toolNames?.size) this.bare = new BareCallFilter(o.toolNames);
    }
  }

  /** Tool calls sent so far. */
  get calls(): number {
    return this.n;
  }

  push(text: string): void {
    if (!text) return;
    if (this.parser) this.events(this.parser.push(text));
    else this.sink.content(text);
  }

  end(): void {
    if (this.parser) this.events(this.parser.end());
    if (this.bare) this.pieces(this.bare.end());
  }

  private events(events: ChatStreamEvent[]): void {
    for (const e of events) {
      if (e.type === 'text') {
        if (!e.text) continue;
        if (this.bare) this.pieces(this.bare.push(e.text));
        else this.sink.content(e.text);
        continue;
      }
      // Anything else (a native call starting, the turn ending): text held as a possible bare call was text.
      if (this.bare) this.pieces(this.bare.end());
      if (e.type === 'tool_call') this.call(e.call);
      else if (e.type === 'error') this.sink.content(e.raw);
    }
  }

  private pieces(pieces: BarePiece[]): void {
    for (const p of pieces) {
      if (p.type === 'text') this.sink.content(p.text);
      else this.call(p.call);
    }
  }

  private call(call: ToolCall): void {
    for (const c of toOpenAIToolCalls([call])) this.sink.toolCall(c, this.n++);
  }
}
