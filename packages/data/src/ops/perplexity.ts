import type { Provider } from '@puyu/client';
import { DataError } from '../errors.js';
import type { Doc } from '../io/jsonlDocs.js';
import { WordTokenizer } from '../text/wordTokens.js';
import type { Operator } from './Operator.js';

export interface PerplexityOptions {
  /** A model spec for @puyu/client: URL@model (served with echo logprobs: puyu serve, vLLM) or local:PATH.gguf. */
  model: string;
  /** Drop documents above this perplexity (default: keep all, only score). */
  maxPerplexity?: number;
  /** Characters of the text scored (default 4,000: the head of a long page says enough). */
  maxChars?: number;
  /** Documents scored concurrently by the runner is 1; the endpoint pool may still spread them. */
  provider?: Provider;
}

/**
 * Perplexity from any OpenAI-compatible completions endpoint: the client's loglikelihood
 * request (echo + logprobs, summed by continuationLogprob) scores the text after a fixed `Document:` line, and
 * the perplexity is per word token (our tokenizer's, so scores from models with different
 * vocabularies compare): exp(−log P / words). Stored in meta.perplexity; CCNet and the InternLM2
 * pipeline filter on this kind of score.
 */
export async function perplexityOperator(o: PerplexityOptions): Promise<Operator> {
  let provider = o.provider;
  if (!provider) {
    const { openModel } = await import('@puyu/client');
    provider = (await openModel({ spec: o.model, api: 'completions' })).provider;
  }
  const p = provider;
  const tok = new WordTokenizer();
  const maxChars = o.maxChars ?? 4000;
  return {
    name: 'perplexity',
    async apply(doc: Doc) {
      const text = doc.text.slice(0, maxChars);
      // A short fixed context: the first token of a text has no logprob, so the text must not start the prompt.
      const r = await p.call({ kind: 'loglikelihood', context: 'Document:\n', continuation: text });
      if (!r.ok || r.logprob === undefined)
        throw new DataError(
          'DATA_SCORING_FAILED',
          `perplexity of ${doc.id}: ${r.ok ? 'no logprob in the answer' : `${r.error.code} ${r.error.message}`}.`,
        );
      const words = Math.max(1, tok.hash(text));
      const ppl = Math.exp(-r.logprob / words);
      doc.meta.perplexity = Math.round(ppl * 1000) / 1000;
      return o.maxPerplexity !== undefined && ppl > o.maxPerplexity ? 'high_perplexity' : null;
    },
    async close() {
      await p.close?.();
    },
  };
}
