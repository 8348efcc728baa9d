import { type PeerReply, type PeerRequest, wordTokens } from './openaiPeer.js';

/** The fields of @puyu/eval's EvalSample the oracle reads, spelt out so @puyu/testing does not depend on eval. */
export interface OracleSample {
  id: string;
  dataset: string;
  question: string;
  choices?: string[];
  gold: string;
}

/**
 * Test peers that answer from the dataset itself. The oracle finds which sample a prompt
 * asks about (the question that ends last in the prompt: few-shot exemplars come first)
 * and answers with the gold answer in one of several natural phrasings, as a strong model
 * would; "always A" answers A to everything. They are models for the harness to measure,
 * not replacements for any part of it.
 */
export function findSample(samples: readonly OracleSample[], prompt: string): OracleSample | undefined {
  let best: OracleSample | undefined;
  let bestEnd = -1;
  for (const s of samples) {
    const at = prompt.lastIndexOf(s.question);
    if (at < 0) continue;
    const end = at + s.question.length;
    // Same question text twice (MMLU has a few): the one whose options are in the prompt wins.
    const optionsHere = (s.choices ?? []).every((c) => prompt.includes(c, end));
    if (end > bestEnd || (end === bestEnd && optionsHere)) {
      best = s;
      bestEnd = end;
    }
  }
  return best;
}

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The gold answer phrased the way models phrase answers (chosen per sample, deterministically). */
export function naturalAnswer(s: OracleSample, route: PeerRequest['route']): string {
  const g = s.gold;
  const v = hash(s.id) % 4;
  switch (s.dataset) {
    case 'gsm8k':
      return [
        `Let's work through it step by step.\nAfter adding everything up we get ${g}.\nThe answer is ${g}.`,
        `First compute the parts, then combine them.\n#### ${g}`,
        `So the final result is \\boxed{${g}}.`,
        `Putting it together, the answer is ${g}.`,
      ][v];
    case 'math':
    case 'math500':
      return [
        `We simplify carefully.\nTherefore, the final answer is $\\boxed{${g}}$.`,
        `Final Answer: The final answer is $${g}$. I hope it is correct.`,
        `Combining the cases gives $\\boxed{${g}}$.`,
        `Thus the answer is $\\boxed{${g}}$.`,
      ][v];
    case 'bbh':
      return [
        `Let's think step by step. Looking at each clue in turn settles it. So the answer is ${g}.`,
        `We check the options one by one. So the answer is ${g}.`,
        `Reasoning through the statements, only one reading is consistent. So the answer is ${g}.`,
        `So the answer is ${g}.`,
      ][v];
    case 'humaneval':
      return route === 'chat' ? `Here is the completed function:\n\`\`\`python\n${s.question}${g}\n\`\`\`` : g;
    default: {
      const i = g.charCodeAt(0) - 65;
      const text = s.choices?.[i] ?? '';
      const zh = s.dataset === 'cmmlu' || s.dataset === 'ceval';
      if (zh) return [`答案是${g}`, `${g}`, `正确答案是 ${g}. ${text}`, `答案：${g}`][v];
      return [`The answer is (${g}).`, `${g}`, `${g}. ${text}`, `Answer: ${g}`][v];
    }
  }
}

/** Loglikelihood replies: the gold option's continuation is likely, the others are not. */
function choiceLogprobs(s: OracleSample, prompt: string): PeerReply {
  const { tokens, text_offset } = wordTokens(prompt);
  const likely = prompt.trimEnd().endsWith(s.gold);
  const token_logprobs = tokens.map((_, i) => (i === 0 ? null : i === tokens.length - 1 ? (likely ? -0.1 : -6) : -1));
  return { logprobs: { tokens, text_offset, token_logprobs } };
}

export function oracleReply(samples: readonly OracleSample[]): (r: PeerRequest) => PeerReply {
  return (r) => {
    const s = findSample(samples, r.prompt);
    if (!s) return { status: 400, body: { error: { message: 'oracle: no sample matches this prompt' } } };
    if (r.body.echo) return choiceLogprobs(s, r.prompt);
    return naturalAnswer(s, r.route);
  };
}

export function alwaysAReply(): (r: PeerRequest) => PeerReply {
  return () => 'A';
}
