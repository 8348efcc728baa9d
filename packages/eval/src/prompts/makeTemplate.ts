/**
 * Builds a `PromptTemplate` from a question/answer format, the way OpenCompass pairs an
 * `ice_template` (how an exemplar looks) with a `prompt_template` (how the query looks):
 * base models get exemplars and the query concatenated into one completion prompt; chat models
 * get each exemplar as a user/assistant turn pair and the query as the last user turn.
 */
import type { ChatMessage, EvalSample, PromptTemplate, RenderedPrompt, RenderInput } from '../types.js';

export interface QaFormat {
  id: string;
  /** Text before everything (task instruction), per sample so it may name the subject. */
  preamble?(sample: EvalSample, style: 'base' | 'chat'): string;
  /** The question part of an exemplar or the query, ending where the answer starts. */
  question(sample: EvalSample, style: 'base' | 'chat'): string;
  /** The answer part of an exemplar. */
  answer(sample: EvalSample, style: 'base' | 'chat'): string;
  /** Between exemplars in base prompts. */
  separator?: string;
  stop?: readonly string[];
  maxTokens?: number;
  continuations?(sample: EvalSample): string[];
}

export function makeTemplate(f: QaFormat): PromptTemplate {
  const sep = f.separator ?? '\n\n';
  return {
    id: f.id,
    stop: f.stop,
    maxTokens: f.maxTokens,
    continuations: f.continuations,
    render({ sample, shots, style }: RenderInput): RenderedPrompt {
      const pre = f.preamble?.(sample, style) ?? '';
      if (style === 'base') {
        const parts = shots.map((s) => f.question(s, 'base') + f.answer(s, 'base'));
        parts.push(f.question(sample, 'base'));
        return { style: 'base', text: pre + parts.join(sep) };
      }
      const messages: ChatMessage[] = [];
      shots.forEach((s, i) => {
        const q = f.question(s, 'chat').trimEnd();
        messages.push({ role: 'user', content: i === 0 ? pre + q : q });
        messages.push({ role: 'assistant', content: f.answer(s, 'chat').trim() });
      });
      const q = f.question(sample, 'chat').trimEnd();
      messages.push({ role: 'user', content: shots.length === 0 ? pre + q : q });
      return { style: 'chat', messages };
    },
  };
}

/** "A. text\nB. text…" as OpenCompass's MCQ templates write options. */
export function optionLines(choices: readonly string[] | undefined): string {
  return (choices ?? []).map((c, i) => `${String.fromCharCode(65 + i)}. ${c}`).join('\n');
}
