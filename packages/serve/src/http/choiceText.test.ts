import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BareCallFilter } from './bareToolCalls.js';
import { ChoiceTextRouter, type OpenAIToolCallOut } from './choiceText.js';

// The chat route's text path (ChoiceTextRouter: InternLM2 stream parser + bare-call filter) on
// streams recorded from the calculator SFT model under `puyu serve` (fixtures/…json says how):
// one where the model wrote its call as bare JSON (serve streamed that JSON as content before
// this filter existed), one where it wrote InternLM2's markers.
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'calculator-sft-streams.json'), 'utf8')) as {
  bare: { deltas: string[] };
  native: { tokens: string[] };
};
const TOOLS = new Set(['calculator']);

/** What the route would send for these deltas: the content deltas and the tool calls, in order. */
function route(deltas: readonly string[], tools: ReadonlySet<string> = TOOLS) {
  const sent: ({ content: string } | { call: OpenAIToolCallOut; index: number })[] = [];
  const router = new ChoiceTextRouter(
    { content: (text) => sent.push({ content: text }), toolCall: (call, index) => sent.push({ call, index }) },
    { parseTools: true, toolNames: tools },
  );
  for (const d of deltas) router.push(d);
  router.end();
  const content = sent.flatMap((s) => ('content' in s ? [s.content] : [])).join('');
  const calls = sent.flatMap((s) => ('call' in s ? [s] : []));
  return { sent, content, calls, count: router.calls };
}

/** Every text the filter lets out, joined, with calls shown as ⟨name args⟩. */
function filtered(deltas: readonly string[], tools: ReadonlySet<string> = TOOLS): string {
  const f = new BareCallFilter(tools);
  return [...deltas.flatMap((d) => f.push(d)), ...f.end()]
    .map((p) => (p.type === 'text' ? p.text : `⟨${p.call.name} ${JSON.stringify(p.call.parameters)}⟩`))
    .join('');
}

const chars = (s: string) => [...s];

describe('chat text routing on the calculator model’s recorded streams', () => {
  it('a bare-JSON call goes out once, as tool_calls, and none of its JSON as content', () => {
    const r = route(fixture.bare.deltas);
    expect(fixture.bare.deltas.join('')).toContain('{"name": "calculator"');
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]?.call.function.name).toBe('calculator');
    expect(JSON.parse(r.calls[0]?.call.function.arguments ?? '')).toEqual(
      (JSON.parse(fixture.bare.deltas.join('').slice(fixture.bare.deltas.join('').indexOf('{'))) as { parameters: unknown }).parameters,
    );
    expect(r.content).not.toContain('{');
    expect(r.content).not.toContain('calculator');
    // what came before the call is still content (the newline before the JSON went with the call)
    expect(r.content).toBe(fixture.bare.deltas.join('').slice(0, fixture.bare.deltas.join('').indexOf('{')).trimEnd());
    // the content was all sent before the call, as a stream would have it
    expect('call' in (r.sent.at(-1) ?? {})).toBe(true);
  });

  it('the same result however the recorded text is split (one character per delta)', () => {
    const whole = route(fixture.bare.deltas);
    const split = route(chars(fixture.bare.deltas.join('')));
    expect(split.content).toBe(whole.content);
    expect(split.calls.map((c) => c.call.function)).toEqual(whole.calls.map((c) => c.call.function));
  });

  it('a native call (InternLM2 markers) is unchanged: text, then one tool call', () => {
    const text = fixture.native.tokens.join('');
    expect(text).toContain('<|action_start|><|plugin|>');
    const r = route(fixture.native.tokens);
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]?.call.function.name).toBe('calculator');
    expect(r.content).toBe(text.slice(0, text.indexOf('<|action_start|>')));
  });

  it('the bare JSON is plain content when it names no declared tool, or no tools were sent', () => {
    const text = fixture.bare.deltas.join('');
    expect(route(fixture.bare.deltas, new Set(['weather'])).content).toBe(text);
    expect(route(fixture.bare.deltas, new Set()).content).toBe(text);
    const noTools = new ChoiceTextRouter({ content: () => {}, toolCall: () => expect.fail('no tools, no calls') }, { parseTools: false });
    for (const d of fixture.bare.deltas) noTools.push(d);
    noTools.end();
  });
});

describe('BareCallFilter', () => {
  it('lets prose braces, code and other JSON through unchanged, deciding within a few characters', () => {
    for (const text of [
      'function f() { return 1; }',
      'The set {1, 2, 3} has three members.',
      'Answer: {"result": 42}',
      '{"name": "weather", "parameters": {}}',
      '{"name": "calculator", "parameters": [1]}',
      '{"name": "calculator"}',
      'braces {{ and }} and { "nam": 1 }',
      'a "quoted {brace}" here',
    ]) {
      expect(filtered([text]), text).toBe(text);
      expect(filtered(chars(text)), text).toBe(text);
    }
    // held only while it could still be a call: a key that is not a call key is let go at once
    const f = new BareCallFilter(TOOLS);
    expect(f.push('x {"res')).toEqual([{ type: 'text', text: 'x {"res' }]);
    expect(f.push('{"name": "calc')).toEqual([]); // may still become "calculator"
    expect(f.push('ulus"')).toEqual([{ type: 'text', text: '{"name": "calculus"' }]);
  });

  it('reads a call with arguments first, with "arguments", nested braces and escaped quotes, and text around it', () => {
    const cases: [string, string][] = [
      ['Let me compute.\n{"name": "calculator", "parameters": {"expression": "2+3"}}', 'Let me compute.⟨calculator {"expression":"2+3"}⟩'],
      ['{"parameters": {"expression": "(1+2)*3"}, "name": "calculator"} done', '⟨calculator {"expression":"(1+2)*3"}⟩ done'],
      ['{"name":"calculator","arguments":{"expression":"\\"}{\\""}}', '⟨calculator {"expression":"\\"}{\\""}⟩'],
      [
        'two {"name": "calculator", "parameters": {"expression": "1"}}{"name": "calculator", "parameters": {"expression": "2"}}',
        'two⟨calculator {"expression":"1"}⟩⟨calculator {"expression":"2"}⟩',
      ],
    ];
    for (const [text, want] of cases) {
      expect(filtered([text]), text).toBe(want);
      expect(filtered(chars(text)), text).toBe(want);
    }
  });

  it('an object still open when the stream ends (a length cut) is text; so is one past 4 KiB', () => {
    const cut = 'ok {"name": "calculator", "parameters": {"expression": "1+';
    expect(filtered(chars(cut))).toBe(cut);
    const long = `{"parameters": {"expression": "${'1+'.repeat(2100)}1"}, "name": "calculator"}`;
    expect(filtered(chars(long))).toBe(long);
  });
});
