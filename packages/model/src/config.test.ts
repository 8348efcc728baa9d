import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTERNLM2_TOKENIZER_DIR } from '@puyu/testing';
import { describe, expect, it } from 'vitest';
import { internLM2Dims, internLM2ParamCount, makeInternLM2Config, parseInternLM2Config } from './config.js';

const realConfigPath = join(INTERNLM2_TOKENIZER_DIR, 'config.json');
const hasReal = existsSync(realConfigPath);
if (!hasReal) console.warn(`skipping the real InternLM2 config test: ${realConfigPath} not found (needs ../shared/models)`);
const realConfig = hasReal ? JSON.parse(readFileSync(realConfigPath, 'utf8')) : {};
const tiny = { vocab_size: 128, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4 };

describe('InternLM2Config', () => {
  it.skipIf(!hasReal)('parses the real InternLM2 7B config', () => {
    const c = parseInternLM2Config(realConfig);
    expect(c.num_key_value_heads).toBe(8);
    expect(c.rope_theta).toBe(1_000_000);
    expect(c.rope_scaling).toBeNull();
    expect(internLM2Dims(c)).toEqual({ headDim: 128, nHeads: 32, nKvHeads: 8, qPerKv: 4, qkvRows: 6144 });
    // internlm2-chat-7b has 7.74B parameters.
    expect(internLM2ParamCount(c)).toBe(7_737_708_544);
    expect((c as Record<string, unknown>).auto_map).toBeDefined(); // unknown keys survive
  });

  it('defaults num_key_value_heads to num_attention_heads', () => {
    expect(makeInternLM2Config(tiny).num_key_value_heads).toBe(4);
  });

  it('rejects an unknown architecture with MODEL_UNKNOWN_ARCHITECTURE', () => {
    expect(() => parseInternLM2Config({ ...realConfig, architectures: ['LlamaForCausalLM'] })).toThrow(
      expect.objectContaining({ code: 'MODEL_UNKNOWN_ARCHITECTURE', message: expect.stringContaining('InternLM2ForCausalLM') }),
    );
  });

  it('rejects head counts that do not divide the hidden size', () => {
    expect(() => makeInternLM2Config({ ...tiny, num_attention_heads: 5 })).toThrow(expect.objectContaining({ code: 'MODEL_BAD_HEADS' }));
    expect(() => makeInternLM2Config({ ...tiny, num_key_value_heads: 3 })).toThrow(expect.objectContaining({ code: 'MODEL_BAD_HEADS' }));
  });

  it('rejects bias=true and lists every bad field at once', () => {
    expect(() => makeInternLM2Config({ ...tiny, bias: true })).toThrow(expect.objectContaining({ code: 'MODEL_BIAS_UNSUPPORTED' }));
    try {
      parseInternLM2Config({ ...realConfig, hidden_size: -1, rope_scaling: { type: 'yarn', factor: 2 } });
      expect.unreachable();
    } catch (e) {
      const err = e as { code: string; message: string };
      expect(err.code).toBe('MODEL_CONFIG_INVALID');
      expect(err.message).toContain('hidden_size');
      expect(err.message).toContain('rope_scaling.type');
    }
  });

  it('rejects non-objects', () => {
    for (const bad of [null, 3, 'x', []]) {
      expect(() => parseInternLM2Config(bad)).toThrow(expect.objectContaining({ code: 'MODEL_CONFIG_INVALID' }));
    }
  });
});
