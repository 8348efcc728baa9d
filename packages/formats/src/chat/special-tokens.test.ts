import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTERNLM2_TOKENIZER_DIR } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { INTERNLM2_MARKERS, INTERNLM2_SPECIAL_TOKENS, INTERNLM2_STOP_WORDS } from './special-tokens.js';

const configUrl = join(INTERNLM2_TOKENIZER_DIR, 'tokenizer_config.json');

describe('InternLM2 special tokens', () => {
  it('lists the six markers with the ids of chat_format.md', () => {
    expect(INTERNLM2_SPECIAL_TOKENS).toEqual({
      '<|im_start|>': 92543,
      '<|im_end|>': 92542,
      '<|action_start|>': 92541,
      '<|action_end|>': 92540,
      '<|interpreter|>': 92539,
      '<|plugin|>': 92538,
    });
    expect([...INTERNLM2_MARKERS].sort()).toEqual(Object.keys(INTERNLM2_SPECIAL_TOKENS).sort());
  });

  it('stops at the end of a turn and of a tool call (LMDeploy internlm2)', () => {
    expect(INTERNLM2_STOP_WORDS).toEqual(['<|im_end|>', '<|action_end|>']);
  });

  it('no marker is a prefix of another (the stream parser relies on it)', () => {
    for (const a of INTERNLM2_MARKERS) for (const b of INTERNLM2_MARKERS) if (a !== b) expect(b.startsWith(a)).toBe(false);
  });

  it.skipIf(!existsSync(configUrl))('agrees with the real tokenizer_config.json', () => {
    const config = JSON.parse(readFileSync(configUrl, 'utf8')) as {
      added_tokens_decoder: Record<string, { content: string; special: boolean }>;
    };
    const byContent = new Map(Object.entries(config.added_tokens_decoder).map(([id, t]) => [t.content, Number(id)]));
    for (const [text, id] of Object.entries(INTERNLM2_SPECIAL_TOKENS)) expect(byContent.get(text)).toBe(id);
  });
});
