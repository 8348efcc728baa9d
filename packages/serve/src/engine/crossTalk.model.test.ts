import { fromOpenAITools, renderInternLM2Chat } from '@puyu/formats';
import { CITIES, GREETING, makeToolModel, SYSTEM, WEATHER_TOOL } from '@puyu/testing';
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_LOGPROB_TOLERANCE } from './batchInvariance.js';
import { Engine } from './Engine.js';

// Is there cross-talk between the sequences of one context? The same greedy request is run alone in
// every sequence slot, next to stale caches, after prefix reuse, and batched with other requests
// (starting together, or joining mid-generation with long prompts), and its full next-token
// distribution is compared with a solo run at every step. Solo runs must be bit-identical whatever
// the slot or the other sequences' caches; batched runs may differ only by kernel rounding, far
// below every greedy margin of the answers. A stress run (16 sequences, distinct prompts) checks
// the logits-reorder race that Engine guards against (without the guard: 30 of 160 answers differed).
// The figures printed here are the ones recorded in packages/serve/README.md ("Cross-talk").

let engine: Engine;
let V = 0;
const prompts: Record<string, Token[]> = {};
let stops = new Set<Token>();
beforeAll(async () => {
  const { gguf } = await makeToolModel();
  // The load test's configuration: 4 sequences × 512, 1 thread.
  engine = await Engine.load({ model: gguf, sequences: 4, contextSize: 512, threads: 1 });
  V = engine.vocabSize;
  const { tools } = fromOpenAITools([{ type: 'function', function: WEATHER_TOOL }]);
  prompts.greeting = engine.tokenize(
    renderInternLM2Chat([
      { role: 'system', content: SYSTEM },
      { role: 'user', content: GREETING },
    ]),
  );
  for (const city of CITIES) {
    const conversation = [
      { role: 'system' as const, content: SYSTEM },
      { role: 'user' as const, content: `What is the weather in ${city}?` },
    ];
    prompts[city] = engine.tokenize(renderInternLM2Chat(conversation, { tools }));
  }
  // The chat route's end tokens: <|im_end|>, and <|action_end|> when tools are offered.
  stops = new Set(['<|im_end|>', '<|action_end|>'].map((t) => engine.specialTokenId(t)).filter((t): t is Token => t !== undefined));
});
afterAll(async () => {
  await engine?.dispose();
});

interface Step {
  token: Token;
  /** log-probabilities of the whole vocabulary */
  logp: Float64Array;
}

/** Greedy generation on `seq` up to and including an end token (at most `max` steps), with full distributions. */
async function run(seq: LlamaContextSequence, prompt: Token[], max = 64, keepCache = false): Promise<Step[]> {
  if (!keepCache) await seq.clearHistory();
  const out: Step[] = [];
  const it = seq.evaluateWithMetadata(prompt, { probabilities: true }, { temperature: 0, topK: 0, topP: 1, yieldEogToken: true });
  for await (const r of it) {
    const logp = new Float64Array(V).fill(Number.NEGATIVE_INFINITY);
    for (const [t, p] of r.probabilities) logp[t] = Math.log(p);
    out.push({ token: r.token, logp });
    if (stops.has(r.token) || out.length >= max) break;
  }
  return out;
}

/** A companion: any prompt, sampled or greedy, `max` tokens. */
async function companion(seq: LlamaContextSequence, prompt: Token[], max: number, temperature: number, seed: number): Promise<void> {
  await seq.clearHistory();
  let n = 0;
  for await (const _ of seq.evaluate(prompt, { temperature, seed, topK: 0, topP: 1, yieldEogToken: true })) if (++n >= max) break;
}

function top2(l: Float64Array): { a: number; b: number; margin: number } {
  let a = 0;
  let b = 1;
  if (l[b] > l[a]) [a, b] = [b, a];
  for (let i = 2; i < l.length; i++) {
    if (l[i] > l[a]) {
      b = a;
      a = i;
    } else if (l[i] > l[b]) b = i;
  }
  return { a, b, margin: l[a] - l[b] };
}

interface Delta {
  /** max |Δ log p| over the whole vocabulary (tokens with log p > −30 in both), over the common steps */
  vocab: number;
  /** max |Δ log p| of the chosen token */
  chosen: number;
  /** max |Δ (top-1 − top-2)| of the solo run's top two */
  margin: number;
  /** first step whose token differs (-1: none) */
  diverged: number;
  sameLength: boolean;
}
function compare(ref: Step[], got: Step[]): Delta {
  const d: Delta = { vocab: 0, chosen: 0, margin: 0, diverged: -1, sameLength: ref.length === got.length };
  for (let k = 0; k < Math.min(ref.length, got.length); k++) {
    const r = ref[k].logp;
    const g = got[k].logp;
    for (let i = 0; i < V; i++) if (r[i] > -30 && g[i] > -30) d.vocab = Math.max(d.vocab, Math.abs(r[i] - g[i]));
    const t = top2(r);
    d.margin = Math.max(d.margin, Math.abs(t.margin - (g[t.a] - g[t.b])));
    if (ref[k].token !== got[k].token) {
      d.diverged = k;
      return d;
    }
    d.chosen = Math.max(d.chosen, Math.abs(r[ref[k].token] - g[ref[k].token]));
  }
  return d;
}
const worst = (ds: Delta[], k: 'vocab' | 'chosen' | 'margin') => Math.max(0, ...ds.map((d) => d[k]));
const fmt = (x: number) => x.toExponential(1);

describe('cross-talk between sequences', () => {
  it('solo runs are bit-identical in every slot, next to stale caches and after prefix reuse; batched runs differ only by rounding far below every greedy margin', async () => {
    const names = Object.keys(prompts);
    const seqs = engine.sequences;
    const ref: Record<string, Step[]> = {};
    for (const name of names) ref[name] = await run(seqs[0], prompts[name]);
    const minMargin = Math.min(...names.flatMap((n) => ref[n].map((s) => top2(s.logp).margin)));
    const answerSteps = names.reduce((a, n) => a + ref[n].length, 0);

    // Alone: in each slot with the others empty; then next to stale caches of other requests.
    const solo: Delta[] = [];
    for (const stale of [false, true])
      for (let s = 0; s < seqs.length; s++)
        for (const name of names) {
          for (let o = 0; o < seqs.length; o++) {
            if (o === s) continue;
            if (stale) await run(seqs[o], prompts[names[(o + 1) % names.length]], 12);
            else await seqs[o].clearHistory();
          }
          solo.push(compare(ref[name], await run(seqs[s], prompts[name])));
        }
    // Prefix reuse: the slot caches another request sharing a prefix (or the same prompt plus its answer);
    // only the differing suffix is evaluated, as the scheduler does. Not bit-identical: the suffix is
    // evaluated in a smaller batch than the whole prompt was (other kernel tiling), so rounding only.
    const reuse: Delta[] = [];
    for (const [cached, name] of [
      ['Shanghai', 'Beijing'],
      ['Beijing', 'Shanghai'],
      ['greeting', 'greeting'],
      ['Shanghai', 'greeting'],
    ]) {
      const seq = seqs[1];
      await run(seq, prompts[cached], 20);
      const p = prompts[name];
      let keep = 0;
      while (keep < p.length - 1 && seq.contextTokens[keep] === p[keep]) keep++;
      await seq.eraseContextTokenRanges([{ start: keep, end: seq.nextTokenIndex }]);
      reuse.push(compare(ref[name], await run(seq, p.slice(keep), 64, true)));
    }

    // Batched: three companions (the other prompts greedy, a sampled text) start with the request.
    const batched: (Delta & { name: string })[] = [];
    const hello = engine.tokenize('hello', true);
    for (let rep = 0; rep < 2; rep++)
      for (let s = 0; s < seqs.length; s++)
        for (const name of names) {
          const others = seqs
            .map((q, i) => ({ q, i }))
            .filter(({ i }) => i !== s)
            .map(({ q, i }) =>
              (i + rep) % 3 === 0 ? companion(q, hello, 48, 1, i + rep) : companion(q, prompts[names[(i + rep) % names.length]], 48, 0, 0),
            );
          batched.push({ name, ...compare(ref[name], await run(seqs[s], prompts[name])) });
          await Promise.all(others);
        }
    // Joining mid-generation: companions with long prompts arrive while the request decodes, so its
    // decode steps share batches with their prefills.
    const longPrompt = engine.tokenize('word '.repeat(300), true).slice(0, 300);
    for (let s = 0; s < seqs.length; s++)
      for (const name of names) {
        for (const q of seqs) await q.clearHistory();
        const target = run(seqs[s], prompts[name], 64, true);
        await new Promise((r) => setTimeout(r, 10 + 5 * s));
        const others = [1, 2, 3].map((d) => companion(seqs[(s + d) % 4], d === 2 ? longPrompt : prompts.Shanghai, 24, 0.8, d));
        batched.push({ name, ...compare(ref[name], await target) });
        await Promise.all(others);
      }

    const divergent = batched.filter((d) => d.diverged >= 0 || !d.sameLength);
    console.log(
      `cross-talk: ${names.length} greedy answers, ${answerSteps} steps, smallest top-2 margin ${minMargin.toFixed(3)}; ` +
        `solo (${solo.length} runs: 4 slots, empty or stale neighbours) max |Δlogp| ${worst(solo, 'vocab')}; ` +
        `prefix reuse (${reuse.length} runs) ${fmt(worst(reuse, 'vocab'))}; ` +
        `batched (${batched.length} runs) max |Δlogp| vocabulary ${fmt(worst(batched, 'vocab'))}, chosen token ${fmt(worst(batched, 'chosen'))}, ` +
        `top-2 margin ${fmt(worst(batched, 'margin'))}; ${divergent.length} answers differ`,
    );
    // Alone, nothing another sequence did or left behind changes a single bit.
    for (const d of solo) expect(d).toEqual({ vocab: 0, chosen: 0, margin: 0, diverged: -1, sameLength: true });
    for (const d of reuse) expect(d).toMatchObject({ diverged: -1, sameLength: true });
    expect(worst(reuse, 'vocab')).toBeLessThan(BATCH_LOGPROB_TOLERANCE);
    // Batched: rounding only, within the tolerance the load test asserts, and a greedy answer can
    // change only at a near-tie (none in these answers: every margin is far above 2 × tolerance).
    expect(worst(batched, 'chosen')).toBeLessThan(BATCH_LOGPROB_TOLERANCE);
    expect(worst(batched, 'margin')).toBeLessThan(BATCH_LOGPROB_TOLERANCE);
    expect(worst(batched, 'vocab')).toBeLessThan(BATCH_LOGPROB_TOLERANCE);
    for (const d of divergent) expect(top2(ref[d.name][Math.max(0, d.diverged)].logp).margin).toBeLessThan(2 * BATCH_LOGPROB_TOLERANCE);
  });

  it('stress: 16 sequences decoding distinct prompts together each give their solo answer (the logits-reorder race)', async () => {
    const big = await Engine.load({ model: engine.modelPath, sequences: 16, contextSize: 256, threads: 1 });
    try {
      const texts = [...Object.values(prompts), big.tokenize('The quick brown fox', true), big.tokenize('Once upon a time', true)];
      // probabilities for half of them, as with logprobs requests (a longer sampling widens the race window)
      const greedy = async (seq: LlamaContextSequence, p: Token[], probabilities = false) => {
        await seq.clearHistory();
        const out: Token[] = [];
        for await (const r of seq.evaluateWithMetadata(p, { probabilities }, { temperature: 0, topK: 0, topP: 1, yieldEogToken: true })) {
          out.push(r.token);
          if (out.length >= 40) break;
        }
        return out.join(',');
      };
      const solo: string[] = [];
      for (const p of texts) solo.push(await greedy(big.sequences[0], p));
      let runs = 0;
      const differ: string[] = [];
      for (let round = 0; round < 10; round++)
        await Promise.all(
          big.sequences.map(async (seq, i) => {
            const k = (i + round) % texts.length;
            await new Promise((r) => setTimeout(r, (i * 7 + round * 3) % 20)); // staggered: varied batch orders
            const got = await greedy(seq, texts[k], (i + round) % 2 === 0);
            runs++;
            if (got !== solo[k]) differ.push(`round ${round} seq ${i} prompt ${k}`);
          }),
        );
      console.log(
        `stress: ${runs} greedy answers on 16 sequences, ${differ.length} differ from solo; ${big.batchStats.items / big.batchStats.batches} sequences/decode`,
      );
      expect(differ).toEqual([]);
    } finally {
      await big.dispose();
    }
  });
});
