/** OpenAI's legacy completions logprobs: parallel arrays over the tokens of the choice text. */
export interface LegacyLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs?: (Record<string, number> | null)[] | null;
  text_offset: number[];
}

/**
 * Sums log P of the continuation's tokens from an echoed `context + continuation`.
 * The context ends where the text offsets cross `contextChars`: the first scored token
 * is the one holding the continuation's first character. When a token straddles the
 * boundary (the tokenizer merged the last context char with the first continuation
 * char) it is counted, because dropping it would score a continuation with its first
 * letters missing; prompts that end at a word boundary (`"Answer:"` + `" B"`) never straddle.
 */
export function continuationLogprob(
  lp: LegacyLogprobs,
  contextChars: number,
): { logprob: number; isGreedy: boolean; tokens: number } | { error: string } {
  const n = lp.text_offset.length;
  if (lp.token_logprobs.length !== n || lp.tokens.length !== n) return { error: 'logprobs arrays have different lengths' };
  let first = -1;
  for (let i = 0; i < n; i++) {
    if (lp.text_offset[i] + lp.tokens[i].length > contextChars) {
      first = i;
      break;
    }
  }
  if (first < 0) return { error: `no token starts after the context (${contextChars} chars): is the continuation empty?` };
  let sum = 0;
  let greedy = true;
  for (let i = first; i < n; i++) {
    const v = lp.token_logprobs[i];
    // Only the very first token of a text has no logprob; a continuation never starts there unless the context is empty.
    if (v === null) return { error: `token ${i} has no logprob: the context must not be empty` };
    sum += v;
    const top = lp.top_logprobs?.[i];
    if (top) {
      let best: string | undefined;
      let bestLp = Number.NEGATIVE_INFINITY;
      for (const [tok, l] of Object.entries(top)) {
        if (l > bestLp) {
          bestLp = l;
          best = tok;
        }
      }
      if (best !== undefined && best !== lp.tokens[i] && bestLp > v) greedy = false;
    }
  }
  return { logprob: sum, isGreedy: greedy, tokens: n - first };
}
