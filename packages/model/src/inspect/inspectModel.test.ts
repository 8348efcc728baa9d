import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { internLM2ParamCount, makeInternLM2Config } from '../config.js';
import { saveHfModel } from '../hf/saveHfModel.js';
import { initInternLM2 } from '../init/initInternLM2.js';
import { makeByteLevelSentencePiece } from '../tokenizer/byteLevelSentencePiece.js';
import { formatModelSummary, inspectModel } from './inspectModel.js';

const tmp = mkdtempSync(join(tmpdir(), 'puyu-inspect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('inspectModel', () => {
  it('summarises an HF folder and its safetensors file', async () => {
    const config = makeInternLM2Config({
      vocab_size: 280,
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 1,
      num_attention_heads: 4,
      num_key_value_heads: 1,
      rope_scaling: { type: 'dynamic', factor: 2 },
    });
    const dir = join(tmp, 'hf');
    await saveHfModel(dir, config, initInternLM2(config), { tokenizer: makeByteLevelSentencePiece(280), dtype: 'BF16' });
    const s = await inspectModel(dir);
    expect(s.kind).toBe('hf');
    expect(s.parameterCount).toBe(internLM2ParamCount(config));
    expect(s.totalBytes).toBe(2 * s.parameterCount);
    expect(s.hyperParameters).toMatchObject({ head_dim: 8, num_key_value_heads: 1, rope_scaling: { type: 'dynamic', factor: 2 } });
    expect(s.tokenizer).toMatchObject({ vocabSize: 280, model: 'sentencepiece-bpe', byteFallback: true });
    expect(s.tokenizer?.specialTokens['<|im_end|>']).toBe(278);
    expect(s.notes).toEqual([]);
    const text = formatModelSummary(s, { maxTensors: 3 });
    expect(text).toContain('architecture: InternLM2ForCausalLM');
    expect(text).toContain('… 7 more');

    const st = await inspectModel(join(dir, 'model.safetensors'));
    expect(st.kind).toBe('safetensors');
    expect(st.tensors.find((t) => t.name === 'model.layers.0.attention.wqkv.weight')).toMatchObject({ shape: [48, 32], dtype: 'BF16' });
    expect(st.notes).toContain('metadata format = pt');
  });

  it('reports (not refuses) a folder of another architecture', async () => {
    const config = makeInternLM2Config({
      vocab_size: 64,
      hidden_size: 16,
      intermediate_size: 32,
      num_hidden_layers: 1,
      num_attention_heads: 2,
    });
    const dir = join(tmp, 'llama');
    await saveHfModel(dir, config, initInternLM2(config));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], hidden_size: 16 }));
    const s = await inspectModel(dir);
    expect(s.architecture).toBe('LlamaForCausalLM');
    expect(s.parameterCount).toBe(internLM2ParamCount(config));
    expect(s.notes[0]).toContain('MODEL_UNKNOWN_ARCHITECTURE');
  });

  it('a path that does not exist → MODEL_NOT_FOUND', async () => {
    await expect(inspectModel(join(tmp, 'nothing'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });
});
