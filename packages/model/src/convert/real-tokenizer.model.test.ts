import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeModelProto, loadHfTokenizer } from '@puyu/formats';
import { INTERNLM2_TOKENIZER_DIR } from '@puyu/testing';
import { getLlama, type Llama } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTokenizerPath } from '../assets.js';
import { makeInternLM2Config } from '../config.js';
import { saveHfModel } from '../hf/saveHfModel.js';
import { initInternLM2 } from '../init/initInternLM2.js';
import { convertHfToGguf } from './convertModel.js';

const tmp = mkdtempSync(join(tmpdir(), 'puyu-realtok-'));
let llama: Llama;
beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
});
afterAll(async () => {
  await llama?.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const TEXTS = [
  '<|im_start|>system\nYou are 书生·浦语.<|im_end|>\n<|im_start|>user\nWeather in Shanghai? 12345<|im_end|>\n<|im_start|>assistant\n',
  'Let me check.<|action_start|><|plugin|>\n{"name": "get_weather"}<|action_end|>',
  '  leading spaces, tabs\tand 🌏 emoji',
  'DEVIL, n. The author of all our woes and proprietor of all the good things of this world.',
];

/** Builds a one-layer model on `tokenizer`, converts it, and loads the GGUF's vocabulary in llama.cpp. */
async function vocabGguf(tag: string, tokenizer: string) {
  const vocab = decodeModelProto(new Uint8Array(readFileSync(tokenizer))).pieces.length;
  const config = makeInternLM2Config({
    vocab_size: vocab,
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    pad_token_id: 2,
  });
  const hf = join(tmp, tag);
  await saveHfModel(hf, config, initInternLM2(config, { seed: 1 }), { tokenizer, dtype: 'F16' });
  const gguf = join(tmp, `${tag}.gguf`);
  await convertHfToGguf(hf, gguf, { type: 'f16' });
  return { hf, model: await llama.loadModel({ modelPath: gguf, vocabOnly: true }) };
}

describe('GGUF tokenizer metadata read by llama.cpp', () => {
  const cases = [
    { tag: 'internlm2', path: join(INTERNLM2_TOKENIZER_DIR, 'tokenizer.model'), imEnd: 92542 },
    { tag: 'puyu-tiny', path: defaultTokenizerPath() ?? '(missing packages/model/assets/puyu-tiny.model)', imEnd: undefined },
  ];
  const hasReal = existsSync(cases[0].path);
  if (!hasReal) console.warn(`skipping the real InternLM2 tokenizer case: ${cases[0].path} not found (needs ../shared/models)`);
  for (const c of cases) {
    it.skipIf(c.tag === 'internlm2' && !hasReal)(
      `${c.tag}: llama.cpp tokenizes chat text exactly like our SentencePiece + HF added tokens`,
      async () => {
        const { hf, model } = await vocabGguf(c.tag, c.path);
        try {
          const ours = loadHfTokenizer(hf).tokenizer;
          for (const text of TEXTS) expect(model.tokenize(text, true).map(Number), text).toEqual(ours.encode(text, { parseSpecial: true }));
          const imEnd = ours.encode('<|im_end|>', { parseSpecial: true });
          expect(imEnd).toHaveLength(1);
          if (c.imEnd !== undefined) expect(imEnd[0]).toBe(c.imEnd);
          expect(Number(model.tokens.eos)).toBe(imEnd[0]); // chat EOS, as llama.cpp's own converter sets it
          if (c.tag === 'internlm2') {
            // Known quirk kept for compatibility with llama.cpp's converter: the NUL piece (354) is
            // stored as '🐉', so llama.cpp reads that emoji as one token where SentencePiece uses 4 bytes.
            expect(model.tokenize('🐉', false).map(Number)).toEqual([354]);
          }
        } finally {
          await model.dispose();
        }
      },
    );
  }
});
