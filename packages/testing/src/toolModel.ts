import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessage, ToolDefinition } from '@puyu/formats';

/**
 * A real tiny InternLM2 that has learnt, by heart, a few ChatML transcripts: asked for the weather
 * with a `get_weather` plugin available it answers with an InternLM2 plugin call; greeted without
 * tools it answers in text. Trained with @puyu/train (a few seconds, 1 thread), exported to GGUF,
 * cached in the temp folder under a hash of this recipe.
 *
 * The packages it needs are imported when a model is made, not when @puyu/testing is: tests that
 * only want the test peer or the ../shared locator (in @puyu/formats itself, say) then load none
 * of the training stack.
 */
export const SYSTEM = 'You are a helpful assistant.';
export const WEATHER_TOOL: ToolDefinition = {
  name: 'get_weather',
  description: 'Get the current weather in a city',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};
export const CITIES = ['Shanghai', 'Beijing'] as const;
export const GREETING = 'Say hello.';
export const GREETING_REPLY = 'Hello! How can I help you today?';

export function weatherConversation(city: string): ChatMessage[] {
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `What is the weather in ${city}?` },
  ];
}

async function transcripts(): Promise<string[]> {
  const { renderInternLM2Chat } = await import('@puyu/formats');
  const docs: string[] = [];
  for (const city of CITIES) {
    const answer: ChatMessage = {
      role: 'assistant',
      content: '',
      toolCalls: [{ kind: 'plugin', name: 'get_weather', parameters: { location: city } }],
    };
    docs.push(
      renderInternLM2Chat([...weatherConversation(city), answer], { tools: [WEATHER_TOOL], addGenerationPrompt: false, bosToken: '' }),
    );
  }
  const hello: ChatMessage[] = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: GREETING },
    { role: 'assistant', content: GREETING_REPLY },
  ];
  docs.push(renderInternLM2Chat(hello, { addGenerationPrompt: false, bosToken: '' }));
  return docs;
}

export interface ToolModel {
  gguf: string;
  hf: string;
}

export async function makeToolModel(): Promise<ToolModel> {
  const docs = await transcripts();
  const recipe = { docs, v: 2, steps: 300 };
  const key = createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
  // PUYU_TEST_CACHE: the machine's temporary folder, kept across test runs (vitest.global-setup.ts)
  const dir = join(process.env.PUYU_TEST_CACHE ?? tmpdir(), `puyu-serve-tool-model-${key}`);
  const out = { gguf: join(dir, 'out', 'model-f32.gguf'), hf: join(dir, 'out', 'hf') };
  if (existsSync(join(dir, 'DONE'))) return out;
  const work = `${dir}.${process.pid}.tmp`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  // Many copies, so every packed window sees whole transcripts at many offsets.
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) for (const d of docs) lines.push(JSON.stringify({ text: d }));
  await writeFile(join(work, 'corpus.jsonl'), `${lines.join('\n')}\n`);
  const [{ defaultTokenizerPath }, { parsePretrainConfig, pretrain }] = await Promise.all([import('@puyu/model'), import('@puyu/train')]);
  const tokenizer = defaultTokenizerPath();
  if (!tokenizer) throw new Error('packages/model/assets/puyu-tiny.model is missing');
  const r = await pretrain(
    parsePretrainConfig({
      tokenizer,
      model: {
        hidden_size: 64,
        num_hidden_layers: 2,
        // head_dim 32: quantized KV caches (q8_0/q4_0 blocks of 32) need it; 2 query heads per KV head (GQA).
        num_attention_heads: 2,
        num_key_value_heads: 1,
        intermediate_size: 128,
        max_position_embeddings: 512,
      },
      data: { train: [join(work, 'corpus.jsonl')], val_fraction: 0.05 },
      train: {
        seq_len: 128,
        batch_size: 8,
        steps: recipe.steps,
        lr: 3e-3,
        min_lr: 3e-4,
        warmup_steps: 10,
        seed: 7,
        threads: 1,
        weight_decay: 0,
      },
      eval: { every: 1000, batches: 1 },
      checkpoint: { every: 1000, keep_last: 1 },
      output: { dir: join(work, 'out'), gguf: ['f32'] },
    }),
    { quiet: true },
  );
  await writeFile(join(work, 'DONE'), JSON.stringify({ gguf: r.outputs.gguf[0], hf: r.outputs.hf }));
  await rm(dir, { recursive: true, force: true });
  await rename(work, dir);
  return out;
}
