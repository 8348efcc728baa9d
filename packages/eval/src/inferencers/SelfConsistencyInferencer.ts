import { callCached, type InferContext } from './callCached.js';
import { type Inferencer, type InferInput, type InferredPrediction, requestFor } from './Inferencer.js';

export interface SelfConsistencyOptions {
  /** Draws per sample (OpenCompass's SC configs use 5–40). */
  n: number;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  /** Draw k uses seed `seed + k`, so a rerun asks for the same draws (and hits the cache). */
  seed?: number;
}

/**
 * Self-consistency (Wang et al. 2022): n sampled chains of thought per sample, sent as n
 * separate seeded requests rather than one `n=` request because many servers ignore `n`,
 * and so each draw is cached on its own. The vote happens after extraction
 * (`majorityVote`), where the evaluator knows what an answer is.
 */
export class SelfConsistencyInferencer implements Inferencer {
  readonly name = 'sc';
  constructor(private readonly opts: SelfConsistencyOptions) {}

  requestsPerSample(): number {
    return this.opts.n;
  }

  async infer(input: InferInput, ctx: InferContext): Promise<InferredPrediction> {
    const prompt = input.template.render({ sample: input.sample, shots: input.shots, style: input.style });
    const stop = prompt.style === 'base' && input.template.stop ? [...input.template.stop] : undefined;
    const base = {
      maxTokens: this.opts.maxTokens ?? input.template.maxTokens ?? 512,
      temperature: this.opts.temperature ?? 0.7,
      topP: this.opts.topP,
      stop,
    };
    const seed = this.opts.seed ?? 0;
    const outcomes = await Promise.all(
      Array.from({ length: this.opts.n }, (_, k) => callCached(ctx, requestFor(prompt, { ...base, seed: seed + k }), `sc${k}`)),
    );
    const failed = outcomes.find((o) => !o.ok);
    if (failed && !failed.ok)
      return { id: input.sample.id, output: '', error: { code: failed.error.code, message: failed.error.message }, prompt };
    const outputs = outcomes.map((o) => (o.ok ? (o.texts[0] ?? '') : ''));
    return { id: input.sample.id, output: outputs[0], outputs, prompt, cached: outcomes.every((o) => o.ok && o.fromCache) };
  }
}
