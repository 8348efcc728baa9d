import type { PluginCall } from '@puyu/formats';

/** What the filter lets through: text for `content`, or a call read from bare JSON. */
export type BarePiece = { type: 'text'; text: string } | { type: 'call'; call: PluginCall };

/** Keys a call object may open with (InternLM2 plugin calls write `name` first; some models `arguments`). */
const CALL_KEYS = ['name', 'parameters', 'arguments'];
/** Longest stretch held while it could still be a call; a longer object is text. */
const MAX_HELD = 4096;

/**
 * Reads tool calls that a model writes as bare JSON — `{"name": "calculator", "parameters": {...}}`
 * without InternLM2's `<|action_start|><|plugin|>` … `<|action_end|>` around it, as small
 * fine-tunes do — out of the assistant's text stream, so a server can send them as `tool_calls`
 * instead of as content. Fed the text outside native calls, delta by delta.
 *
 * From a `{` (and the whitespace just before it) the text is held while it can still become a
 * call to a declared tool: its first key is, or may yet become, `name` / `parameters` /
 * `arguments`, and a `name` value read so far begins some declared tool's name. It is let go as
 * text as soon as it cannot (typically within a few tokens: prose braces, code, other JSON), and
 * read as a call when the object closes and parses as `{name: declared tool, parameters|arguments:
 * object}`. An object still open when the stream ends is text; so is one longer than 4 KiB.
 */
export class BareCallFilter {
  private held = '';

  constructor(private readonly tools: ReadonlySet<string>) {}

  push(text: string): BarePiece[] {
    const out: BarePiece[] = [];
    let rest = this.held + text;
    this.held = '';
    while (rest) {
      const brace = rest.indexOf('{');
      if (brace < 0) {
        // Trailing whitespace waits: a call may start right after it (`text\n{"name": …`).
        const ws = rest.length - rest.trimEnd().length;
        emitText(out, rest.slice(0, rest.length - ws));
        this.held = rest.slice(rest.length - ws);
        return out;
      }
      // The whitespace right before the brace goes with the call if it is one.
      let start = brace;
      while (start > 0 && /\s/.test(rest[start - 1] as string)) start--;
      emitText(out, rest.slice(0, start));
      const candidate = rest.slice(start);
      const open = brace - start;
      const verdict = this.judge(candidate.slice(open));
      if (verdict.kind === 'wait') {
        this.held = candidate;
        return out;
      }
      if (verdict.kind === 'call') {
        out.push({ type: 'call', call: verdict.call });
        rest = candidate.slice(open + verdict.length);
      } else {
        // Not a call: let the brace (and what came before it) go, and look again after it.
        emitText(out, candidate.slice(0, open + 1));
        rest = candidate.slice(open + 1);
      }
    }
    return out;
  }

  /** What is held when the text is over (an unfinished object) is text after all. */
  end(): BarePiece[] {
    const out: BarePiece[] = [];
    emitText(out, this.held);
    this.held = '';
    return out;
  }

  /** `obj` starts at a `{`: a call (with its length), not a call, or too early to tell. */
  private judge(obj: string): { kind: 'call'; call: PluginCall; length: number } | { kind: 'text' } | { kind: 'wait' } {
    const end = closingBrace(obj);
    if (end < 0) {
      if (obj.length > MAX_HELD) return { kind: 'text' };
      return this.couldBeCall(obj) ? { kind: 'wait' } : { kind: 'text' };
    }
    const call = this.asCall(obj.slice(0, end + 1));
    return call ? { kind: 'call', call, length: end + 1 } : { kind: 'text' };
  }

  /** An unclosed object's prefix that may still turn into a call to a declared tool. */
  private couldBeCall(obj: string): boolean {
    const body = obj.slice(1).trimStart();
    if (body === '') return true;
    if (!body.startsWith('"')) return false;
    const key = /^"([^"\\]*)("?)/.exec(body);
    if (!key) return false;
    const [, name = '', closed] = key;
    if (!closed) return CALL_KEYS.some((k) => k.startsWith(name));
    if (!CALL_KEYS.includes(name)) return false;
    if (name !== 'name') return true; // parameters first: wait for the object to close
    const after = body.slice(key[0].length).trimStart();
    if (after === '') return true;
    if (!after.startsWith(':')) return false;
    const value = after.slice(1).trimStart();
    if (value === '') return true;
    if (!value.startsWith('"')) return false;
    const tool = /^"([^"\\]*)("?)/.exec(value);
    if (!tool) return false;
    const [, written = '', done] = tool;
    return done ? this.tools.has(written) : [...this.tools].some((t) => t.startsWith(written));
  }

  private asCall(text: string): PluginCall | undefined {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return undefined;
    }
    const o = v as { name?: unknown; parameters?: unknown; arguments?: unknown };
    const args = o?.parameters ?? o?.arguments;
    if (typeof o?.name !== 'string' || !this.tools.has(o.name)) return undefined;
    if (!args || typeof args !== 'object' || Array.isArray(args)) return undefined;
    return { kind: 'plugin', name: o.name, parameters: args as PluginCall['parameters'] };
  }
}

function emitText(out: BarePiece[], text: string): void {
  if (!text) return;
  const last = out.at(-1);
  if (last?.type === 'text') last.text += text;
  else out.push({ type: 'text', text });
}

/** Index of the brace closing the one at 0 (strings and escapes respected), or -1 when it is not closed yet. */
function closingBrace(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return -1;
}
