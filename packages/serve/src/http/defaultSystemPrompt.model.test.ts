import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenizer } from '@puyu/formats';
import { renderInternLM2Chat } from '@puyu/formats/chat';
import { convertHfToGguf, defaultTokenizerPath, initInternLM2, makeInternLM2Config, saveHfModel } from '@puyu/model';
import { postJson } from '@puyu/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../startServer.js';
import type { ChatCompletionBody } from './wire.js';

// A chat model fine-tuned without InternLM2's default system prompt must be prompted without it
// (our SFT exports say so: puyu.chat.use_default_system_prompt = false); any other model gets
// LMDeploy's rule (the meta instruction ahead of a conversation with no system turn).
const tmp = mkdtempSync(join(tmpdir(), 'puyu-default-system-'));
const open: RunningServer[] = [];
afterAll(async () => {
  for (const s of open) await s.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function serveTiny(name: string, useDefaultSystemPrompt?: boolean): Promise<RunningServer> {
  const config = makeInternLM2Config({
    vocab_size: 2048,
    hidden_size: 64,
    intermediate_size: 128,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    max_position_embeddings: 512,
  });
  const hf = join(tmp, name);
  await saveHfModel(hf, config, initInternLM2(config, { seed: 3 }), {
    tokenizer: defaultTokenizerPath() as string,
    useDefaultSystemPrompt,
  });
  await convertHfToGguf(hf, `${hf}.gguf`, { type: 'f32' });
  const s = await startServer({ model: `${hf}.gguf`, port: 0, sequences: 1, contextSize: 512, threads: 1 });
  open.push(s);
  return s;
}

describe('the default system prompt', () => {
  it('is left out for a model trained without it, and put in otherwise', async () => {
    const messages = [{ role: 'user' as const, content: 'What is 2 + 3?' }];
    const promptTokens = async (s: RunningServer, withSystem = false) => {
      const body = {
        messages: withSystem ? [{ role: 'system', content: 'Be brief.' }, ...messages] : messages,
        max_tokens: 1,
        temperature: 0,
      };
      const r = (await (await postJson(`${s.url}/v1/chat/completions`, body)).json()) as ChatCompletionBody;
      return r.usage.prompt_tokens;
    };
    const chat = await serveTiny('chat', false);
    const base = await serveTiny('base');
    const tok = loadTokenizer(defaultTokenizerPath() as string);
    const count = (meta: null | undefined) =>
      tok.encode(renderInternLM2Chat(messages, { meta_instruction: meta, bosToken: '' })).length + 1; // + BOS
    expect(await promptTokens(chat)).toBe(count(null));
    expect(await promptTokens(base)).toBe(count(undefined));
    expect(count(undefined) - count(null)).toBeGreaterThan(100);
    // A system turn of the caller's own replaces the default either way.
    expect(await promptTokens(chat, true)).toBe(await promptTokens(base, true));
  }, 120_000);
});
