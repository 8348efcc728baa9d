import { IM_END, IM_START, INTERNLM2_MARKERS, INTERNLM2_SPECIAL_TOKENS } from '@puyu/formats/chat';

/**
 * The special tokens InternLM2 tokenizers carry, and how HF's tokenizer_config.json
 * lists them. Ids are looked up in the actual vocabulary, so a small tokenizer that
 * places them elsewhere than 92538–92543 still gets a correct config. The strings
 * themselves have one home: @puyu/formats/chat's special-tokens.ts.
 */
export const INTERNLM2_CHAT_TOKENS = INTERNLM2_MARKERS;

const CORE_TOKENS = ['<unk>', '<s>', '</s>'] as const;

const CHAT_TEMPLATE = `{{ bos_token }}{% for message in messages %}{{'${IM_START}' + message['role'] + '\n' + message['content'] + '${IM_END}' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '${IM_START}assistant\n' }}{% endif %}`;

/**
 * InternLM2's own tokenizer.model keeps placeholder pieces where the chat tokens
 * live (`[UNUSED_TOKEN_141]` … `[UNUSED_TOKEN_146]` at 92538–92543); its
 * tokenizer_config.json overlays the chat strings on them. Same mapping here.
 */
const INTERNLM2_PLACEHOLDERS: Record<string, string> = Object.fromEntries(
  INTERNLM2_MARKERS.map((m) => [m, `[UNUSED_TOKEN_${INTERNLM2_SPECIAL_TOKENS[m] - 92397}]`]),
);

/** tokenizer_config.json for a vocabulary given as its piece list. */
export function internLM2TokenizerConfig(pieces: readonly string[]): Record<string, unknown> {
  const idOf = new Map(pieces.map((p, i) => [p, i]));
  for (const [tok, placeholder] of Object.entries(INTERNLM2_PLACEHOLDERS)) {
    const id = idOf.get(placeholder);
    if (!idOf.has(tok) && id !== undefined) idOf.set(tok, id);
  }
  const decoder: Record<string, unknown> = {};
  const present: string[] = [];
  for (const tok of [...CORE_TOKENS, ...INTERNLM2_CHAT_TOKENS]) {
    const id = idOf.get(tok);
    if (id === undefined) continue;
    present.push(tok);
    decoder[String(id)] = { content: tok, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true };
  }
  const sorted = Object.fromEntries(Object.entries(decoder).sort((a, b) => Number(a[0]) - Number(b[0])));
  return {
    add_bos_token: true,
    add_eos_token: false,
    added_tokens_decoder: sorted,
    additional_special_tokens: INTERNLM2_CHAT_TOKENS.filter((t) => present.includes(t)),
    auto_map: {
      AutoTokenizer: ['tokenization_internlm2.InternLM2Tokenizer', 'tokenization_internlm2_fast.InternLM2TokenizerFast'],
    },
    bos_token: '<s>',
    chat_template: CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false,
    decode_with_prefix_space: false,
    eos_token: '</s>',
    model_max_length: 1e30, // HF writes int(1e30) as 1000000000000000019884624838656; JSON.stringify gives 1e+30, the same double
    pad_token: '</s>',
    sp_model_kwargs: null,
    tokenizer_class: 'InternLM2Tokenizer',
    unk_token: '<unk>',
  };
}
