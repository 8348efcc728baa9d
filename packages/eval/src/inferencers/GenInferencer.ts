import { callCached, type InferContext } from './callCached.js';
import { type Inferencer, type InferInput, type InferredPrediction, requestFor } from './Inferencer.js';

export interface GenOptions {
  /** Overrides the template's budget. */
  maxTokens?: number;
  /** Greedy by default, as OpenCompass's gen configs are, so reruns reproduce. */
  temperature?: number;
  stop?: string[];
}

/** Free generation: one request per sample, the whole text is the prediction (extraction happens in the evaluator). */
export class GenInferencer implements Inferencer {
  readonly name = 'gen';
  constructor(private readonly opts: GenOptions = {}) {}

  requestsPerSample(): number {
    return 1;
  }

  async infer(input: InferInput, ctx: InferContext): Promise<InferredPrediction> {
    const prompt = input.template.render({ sample: input.sample, shots: input.shots, style: input.style });
    // Template stops are for completion-style prompts; a chat model ends at its own end-of-turn.
    const stop = this.opts.stop ?? (prompt.style === 'base' && input.template.stop ? [...input.template.stop] : undefined);
    const params = { maxTokens: this.opts.maxTokens ?? input.template.maxTokens ?? 512, temperature: this.opts.temperature ?? 0, stop };
    const r = await callCached(ctx, requestFor(prompt, params));
    if (!r.ok) return { id: input.sample.id, output: '', error: { code: r.error.code, message: r.error.message }, prompt };
    return { id: input.sample.id, output: r.texts[0] ?? '', prompt, cached: r.fromCache };
  }
}
