import { describe, expect, it } from 'vitest';
import { evaluate, runCalculator } from '../src/pages/chat/calculator.js';
import { readChatStream } from '../src/pages/chat/sse.js';

// The chat page's pure parts (they run in the browser; tested here under Node).
describe('chat page: calculator tool and stream folding', () => {
  it('evaluates what the sft-calculator data asks, in its answer format', () => {
    expect(evaluate('56/(37-97.67)*85')).toBeCloseTo(-78.4572, 4);
    expect(runCalculator('{"expression":"56÷(37−97.67)×85"}')).toBe('{"result":-78.4572}');
    expect(evaluate('-2^2')).toBe(-4);
    expect(evaluate('2^3^2')).toBe(512);
    expect(JSON.parse(runCalculator('{"expression":"1/0"}')).error).toMatch(/finite/);
    expect(JSON.parse(runCalculator('{"expression":"2+"}')).error).toMatch(/unexpected end/);
    expect(JSON.parse(runCalculator('{"expression":"process.exit()"}')).error).toMatch(/unexpected "p"/);
    expect(JSON.parse(runCalculator('not json')).error).toBeTruthy();
  });

  it('folds an OpenAI stream: text deltas, tool calls assembled by index, the usage chunk', async () => {
    const chunks = [
      { choices: [{ delta: { role: 'assistant', content: 'Let me ' } }] },
      { choices: [{ delta: { content: 'compute.' } }] },
      { choices: [{ delta: { tool_calls: [{ index: 0, id: 'c1', function: { name: 'calculator', arguments: '{"expr' } }] } }] },
      { choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: 'ession":"1+2"}' } }] }, finish_reason: 'tool_calls' }] },
      { choices: [], usage: { prompt_tokens: 12, completion_tokens: 7 } },
    ];
    // split across network reads in awkward places
    const text = `${chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('')}data: [DONE]\n\n`;
    const parts = [text.slice(0, 17), text.slice(17, 100), text.slice(100)];
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(new TextEncoder().encode(p));
        c.close();
      },
    });
    const seen: string[] = [];
    const r = await readChatStream(new Response(body), performance.now(), (d) => seen.push(d.content));
    expect(r.content).toBe('Let me compute.');
    expect(r.toolCalls).toEqual([{ id: 'c1', type: 'function', function: { name: 'calculator', arguments: '{"expression":"1+2"}' } }]);
    expect(r.usage).toEqual({ prompt_tokens: 12, completion_tokens: 7 });
    expect(r.finishReason).toBe('tool_calls');
    expect(r.ttftMs).toBeGreaterThanOrEqual(0);
    expect(seen[0]).toBe('Let me ');
  });
});
