/**
 * The output filter, run on every generated answer before it is returned. It blocks an answer that
 *   - repeats a string an instruction-like passage asked a model to output (it obeyed the document);
 *   - leaks the system prompt;
 *   - carries something shaped like a secret (API keys, private keys, passwords in assignments);
 *   - links to a URL that is in none of the cited passages (a planted or invented link).
 * HuixiangDou asks the LLM to score sensitivity; rules cannot be talked round, so they come first
 * here, and the LLM check stays optional (a small model is not a reliable judge).
 */
import { injectionPayloads } from './injection.js';
import type { Hit } from './retrieve.js';

export interface SecurityVerdict {
  passed: boolean;
  reasons: string[];
}

const SECRET =
  /(sk-[A-Za-z0-9]{20,}|AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|ghp_[A-Za-z0-9]{30,}|xox[bpa]-[A-Za-z0-9-]{10,}|\b(password|passwd|secret|api[_-]?key)\s*[:=]\s*\S{6,})/i;
const URL_RE = /https?:\/\/[^\s)\]>"'，。]+/g;

export function securityCheck(answer: string, question: string, context: Hit[], systemPrompt: string): SecurityVerdict {
  const reasons: string[] = [];
  const lower = answer.toLowerCase();
  for (const h of context) {
    if (!h.chunk.injection) continue;
    for (const p of injectionPayloads(h.chunk.text)) {
      if (lower.includes(p.toLowerCase()) && !question.toLowerCase().includes(p.toLowerCase()))
        reasons.push(
          `the answer repeats "${p}", which ${h.chunk.source} instructs a model to output (the document's instruction was followed)`,
        );
    }
  }
  const probe = systemPrompt.slice(0, 60).toLowerCase();
  if (probe.length > 20 && lower.includes(probe)) reasons.push('the answer leaks the system prompt');
  if (SECRET.test(answer)) reasons.push('the answer contains something shaped like a credential or key');
  const sources = context.map((h) => h.chunk.text).join('\n');
  for (const url of answer.match(URL_RE) ?? []) {
    if (!sources.includes(url.replace(/[.,;:]+$/, ''))) reasons.push(`the answer links to ${url}, which no passage contains`);
  }
  return { passed: reasons.length === 0, reasons };
}
