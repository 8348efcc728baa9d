import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHfTokenizer } from '@puyu/formats';
import { getLlama } from 'node-llama-cpp';
import { afterAll, describe, expect, it } from 'vitest';
import { makeInternLM2Config, parseInternLM2Config } from '../config.js';
import { saveHfModel } from '../hf/saveHfModel.js';
import { initInternLM2 } from '../init/initInternLM2.js';
import { convertHfToGguf } from './convertModel.js';

const tmp = mkdtempSync(join(tmpdir(), 'puyu-realtok-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const REAL = '/work/shared/models/internlm2-tokenizer';

describe('GGUF with the real InternLM2 tokenizer', () => {
  it('llama.cpp tokenizes chat text exactly like our SentencePiece + HF added tokens', async () => {
    const real = parseInternLM2Config(JSON.parse(readFileSync(join(REAL, 'config.json'), 'utf8')));
    // The real vocabulary on a one-layer, 32-wide body keeps the file small (≈ 12 MB in f16).
    const config = makeInternLM2Config({
      vocab_size: real.vocab_size,
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      pad_token_id: real.pad_token_id,
    });
    const hf = join(tmp, 'hf');
    await saveHfModel(hf, config, initInternLM2(config, { seed: 1 }), { tokenizer: join(REAL, 'tokenizer.model'), dtype: 'F16' });
    const gguf = join(tmp, 'real-vocab.gguf');
    await convertHfToGguf(hf, gguf, { type: 'f16' });

    const ours = loadHfTokenizer(hf);
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
    const model = await llama.loadModel({ modelPath: gguf, vocabOnly: true });
    try {
      const texts = [
        '<|im_start|>system\nYou are 书生·浦语.<|im_end|>\n<|im_start|>user\nWeather in Shanghai? 12345<|im_end|>\n<|im_start|>assistant\n',
        'Let me check.<|action_start|><|plugin|>\n{"name": "get_weather"}<|action_end|>',
        '  leading spaces, tabs\tand 🌏 emoji',
      ];
      for (const text of texts) {
        const want = ours.tokenizer.encode(text, { parseSpecial: true });
        const got = model.tokenize(text, true).map(Number);
        expect(got, text).toEqual(want);
      }
      expect(model.tokenize('<|im_end|>', true).map(Number)).toEqual([92542]);
      // Known quirk kept for compatibility with llama.cpp's own converter: the NUL piece (354)
      // is stored as '🐉', so llama.cpp reads that emoji as one token where SentencePiece uses 4 bytes.
      expect(model.tokenize('🐉', false).map(Number)).toEqual([354]);
      expect(Number(model.tokens.eos)).toBe(92542); // chat EOS, as llama.cpp's own converter sets it
    } finally {
      await model.dispose();
      await llama.dispose();
    }
  });
});
