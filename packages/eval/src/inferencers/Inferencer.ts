import type { ProviderRequest } from '@puyu/client';
import type { EvalSample, ModelStyle, Prediction, PromptTemplate, RenderedPrompt } from '../types.js';
import type { InferContext } from './callCached.js';

/** A prediction plus the prompt that produced it (OpenCompass keeps `origin_prompt` the same way). */
export type InferredPrediction = Prediction & { prompt: RenderedPrompt | string; cached?: boolean };

export interface InferInput {
  sample: EvalSample;
  shots: readonly EvalSample[];
  template: PromptTemplate;
  style: ModelStyle;
}

/** OpenCompass's OpenICL inferencer: turns one sample into a prediction by asking a model. */
export interface Inferencer {
  readonly name: string;
  /** Requests one sample costs (for progress totals). */
  requestsPerSample(input: InferInput): number;
  infer(input: InferInput, ctx: InferContext): Promise<InferredPrediction>;
}

/** The provider request for a rendered prompt. */
export function requestFor(prompt: RenderedPrompt, params: Extract<ProviderRequest, { kind: 'chat' }>['params']): ProviderRequest {
  return prompt.style === 'chat'
    ? { kind: 'chat', messages: prompt.messages, params }
    : { kind: 'completion', prompt: prompt.text, params };
}
