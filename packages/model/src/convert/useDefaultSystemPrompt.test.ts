import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GgufFile } from '@puyu/formats';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultTokenizerPath } from '../assets.js';
import { makeInternLM2Config } from '../config.js';
import { saveHfModel } from '../hf/saveHfModel.js';
import { initInternLM2 } from '../init/initInternLM2.js';
import { convertGgufToHf, convertHfToGguf } from './convertModel.js';
import { KV } from './gguf-names.js';

const tmp = mkdtempSync(join(tmpdir(), 'puyu-default-system-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const config = makeInternLM2Config({
  vocab_size: 2048,
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  max_position_embeddings: 64,
});

/** Saves a tiny HF folder (flag given or not), converts it to GGUF and back; returns what each step holds. */
async function roundTrip(name: string, useDefaultSystemPrompt?: boolean) {
  const hf = join(tmp, name);
  await saveHfModel(hf, config, initInternLM2(config, { seed: 1 }), {
    tokenizer: defaultTokenizerPath() as string,
    useDefaultSystemPrompt,
  });
  const gguf = join(tmp, `${name}.gguf`);
  await convertHfToGguf(hf, gguf, { type: 'f32' });
  const f = await GgufFile.open(gguf);
  const inGguf = f.getBool(KV.puyuUseDefaultSystemPrompt);
  await f.close();
  const back = join(tmp, `${name}-back`);
  await convertGgufToHf(gguf, back);
  const cfg = (dir: string) => JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  return { hf: cfg(hf).use_default_system_prompt, gguf: inGguf, back: cfg(back).use_default_system_prompt };
}

describe('use_default_system_prompt', () => {
  it('travels HF → GGUF → HF when an export sets it, and is absent otherwise', async () => {
    expect(await roundTrip('chat', false)).toEqual({ hf: false, gguf: false, back: false });
    expect(await roundTrip('base')).toEqual({ hf: undefined, gguf: undefined, back: undefined });
  });
});
