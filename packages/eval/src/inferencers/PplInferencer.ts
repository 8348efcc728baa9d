import { OPTION_LABELS } from '../types.js';
import { callCached, type InferContext } from './callCached.js';
import type { Inferencer, InferInput, InferredPrediction } from './Inferencer.js';

/**
 * Choice log-likelihood (OpenCompass's PPL inferencer, lm-eval's `loglikelihood`): the
 * base-style prompt is the context, each option's continuation is scored through
 * `/v1/completions` with echo + logprobs, and the prediction is the option whose
 * continuation is most likely. `normalize: 'chars'` divides by continuation length
 * (lm-eval's `acc_norm`) for options of very different lengths.
 */
export class PplInferencer implements Inferencer {
  readonly name = 'ppl';
  constructor(private readonly opts: { normalize?: 'none' | 'chars' } = {}) {}

  private continuations(input: InferInput): string[] {
    const fromTemplate = input.template.continuations?.(input.sample);
    if (fromTemplate?.length) return fromTemplate;
    // Without a template rule, score the option letter after the prompt's "Answer:".
    return (input.sample.choices ?? []).map((_, i) => ` ${OPTION_LABELS[i]}`);
  }

  requestsPerSample(input: InferInput): number {
    return this.continuations(input).length;
  }

  async infer(input: InferInput, ctx: InferContext): Promise<InferredPrediction> {
    const rendered = input.template.render({ sample: input.sample, shots: input.shots, style: 'base' });
    const context = rendered.style === 'base' ? rendered.text : rendered.messages.map((m) => m.content).join('\n\n');
    const conts = this.continuations(input);
    if (conts.length === 0) {
      return {
        id: input.sample.id,
        output: '',
        error: { code: 'EVAL_NO_CHOICES', message: 'PPL inference needs multiple-choice options' },
        prompt: context,
      };
    }
    // lm-eval's rule: trailing whitespace of the context moves to the continuation, so "Answer: " + "A"
    // is scored as "Answer:" + " A" — the space-prefixed token a tokenizer actually produces there.
    const trimmed = context.trimEnd();
    const moved = context.slice(trimmed.length);
    const outcomes = await Promise.all(
      conts.map((c) => callCached(ctx, { kind: 'loglikelihood', context: trimmed, continuation: moved + c })),
    );
    const failed = outcomes.find((o) => !o.ok);
    if (failed && !failed.ok)
      return { id: input.sample.id, output: '', error: { code: failed.error.code, message: failed.error.message }, prompt: context };
    const logprobs = outcomes.map((o) => (o.ok ? (o.logprob ?? Number.NEGATIVE_INFINITY) : Number.NEGATIVE_INFINITY));
    const scores = logprobs.map((lp, i) => (this.opts.normalize === 'chars' ? lp / Math.max(1, conts[i].length) : lp));
    let best = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
    return {
      id: input.sample.id,
      output: OPTION_LABELS[best],
      choiceLogprobs: logprobs,
      prompt: context,
      cached: outcomes.every((o) => o.ok && o.fromCache),
    };
  }
}
