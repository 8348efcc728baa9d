import type { Provider } from '@puyu/client';

export type AugmentTask = 'rewrite' | 'annotate' | 'comment_code';

const PROMPTS: Record<AugmentTask, string> = {
  rewrite: 'Rewrite the following text in clear, plain language. Keep every fact; reply with the rewritten text only.\n\n',
  annotate: 'Write a one-paragraph summary of the following text, then list its key terms with one-line explanations.\n\n',
  comment_code: 'Add concise comments and a docstring to the following code. Do not change its behaviour; reply with the code only.\n\n',
};

/**
 * Model-based augmentation through any OpenAI-compatible endpoint: each text becomes an
 * instruction + the model's answer, an SFT pair (`{instruction, input, output}`), so the model of
 * one flywheel round writes training data for the next. Failed requests are counted, not fatal.
 */
export async function augment(
  provider: Provider,
  texts: string[],
  task: AugmentTask,
  o: { maxTokens?: number; temperature?: number } = {},
): Promise<{ records: { instruction: string; input: string; output: string }[]; failed: number }> {
  const records: { instruction: string; input: string; output: string }[] = [];
  let failed = 0;
  for (const t of texts) {
    const r = await provider.call({
      kind: 'chat',
      messages: [{ role: 'user', content: `${PROMPTS[task]}${t}` }],
      params: { maxTokens: o.maxTokens ?? 512, temperature: o.temperature ?? 0.3 },
    });
    const out = r.ok ? r.texts[0]?.trim() : undefined;
    if (!out) {
      failed++;
      continue;
    }
    records.push({ instruction: PROMPTS[task].trim(), input: t, output: out });
  }
  return { records, failed };
}
