import {
  ACTION_END,
  ACTION_START,
  fromOpenAIMessages,
  fromOpenAITools,
  IM_END,
  type OpenAIChatMessage,
  type OpenAITool,
  PLUGIN,
  renderInternLM2Chat,
} from '@puyu/formats';
import type { Context } from 'hono';
import type { LlamaGrammar, Token } from 'node-llama-cpp';
import { allOrAbort } from '../engine/abort.js';
import type { FinishReason, SequenceTicket } from '../engine/Scheduler.js';
import { asClientError, ServeError } from '../ServeError.js';
import { TokenTextStreamer } from '../text/TokenTextStreamer.js';
import { ChoiceTextRouter, type OpenAIToolCallOut } from './choiceText.js';
import {
  checkPromptLength,
  clientAbort,
  firstGranted,
  newId,
  nowSeconds,
  parseBody,
  type RouteContext,
  type ServeEnv,
  samplingFrom,
  sseResponse,
  stopList,
  tokenLogprob,
} from './common.js';
import { type ChatRequest, chatRequestSchema } from './schemas.js';

type OpenAIFinish = 'stop' | 'length' | 'tool_calls';
type TokenLogprob = ReturnType<typeof tokenLogprob> & { top_logprobs: ReturnType<typeof tokenLogprob>[] };

/** What one choice produces as it runs: content text, finished tool calls, logprobs. */
interface ChoiceSink {
  content(text: string): void;
  toolCall(call: OpenAIToolCallOut, index: number): void;
  logprobs(entries: TokenLogprob[]): void;
}

interface PreparedChat {
  prompt: Token[];
  /** Text already placed at the start of the assistant turn (forced tool calls); the parser sees it first. */
  prefill: string;
  parseTools: boolean;
  /** Declared plugin tools: a bare-JSON call must name one of them to be read as a call. */
  toolNames: ReadonlySet<string>;
  grammar?: LlamaGrammar;
  stops: string[];
  stopTokens: Token[];
}

/** OpenAI chat request → InternLM2 prompt, tool protocol and constraints. */
async function prepare(rc: RouteContext, req: ChatRequest): Promise<PreparedChat> {
  const messages = asClientError('messages', () => fromOpenAIMessages(req.messages as OpenAIChatMessage[]));
  const choice = req.tool_choice ?? 'auto';
  const useTools = (req.tools?.length ?? 0) > 0 && choice !== 'none';
  const { tools, interpreter } = useTools
    ? asClientError('tools', () => fromOpenAITools(req.tools as OpenAITool[]))
    : { tools: [], interpreter: false };
  let prefill = '';
  if (useTools && choice !== 'auto') {
    // InternLM2 has no "must call" switch; starting the assistant turn with the call markers (and
    // the function name when one is named) forces the model into the plugin protocol.
    prefill = `${ACTION_START}${PLUGIN}\n`;
    if (typeof choice === 'object') {
      if (!tools.some((t) => t.name === choice.function.name)) {
        throw new ServeError('SERVE_UNKNOWN_TOOL', `tool_choice names "${choice.function.name}", which is not in tools.`, {
          param: 'tool_choice',
        });
      }
      prefill += `{"name": ${JSON.stringify(choice.function.name)}, "parameters": `;
    }
  }
  const metaInstruction = rc.engine.useDefaultSystemPrompt ? undefined : null;
  const text =
    asClientError('messages', () => renderInternLM2Chat(messages, { tools, interpreter, meta_instruction: metaInstruction })) + prefill;
  const prompt = rc.engine.tokenize(text, true);
  checkPromptLength(rc, prompt, 'messages');
  let grammar: LlamaGrammar | undefined;
  const rf = req.response_format;
  try {
    if (rf?.type === 'json_object') grammar = await rc.engine.grammarFor(undefined);
    if (rf?.type === 'json_schema') grammar = await rc.engine.grammarFor(rf.json_schema.schema ?? {});
  } catch (e) {
    // A schema the grammar compiler cannot handle is the client's problem, not a server fault.
    throw new ServeError('SERVE_BAD_SCHEMA', `response_format schema is not supported: ${(e as Error).message}`, {
      param: 'response_format',
      cause: e,
    });
  }
  const stopTokens = [IM_END, ...(useTools ? [ACTION_END] : [])]
    .map((s) => rc.engine.specialTokenId(s))
    .filter((t): t is Token => t !== undefined);
  return {
    prompt,
    prefill,
    parseTools: useTools && !grammar,
    toolNames: new Set(tools.map((t) => t.name)),
    grammar,
    stops: stopList(req.stop),
    stopTokens,
  };
}

/** Runs one choice to the end on its ticket, which is released however it ends; returns the OpenAI finish reason and token count. */
async function runChoice(
  rc: RouteContext,
  req: ChatRequest,
  p: PreparedChat,
  ticket: SequenceTicket,
  index: number,
  sink: ChoiceSink,
  signal: AbortSignal,
): Promise<{ finish: OpenAIFinish; tokens: number }> {
  try {
    return await generateChoice(rc, req, p, ticket, index, sink, signal);
  } finally {
    ticket.release();
  }
}

async function generateChoice(
  rc: RouteContext,
  req: ChatRequest,
  p: PreparedChat,
  ticket: SequenceTicket,
  index: number,
  sink: ChoiceSink,
  signal: AbortSignal,
): Promise<{ finish: OpenAIFinish; tokens: number }> {
  const maxTokens = req.max_completion_tokens ?? req.max_tokens ?? rc.engine.contextSize;
  const wantLogprobs = req.logprobs === true;
  const opts = {
    ...samplingFrom(req, maxTokens),
    // Different choices of one request must differ: offset the seed per choice.
    seed: req.seed == null ? undefined : req.seed + index,
    grammar: p.grammar,
    stopTokens: req.ignore_eos ? [] : p.stopTokens,
    logprobs: wantLogprobs ? (req.top_logprobs ?? 0) : undefined,
  };
  // Chat markers are text only where the tool parser reads them; without tools a stray
  // `<|action_end|>` is not content (vLLM skips special tokens by default too).
  const streamer = new TokenTextStreamer((t) => rc.engine.detokenize(t as Token[], p.parseTools), p.stops);
  const router = new ChoiceTextRouter(sink, { parseTools: p.parseTools, toolNames: p.toolNames });
  let tokens = 0;
  const gen = rc.scheduler.generate(ticket, opts, signal);
  let finish: FinishReason = 'stop';
  try {
    if (p.parseTools && p.prefill) router.push(p.prefill);
    for (;;) {
      const r = await gen.next();
      if (r.done) {
        finish = r.value;
        break;
      }
      tokens++;
      const step = streamer.push(r.value.token);
      if (wantLogprobs) {
        const entry = tokenLogprob(rc.engine, r.value.token, r.value.logprob ?? 0);
        sink.logprobs([{ ...entry, top_logprobs: (r.value.top ?? []).map((t) => tokenLogprob(rc.engine, t.token, t.logprob)) }]);
      }
      router.push(step.text);
      if (step.stop !== undefined) break;
    }
  } finally {
    // Ends the generation however the loop ended (stop string, sink error; a no-op once finished).
    // return() waits for the decode in flight, so the sequence is free for the next request after it.
    await gen.return('stop');
  }
  router.push(streamer.finish().text);
  router.end();
  return { finish: router.calls > 0 ? 'tool_calls' : finish, tokens };
}

/** POST /v1/chat/completions */
export async function chatCompletions(c: Context<ServeEnv>, rc: RouteContext): Promise<Response> {
  const req = await parseBody(c, chatRequestSchema);
  const p = await prepare(rc, req);
  const n = req.n ?? 1;
  const id = newId('chatcmpl');
  const created = nowSeconds();
  const model = rc.engine.modelName;
  const client = clientAbort(c);
  const signal = rc.scheduler.requestSignal(client.signal);
  // Admitted or refused (429/503) now, before any byte of a stream is sent.
  const tickets = rc.scheduler.admit(
    Array.from({ length: n }, () => p.prompt),
    signal,
  );
  if (req.stream) {
    await firstGranted(tickets);
    return sseResponse(c, rc, client, async (send) => {
      const chunk = (index: number, delta: object, finish: OpenAIFinish | null = null, logprobs: object | null = null) =>
        send({ id, object: 'chat.completion.chunk', created, model, choices: [{ index, delta, logprobs, finish_reason: finish }] });
      const results = await allOrAbort(
        tickets.map((ticket, index) => async (s: AbortSignal) => {
          chunk(index, { role: 'assistant', content: '' });
          const r = await runChoice(
            rc,
            req,
            p,
            ticket,
            index,
            {
              content: (text) => chunk(index, { content: text }),
              toolCall: (call, i) => chunk(index, { tool_calls: [{ index: i, ...call }] }),
              logprobs: (entries) => chunk(index, {}, null, { content: entries }),
            },
            s,
          );
          chunk(index, {}, r.finish);
          return r;
        }),
        signal,
      );
      if (req.stream_options?.include_usage) {
        const completion = results.reduce((a, r) => a + r.tokens, 0);
        send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usage(p.prompt.length, completion) });
      }
    });
  }
  const choices = await allOrAbort(
    tickets.map((ticket, index) => async (s: AbortSignal) => {
      let content = '';
      const toolCalls: object[] = [];
      const logprobs: TokenLogprob[] = [];
      const r = await runChoice(
        rc,
        req,
        p,
        ticket,
        index,
        { content: (t) => (content += t), toolCall: (call) => toolCalls.push(call), logprobs: (e) => logprobs.push(...e) },
        s,
      );
      const message: Record<string, unknown> = { role: 'assistant', content: toolCalls.length > 0 && content === '' ? null : content };
      if (toolCalls.length > 0) message.tool_calls = toolCalls;
      return { index, message, logprobs: req.logprobs ? { content: logprobs } : null, finish_reason: r.finish, tokens: r.tokens };
    }),
    signal,
  );
  const completion = choices.reduce((a, ch) => a + ch.tokens, 0);
  return c.json({
    id,
    object: 'chat.completion',
    created,
    model,
    choices: choices.map(({ tokens: _, ...ch }) => ch),
    usage: usage(p.prompt.length, completion),
  });
}

export function usage(prompt: number, completion: number) {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}
