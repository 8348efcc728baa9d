import { eventually, GREETING, makeToolModel, postJson, SYSTEM } from '@puyu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatCompletionBody, CompletionBody } from '../http/wire.js';
import { type RunningServer, startServer } from '../startServer.js';
import { DirectDecoder } from './DirectDecoder.js';

// The direct decode path must give exactly what node-llama-cpp's generator gives: the same tokens for
// greedy and seeded sampling, alone and batched, with the sequence's bookkeeping left as evaluate
// leaves it. Each case runs on two servers over one model: direct (the default) and generator-only.
let direct: RunningServer;
let generator: RunningServer;
const open: RunningServer[] = [];
const json = async <T>(r: Promise<Response>): Promise<T> => (await (await r).json()) as T;

beforeAll(async () => {
  const { gguf } = await makeToolModel();
  const base = { model: gguf, port: 0, sequences: 4, contextSize: 512, threads: 1 };
  direct = await startServer(base);
  open.push(direct);
  generator = await startServer({ ...base, directDecode: false });
  open.push(generator);
});
afterAll(async () => {
  for (const s of open) await s.close();
});

const complete = (s: RunningServer, body: object) => json<CompletionBody>(postJson(`${s.url}/v1/completions`, body));
const text = (b: CompletionBody) => b.choices.map((c) => c.text);

describe('DirectDecoder', () => {
  it('is what plain generations run on, and only those', async () => {
    expect(direct.scheduler.direct).toBeInstanceOf(DirectDecoder);
    expect(generator.scheduler.direct).toBeUndefined();
    const d = direct.scheduler.direct as DirectDecoder;
    const before = d.stats.steps;
    await complete(direct, { prompt: 'hello', max_tokens: 8, temperature: 0, ignore_eos: true });
    expect(d.stats.steps - before).toBe(8); // the prompt with the first token, then one per token
    const mid = d.stats.steps;
    // logprobs and penalties are node-llama-cpp's to compute: they take its generator
    await complete(direct, { prompt: 'hello', max_tokens: 4, temperature: 0, logprobs: 1 });
    await complete(direct, { prompt: 'hello', max_tokens: 4, temperature: 0, presence_penalty: 0.5 });
    expect(d.stats.steps).toBe(mid);
  });

  it('gives the same tokens as node-llama-cpp for greedy and seeded sampling', async () => {
    const bodies = [
      { prompt: 'hello', max_tokens: 48, temperature: 0, ignore_eos: true },
      { prompt: 'The weather in Shanghai', max_tokens: 48, temperature: 2, seed: 7, ignore_eos: true },
      { prompt: 'The weather in Shanghai', max_tokens: 48, temperature: 2, top_p: 0.9, top_k: 50, min_p: 0.01, seed: 11, ignore_eos: true },
      { prompt: 'hello', max_tokens: 64, temperature: 0 }, // ends on EOS where the model says so
    ];
    for (const body of bodies) expect(text(await complete(direct, body))).toEqual(text(await complete(generator, body)));
    // the seed really steers these answers (the tiny model is peaked: at temperature < 1 it rarely does)
    const reseeded = await complete(generator, { ...bodies[1], seed: 8 });
    expect(text(reseeded)).not.toEqual(text(await complete(generator, bodies[1] as object)));
    const chat = {
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: GREETING },
      ],
      temperature: 0,
    };
    const [a, b] = await Promise.all(
      [direct, generator].map((s) => json<ChatCompletionBody>(postJson(`${s.url}/v1/chat/completions`, chat))),
    );
    expect(a.choices[0].message.content).toEqual(b.choices[0].message.content);
    expect(a.choices[0].finish_reason).toBe(b.choices[0].finish_reason);
  });

  it('batches concurrent requests into shared steps, in sequence-id order, with the answers they give alone', async () => {
    const d = direct.scheduler.direct as DirectDecoder;
    const bodies = [1, 2, 3, 4].map((seed) => ({ prompt: `story ${seed}`, max_tokens: 40, temperature: 0.8, seed, ignore_eos: true }));
    const alone: string[][] = [];
    for (const b of bodies) alone.push(text(await complete(generator, b)));
    const s0 = { ...d.stats };
    const together = await Promise.all(bodies.map((b) => complete(direct, b)));
    expect(together.map(text)).toEqual(alone);
    const perStep = (d.stats.items - s0.items) / (d.stats.steps - s0.steps);
    expect(perStep).toBeGreaterThan(3); // 4 streams decode together, not one by one
  });

  it('leaves the sequence as evaluate would: its tokens are reused by the next request', async () => {
    const s = await startServer({ model: direct.engine.modelPath, port: 0, sequences: 1, contextSize: 512, threads: 1 });
    open.push(s);
    const prompt = s.engine.tokenize('The weather in Beijing is');
    const body = { prompt, max_tokens: 12, temperature: 0, ignore_eos: true };
    const first = await complete(s, body);
    const seq = s.engine.sequences[0];
    // the last token generated is never decoded (nothing asked for the one after it)
    expect(seq?.nextTokenIndex).toBe(prompt.length + 12 - 1);
    expect(seq?.contextTokens.slice(0, prompt.length)).toEqual(prompt);
    const again = await complete(s, body);
    expect(text(again)).toEqual(text(first));
    expect(s.metrics.prefixReusedTokens).toBe(prompt.length - 1);
  });

  it('a prompt chunk that does not fit beside the running streams goes in the next step, not after them', async () => {
    // batch 64: a 64-token prompt cannot share a step with three running streams' tokens
    const s = await startServer({ model: direct.engine.modelPath, port: 0, sequences: 4, contextSize: 512, batchSize: 64, threads: 1 });
    open.push(s);
    let finished = 0;
    const running = [1, 2, 3].map((seed) =>
      complete(s, { prompt: `story ${seed}`, max_tokens: 300, temperature: 0.8, seed, ignore_eos: true }).then((b) => {
        finished++;
        return b;
      }),
    );
    expect(await eventually(async () => s.metrics.generatedTokens > 30)).toBe(true);
    const prompt = s.engine.tokenize('The weather in Beijing is sunny today. '.repeat(20)).slice(0, 64);
    expect(prompt.length).toBe(64);
    const late = await complete(s, { prompt, max_tokens: 1, temperature: 0 });
    expect(late.usage.completion_tokens).toBe(1);
    expect(finished).toBe(0); // it did not wait for the three streams to end
    await Promise.all(running);
  });
});
