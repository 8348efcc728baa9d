/**
 * InternLM2's chat markers. Each is a single added token in the 92544-entry vocabulary, so a
 * tokenizer must match them before SentencePiece sees the text (ids checked against the real
 * tokenizer_config.json in special-tokens.test.ts).
 */
export const IM_START = '<|im_start|>';
export const IM_END = '<|im_end|>';
export const ACTION_START = '<|action_start|>';
export const ACTION_END = '<|action_end|>';
export const INTERPRETER = '<|interpreter|>';
export const PLUGIN = '<|plugin|>';

export type InternLM2Marker =
  | typeof IM_START
  | typeof IM_END
  | typeof ACTION_START
  | typeof ACTION_END
  | typeof INTERPRETER
  | typeof PLUGIN;

/** Marker text → token id, as in InternLM's chat/chat_format.md and the HF tokenizer. */
export const INTERNLM2_SPECIAL_TOKENS: Readonly<Record<InternLM2Marker, number>> = Object.freeze({
  [IM_START]: 92543,
  [IM_END]: 92542,
  [ACTION_START]: 92541,
  [ACTION_END]: 92540,
  [INTERPRETER]: 92539,
  [PLUGIN]: 92538,
});

/** Every marker, longest-first is irrelevant here (none is a prefix of another), kept in id order. */
export const INTERNLM2_MARKERS: readonly InternLM2Marker[] = Object.freeze([
  IM_START,
  IM_END,
  ACTION_START,
  ACTION_END,
  INTERPRETER,
  PLUGIN,
]);

/**
 * Generation stops at the end of a turn and at the end of a tool call: LMDeploy's `internlm2`
 * template uses exactly these, so the caller can run the tool and resume with an environment turn.
 */
export const INTERNLM2_STOP_WORDS: readonly string[] = Object.freeze([IM_END, ACTION_END]);

/** BOS/EOS text of the InternLM2 tokenizer (`<s>` = 1, `</s>` = 2). */
export const INTERNLM2_BOS = '<s>';
export const INTERNLM2_EOS = '</s>';
