import type { SentencePieceTokenizer } from '@puyu/formats/tokenizer';
import { assertChatMarkers, tokenizeSftDialogue } from '../../sft/data/tokenizeSftDialogue.js';
import type { DpoSkippedLine } from './DpoDataError.js';
import type { DpoPair } from './readDpoJsonl.js';

/** A tokenized sequence: ids and a 0/1 mask (1 = a reply token whose log-prob counts). */
export interface DpoSequence {
  ids: Int32Array;
  mask: Uint8Array;
}

export interface DpoExample {
  line: number;
  chosen: DpoSequence;
  rejected: DpoSequence;
}

/**
 * Tokenizes preference pairs with SFT's masked tokenizer: BOS, the rendered prompt (weight 0),
 * then the reply and its `<|im_end|>` (weight 1). A pair with either side longer than
 * `maxTokens` is skipped and reported, never cut: a cut reply would compare the log-probs of
 * two different spans.
 */
export function tokenizeDpoPairs(
  pairs: readonly DpoPair[],
  tokenizer: SentencePieceTokenizer,
  maxTokens: number,
): { examples: DpoExample[]; skipped: DpoSkippedLine[] } {
  assertChatMarkers(tokenizer);
  const examples: DpoExample[] = [];
  const skipped: DpoSkippedLine[] = [];
  for (const p of pairs) {
    const c = tokenizeSftDialogue(p.chosen, tokenizer, { maxTokens, overflow: 'skip' });
    const r = tokenizeSftDialogue(p.rejected, tokenizer, { maxTokens, overflow: 'skip' });
    const long = [['chosen', c] as const, ['rejected', r] as const].find(([, x]) => !('ids' in x));
    if (long || !('ids' in c) || !('ids' in r)) {
      const why = long ? (long[1] as { reason: string }).reason : 'too long';
      skipped.push({ line: p.line, code: 'TRAIN_DPO_TOO_LONG', reason: `${long?.[0] ?? 'a reply'}: ${why}; raise train.seq_len` });
      continue;
    }
    examples.push({ line: p.line, chosen: { ids: c.ids, mask: c.mask }, rejected: { ids: r.ids, mask: r.mask } });
  }
  return { examples, skipped };
}
