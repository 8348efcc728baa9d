import { describe, expect, it } from 'vitest';
import { type ChatStreamEvent, InternLM2StreamParser, parseInternLM2Stream } from './internlm2-stream-parser.js';
import { parseInternLM2Response } from './parse-internlm2-response.js';
import { renderInternLM2ToolCall } from './render-internlm2-chat.js';
import { INTERNLM2_MARKERS } from './special-tokens.js';
import type { ToolCall } from './types.js';

/** Deterministic PRNG (mulberry32) so a failing split can be reproduced from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function feed(chunks: string[]): ChatStreamEvent[] {
  const p = new InternLM2StreamParser();
  return [...chunks.flatMap((c) => p.push(c)), ...p.end()];
}

/** Merges adjacent text / delta events: the only thing allowed to depend on the split. */
function normalise(events: ChatStreamEvent[]): ChatStreamEvent[] {
  const out: ChatStreamEvent[] = [];
  for (const e of events) {
    const last = out.at(-1);
    if (e.type === 'text' && last?.type === 'text') out[out.length - 1] = { type: 'text', text: last.text + e.text };
    else if (e.type === 'tool_call_delta' && last?.type === 'tool_call_delta') out[out.length - 1] = { ...last, text: last.text + e.text };
    else out.push(e);
  }
  return out;
}

function randomSplit(text: string, next: () => number): string[] {
  const chunks: string[] = [];
  let i = 0;
  while (i < text.length) {
    // Mostly small chunks (token-sized), sometimes empty, sometimes large.
    const r = next();
    const len = r < 0.1 ? 0 : r < 0.8 ? 1 + Math.floor(next() * 4) : 1 + Math.floor(next() * 40);
    chunks.push(text.slice(i, i + len));
    i += len;
  }
  return chunks;
}

const RESPONSES = [
  'Let me check.<|action_start|><|plugin|>\n{"name": "get_weather", "parameters": {"location": "Shanghai"}}<|action_end|>',
  '我来查一下上海的天气。<|action_start|><|plugin|>\n{"name": "查询天气", "parameters": {"城市": "上海", "选项": {"天数": [1, 2], "深": {"更深": null}}}}<|action_end|><|im_end|>',
  'Compute it.\n\n<|action_start|><|interpreter|>\n```python\nprint("```")\nx = `1` + "<|im_"\n```<|action_end|>\n<|im_end|>',
  'a < b, <| not a marker |>, <|im_en d, <|action_start |> and 😀 emoji<|im_end|>ignored after the end',
  'broken<|action_start|><|plugin|>\n{"name": "x", "parameters": {oops}<|action_end|>after<|im_end|>',
  'two<|action_start|><|plugin|>\n{"name": "a", "parameters": {}}<|action_end|><|action_start|><|interpreter|>\n```python\n1+1\n```<|action_end|>',
  'odd<|action_start|>nothing here<|im_end|>',
  'cut<|action_start|><|plugin|>\n{"name": "a", "parameters": {"q": "<|action_e"}}<|im_end|>',
  'ends in a prefix <|act',
  'lenient <|interpreter|>\nprint(2)<|action_end|>stray<|action_end|>end',
  'sep<|action_start|><|plugin|>\n{"name": "a", "parameters": {}}<|action_end|>\n\nafter\n<|im_end|>',
  '',
];

describe('InternLM2StreamParser', () => {
  it('holds back a possible marker prefix until the next delta decides', () => {
    const p = new InternLM2StreamParser();
    expect(p.push('Hello <|act')).toEqual([{ type: 'text', text: 'Hello ' }]);
    expect(p.push('ion_start|><|plu')).toEqual([]);
    expect(p.push('gin|>\n{"name": "f", ')).toEqual([
      { type: 'tool_call_start', kind: 'plugin' },
      { type: 'tool_call_delta', kind: 'plugin', text: '{"name": "f", ' },
    ]);
    expect(p.push('"parameters": {}}<|action_')).toEqual([{ type: 'tool_call_delta', kind: 'plugin', text: '"parameters": {}}' }]);
    expect(p.push('end|>Done<|im_end')).toEqual([
      { type: 'tool_call', call: { kind: 'plugin', name: 'f', parameters: {} } },
      { type: 'text', text: 'Done' },
    ]);
    expect(p.push('|>')).toEqual([{ type: 'done', reason: 'im_end' }]);
    expect(p.done).toBe(true);
    expect(p.push('more text')).toEqual([]);
    expect(p.end()).toEqual([]);
  });

  it('releases held text that turns out not to be a marker', () => {
    const p = new InternLM2StreamParser();
    expect(p.push('x <|im')).toEqual([{ type: 'text', text: 'x ' }]);
    expect(p.push('port')).toEqual([{ type: 'text', text: '<|import' }]);
    expect(p.push('<')).toEqual([]);
    expect(p.end()).toEqual([
      { type: 'text', text: '<' },
      { type: 'done', reason: 'end' },
    ]);
  });

  it('reports malformed plugin JSON as an error event with the raw text', () => {
    const r = parseInternLM2Response('x<|action_start|><|plugin|>\n{"name": "f", "parameters": {bad}}<|action_end|>y<|im_end|>');
    expect(r.toolCalls).toEqual([]);
    expect(r.errors).toEqual([
      expect.objectContaining({ type: 'error', code: 'TOOL_CALL_INVALID_JSON', kind: 'plugin', raw: '{"name": "f", "parameters": {bad}}' }),
    ]);
    expect(r.content).toBe('xy');
    expect(r.finishedBy).toBe('im_end');
  });

  it('reports calls without a name or of an unknown kind', () => {
    expect(parseInternLM2Response('<|action_start|><|plugin|>\n{"parameters": {}}<|action_end|>').errors[0].code).toBe(
      'TOOL_CALL_INVALID_SHAPE',
    );
    expect(parseInternLM2Response('<|action_start|><|plugin|>\n<|action_end|>').errors[0].code).toBe('TOOL_CALL_EMPTY');
    const odd = parseInternLM2Response('a<|action_start|>b<|im_end|>');
    expect(odd.errors[0].code).toBe('TOOL_CALL_UNKNOWN_KIND');
    expect(odd.content).toBe('ab');
    expect(parseInternLM2Response('a<|action_start|>').errors[0]).toMatchObject({ code: 'TOOL_CALL_INCOMPLETE', raw: '<|action_start|>' });
  });

  it('completes a call whose <|action_end|> stop word was stripped by the server', () => {
    const r = parseInternLM2Response(
      'Let me check.<|action_start|><|plugin|>\n{"name": "get_weather", "parameters": {"location": "Shanghai"}}',
    );
    expect(r.toolCalls).toEqual([{ kind: 'plugin', name: 'get_weather', parameters: { location: 'Shanghai' } }]);
    expect(r.finishedBy).toBe('end');
  });

  it('accepts a plugin call wrapped in a ```json fence', () => {
    const r = parseInternLM2Response('<|action_start|><|plugin|>\n```json\n{"name": "f", "parameters": {"k": "```"}}\n```<|action_end|>');
    expect(r.toolCalls).toEqual([{ kind: 'plugin', name: 'f', parameters: { k: '```' } }]);
  });

  it('accepts OpenAI-style "arguments" (object or JSON string)', () => {
    const a = parseInternLM2Response('<|action_start|><|plugin|>\n{"name": "f", "arguments": "{\\"k\\": [1]}"}<|action_end|>');
    expect(a.toolCalls).toEqual([{ kind: 'plugin', name: 'f', parameters: { k: [1] } }]);
    const b = parseInternLM2Response('<|action_start|><|plugin|>\n{"name": "f", "arguments": {"k": 2}}<|action_end|>');
    expect(b.toolCalls).toEqual([{ kind: 'plugin', name: 'f', parameters: { k: 2 } }]);
  });

  it('extracts interpreter code with backticks, unfenced code and a bare <|interpreter|>', () => {
    const code = 'print("```")\ns = """\n```"""\nprint(`x`)';
    expect(parseInternLM2Response(`${renderInternLM2ToolCall({ kind: 'interpreter', code })}`).toolCalls).toEqual([
      { kind: 'interpreter', code },
    ]);
    expect(parseInternLM2Response('<|action_start|><|interpreter|>\n  import os\n<|action_end|>').toolCalls).toEqual([
      { kind: 'interpreter', code: 'import os' },
    ]);
    const bare = parseInternLM2Response('Run:<|interpreter|>\n```py\n2**10\n```<|im_end|>');
    expect(bare.toolCalls).toEqual([{ kind: 'interpreter', code: '2**10' }]);
    expect(bare.content).toBe('Run:');
  });

  it('parses the interpreter turn of chat_format.md (lagent-style newline after <|action_end|>)', () => {
    const turn =
      'I have processed the data and visualized it for you.\n\n<|action_start|><|interpreter|>\n```python\nimport plotly.express as px\n' +
      "df = pd.read_csv('data.csv')\nfig.show()\n```<|action_end|>\n<|im_end|>\n";
    const r = parseInternLM2Response(turn);
    expect(r.content).toBe('I have processed the data and visualized it for you.\n\n');
    expect(r.toolCalls).toEqual([{ kind: 'interpreter', code: "import plotly.express as px\ndf = pd.read_csv('data.csv')\nfig.show()" }]);
    expect(r.finishedBy).toBe('im_end');
    expect(parseInternLM2Response('<|action_start|><|plugin|>\n{"name": "f", "parameters": {}}<|action_end|>\n\nnext').content).toBe(
      '\nnext',
    );
  });

  it('parses back exactly what the renderer wrote (render → parse round trip)', () => {
    const calls: ToolCall[] = [
      {
        kind: 'plugin',
        name: '搜索',
        parameters: {
          query: '书生·浦语 <|im_end "quoted" <|action_e <|',
          filters: { year: [2023, 2024], nested: { deep: [{ a: null }] } },
        },
      },
      { kind: 'interpreter', code: 'import math\nprint(f"{math.pi:.2f}")  # ``` inside\n' },
      { kind: 'interpreter', code: '' },
    ];
    const text = '先搜索，再计算。' + calls.map(renderInternLM2ToolCall).join('') + '<|im_end|>';
    const r = parseInternLM2Response(text);
    expect(r.content).toBe('先搜索，再计算。');
    expect(r.toolCalls).toEqual(calls);
    expect(r.errors).toEqual([]);
  });

  it('ends a call at marker text even inside a JSON string (text-level limit, documented)', () => {
    const r = parseInternLM2Response('<|action_start|><|plugin|>\n{"name": "f", "parameters": {"q": "<|im_end|>"}}<|action_end|>');
    expect(r.errors[0]).toMatchObject({ code: 'TOOL_CALL_INVALID_JSON', raw: '{"name": "f", "parameters": {"q": "' });
    expect(r.finishedBy).toBe('im_end');
  });

  it('never shows marker text or a marker prefix inside text events', () => {
    for (const response of RESPONSES) {
      const events = feed(response.split(''));
      for (const e of events) {
        if (e.type !== 'text') continue;
        for (const m of INTERNLM2_MARKERS) expect(e.text).not.toContain(m);
      }
    }
  });

  it('gives the same events for every split of the same response (property, 200 splits each)', () => {
    const next = rng(20240229);
    for (const response of RESPONSES) {
      const expected = normalise(feed([response]));
      expect(normalise(feed(response.split('')))).toEqual(expected);
      for (let trial = 0; trial < 200; trial++) {
        const chunks = randomSplit(response, next);
        expect(chunks.join('')).toBe(response);
        expect(normalise(feed(chunks))).toEqual(expected);
      }
    }
  });

  it('ends with exactly one done event', () => {
    for (const response of RESPONSES) {
      const events = feed([response]);
      expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
      expect(events.at(-1)?.type).toBe('done');
    }
  });

  it('parses an async delta stream and stops pulling after <|im_end|>', async () => {
    let pulled = 0;
    async function* deltas() {
      for (const d of ['Hi <|im', '_end|>', 'never', 'read']) {
        pulled++;
        yield d;
      }
    }
    const events: ChatStreamEvent[] = [];
    for await (const e of parseInternLM2Stream(deltas())) events.push(e);
    expect(events).toEqual([
      { type: 'text', text: 'Hi ' },
      { type: 'done', reason: 'im_end' },
    ]);
    expect(pulled).toBe(2);
  });
});
