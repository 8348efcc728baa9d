import { existsSync, readFileSync } from 'node:fs';
import { decodeModelProto } from '@puyu/formats';
import { INTERNLM2_TOKENIZER_DIR } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { internLM2TokenizerConfig } from './internlm2-special-tokens.js';

const hasReal = existsSync(`${INTERNLM2_TOKENIZER_DIR}/tokenizer.model`);
if (!hasReal) console.warn(`skipping the real tokenizer_config.json test: ${INTERNLM2_TOKENIZER_DIR} not found (needs ../shared/models)`);

describe('internLM2TokenizerConfig', () => {
  it.skipIf(!hasReal)("reproduces the real InternLM2 tokenizer_config.json's special tokens from its tokenizer.model", () => {
    const dir = INTERNLM2_TOKENIZER_DIR;
    const pieces = decodeModelProto(new Uint8Array(readFileSync(`${dir}/tokenizer.model`))).pieces.map((p) => p.piece ?? '');
    const real = JSON.parse(readFileSync(`${dir}/tokenizer_config.json`, 'utf8'));
    const ours = internLM2TokenizerConfig(pieces);
    expect(ours.added_tokens_decoder).toEqual(real.added_tokens_decoder);
    expect(ours.additional_special_tokens).toEqual(real.additional_special_tokens);
    expect(ours.chat_template).toBe(real.chat_template);
    expect(JSON.parse(JSON.stringify(ours.model_max_length))).toBe(real.model_max_length);
  });
});
