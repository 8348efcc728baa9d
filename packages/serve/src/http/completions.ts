import type { Context } from 'hono';
import type { Token } from 'node-llama-cpp';
import { allOrAbort } from '../engine/abort.js';
import type { SequenceTicket } from '../engine/Scheduler.js';
import { ServeError } from '../ServeError.js';
import { TokenTextStreamer } from '../text/TokenTextStreamer.js';
import { usage } from './chatCompletions.js';
import {
  checkPromptLength,
  checkTokenIds,
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
} from './common.js';
import { type CompletionRequest, completionRequestSchema } from './schemas.js';

/** Legacy OpenAI logprobs: parallel arrays over tokens. */
interface LegacyLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
  text_offset: number[];
}

function promptsOf(rc: RouteContext, req: CompletionRequest): { tokens: Token[]; text: string }[] {
  const p = req.prompt;
  const list: (string | number[])[] =
    typeof p === 'string' ? [p] : typeof p[0] === 'number' ? [p as number[]] : (p as (string | number[])[]);
  return list.map((x) => {
    if (typeof x === 'string') return { tokens: rc.engine.tokenize(x, true), text: x };
    checkTokenIds(rc, x, 'prompt');
    return { tokens: x as Token[], text: rc.engine.detokenize(x as Token[]) };
  });
}

/** Appends tokens to legacy logprobs, tracking each token's character offset in the choice text. */
function pushLogprobs(
  rc: RouteContext,
  lp: LegacyLogprobs,
  offset: { at: number },
  token: Token,
  logprob: number | null,
  top: { token: Token; logprob: number }[] | null | undefined,
): void {
  const text = rc.engine.detokenize([token]);
  lp.tokens.push(text);
  lp.token_logprobs.push(logprob);
  lp.top_logprobs.push(top ? Object.fromEntries(top.map((t) => [rc.engine.detokenize([t.token]), t.logprob])) : null);
  lp.text_offset.push(offset.at);
  offset.at += text.length;
}

/** POST /v1/completions: plain text continuation; `echo` + `logprobs` score the prompt itself. */
export async function completions(c: Context<ServeEnv>, rc: RouteContext): Promise<Response> {
  const req = await parseBody(c, completionRequestSchema);
  if (req.suffix)
    throw new ServeError('SERVE_UNSUPPORTED', 'suffix (fill-in-the-middle) is not supported by this model.', { param: 'suffix' });
  const prompts = promptsOf(rc, req);
  for (const p of prompts) checkPromptLength(rc, p.tokens, 'prompt');
  const n = req.n ?? 1;
  const maxTokens = req.max_tokens ?? 16; // OpenAI's default for completions
  const id = newId('cmpl');
  const created = nowSeconds();
  const model = rc.engine.modelName;
  const stops = stopList(req.stop);
  const wantLogprobs = req.logprobs != null;
  if (req.stream && req.echo && wantLogprobs) {
    throw new ServeError('SERVE_UNSUPPORTED', 'echo with logprobs is only supported without streaming.', { param: 'stream' });
  }

  type Result = { finish: string; tokens: number; text: string; logprobs: LegacyLogprobs | null };
  // One choice; its sequence goes back to the pool however the generation ends.
  const runOne = (...args: Parameters<typeof generateOne>): Promise<Result> => generateOne(...args).finally(() => args[1].release());
  const generateOne = async (
    p: { tokens: Token[]; text: string },
    ticket: SequenceTicket,
    index: number,
    signal: AbortSignal,
    onText: (text: string, lp: LegacyLogprobs | null) => void,
  ): Promise<Result> => {
    let text = '';
    const lp: LegacyLogprobs | null = wantLogprobs ? { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] } : null;
    const offset = { at: 0 };
    if (req.echo) {
      text = p.text;
      if (lp) {
        const scored = await rc.scheduler.promptLogprobs(ticket, req.logprobs ?? 0, signal);
        for (const [i, t] of p.tokens.entries()) pushLogprobs(rc, lp, offset, t, scored[i].logprob, scored[i].top);
      }
      offset.at = text.length;
      onText(text, null);
    }
    if (maxTokens === 0) return { finish: 'length', tokens: 0, text, logprobs: lp };
    const opts = {
      ...samplingFrom(req, maxTokens),
      seed: req.seed == null ? undefined : req.seed + index,
      logprobs: req.logprobs ?? undefined,
    };
    // Special tokens are left out of the text, as vLLM does, unless the request asks for them
    // (`skip_special_tokens: false`): InternLM2's native tool protocol over /v1/completions reads
    // its `<|action_start|><|plugin|>` markers from the text, and its stop words are markers.
    const keepSpecial = req.skip_special_tokens === false;
    const streamer = new TokenTextStreamer((t) => rc.engine.detokenize(t as Token[], keepSpecial), stops);
    const gen = rc.scheduler.generate(ticket, opts, signal);
    let finish = 'stop';
    let tokens = 0;
    try {
      for (;;) {
        const r = await gen.next();
        if (r.done) {
          finish = r.value;
          break;
        }
        tokens++;
        const step = streamer.push(r.value.token);
        let delta: LegacyLogprobs | null = null;
        if (lp) {
          delta = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
          pushLogprobs(rc, delta, offset, r.value.token, r.value.logprob ?? null, r.value.top);
          for (const k of Object.keys(delta) as (keyof LegacyLogprobs)[]) (lp[k] as unknown[]).push(...(delta[k] as unknown[]));
        }
        text += step.text;
        if (step.text || delta) onText(step.text, delta);
        if (step.stop !== undefined) break;
      }
    } finally {
      await gen.return('stop');
    }
    const tail = streamer.finish().text;
    text += tail;
    if (tail) onText(tail, null);
    return { finish, tokens, text, logprobs: lp };
  };

  const jobs = prompts.flatMap((p, pi) => Array.from({ length: n }, (_, k) => ({ p, index: pi * n + k })));
  const client = clientAbort(c);
  const signal = rc.scheduler.requestSignal(client.signal);
  // Admitted or refused (429/503) now, before any byte of a stream is sent.
  const tickets = rc.scheduler.admit(
    jobs.map((j) => j.p.tokens),
    signal,
  );
  if (req.stream) {
    await firstGranted(tickets);
    return sseResponse(c, rc, client, async (send) => {
      const results = await allOrAbort(
        jobs.map((j, k) => async (s: AbortSignal) => {
          const r = await runOne(j.p, tickets[k], j.index, s, (text, logprobs) =>
            send({ id, object: 'text_completion', created, model, choices: [{ index: j.index, text, logprobs, finish_reason: null }] }),
          );
          send({
            id,
            object: 'text_completion',
            created,
            model,
            choices: [{ index: j.index, text: '', logprobs: null, finish_reason: r.finish }],
          });
          return r;
        }),
        signal,
      );
      if (req.stream_options?.include_usage) {
        const prompt = prompts.reduce((a, p) => a + p.tokens.length, 0);
        send({
          id,
          object: 'text_completion',
          created,
          model,
          choices: [],
          usage: usage(
            prompt,
            results.reduce((a, r) => a + r.tokens, 0),
          ),
        });
      }
    });
  }
  const results = await allOrAbort(
    jobs.map((j, k) => (s: AbortSignal) => runOne(j.p, tickets[k], j.index, s, () => {})),
    signal,
  );
  const promptTokens = prompts.reduce((a, p) => a + p.tokens.length, 0);
  return c.json({
    id,
    object: 'text_completion',
    created,
    model,
    choices: results.map((r, index) => ({ index, text: r.text, logprobs: r.logprobs, finish_reason: r.finish })),
    usage: usage(
      promptTokens,
      results.reduce((a, r) => a + r.tokens, 0),
    ),
  });
}
