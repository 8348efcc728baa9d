export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface StreamResult {
  content: string;
  toolCalls: ToolCall[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  finishReason?: string;
  /** ms from send to the first content or tool-call delta. */
  ttftMs?: number;
  totalMs: number;
}

interface Chunk {
  choices?: {
    delta?: { content?: string | null; tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[] };
    finish_reason?: string | null;
  }[];
  usage?: StreamResult['usage'];
  error?: { message?: string };
}

/**
 * Reads an OpenAI chat stream (SSE `data:` lines, `[DONE]` at the end) and folds its deltas:
 * text, tool calls assembled by index, and the usage chunk. `onDelta` sees the text so far.
 */
export async function readChatStream(res: Response, started: number, onDelta: (r: StreamResult) => void): Promise<StreamResult> {
  const out: StreamResult = { content: '', toolCalls: [], totalMs: 0 };
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const handle = (data: string) => {
    if (data === '[DONE]') return;
    const chunk = JSON.parse(data) as Chunk;
    if (chunk.error) throw new Error(chunk.error.message ?? 'the endpoint reported an error');
    if (chunk.usage) out.usage = chunk.usage;
    for (const c of chunk.choices ?? []) {
      const d = c.delta;
      if (d?.content) out.content += d.content;
      for (const tc of d?.tool_calls ?? []) {
        if (!out.toolCalls[tc.index]) out.toolCalls[tc.index] = { id: '', type: 'function', function: { name: '', arguments: '' } };
        const cur = out.toolCalls[tc.index];
        if (tc.id) cur.id = tc.id;
        if (tc.function?.name) cur.function.name += tc.function.name;
        if (tc.function?.arguments) cur.function.arguments += tc.function.arguments;
      }
      if ((d?.content || d?.tool_calls?.length) && out.ttftMs === undefined) out.ttftMs = performance.now() - started;
      if (c.finish_reason) out.finishReason = c.finish_reason;
    }
    out.totalMs = performance.now() - started;
    onDelta({ ...out, toolCalls: out.toolCalls.map((t) => ({ ...t, function: { ...t.function } })) });
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (data) handle(data);
      end = buffer.indexOf('\n\n');
    }
  }
  out.totalMs = performance.now() - started;
  return out;
}
