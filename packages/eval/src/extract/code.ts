/**
 * HumanEval completion post-processing. By default OpenCompass's `humaneval_postprocess_v2`
 * (opencompass/datasets/humaneval.py at OPENCOMPASS_COMMIT): the first fenced block
 * ("```" + word characters + newline … "```"), else the whole text, left-stripped; the harness
 * then runs prompt + completion + "\n" + test + "\n" + `check(entry_point)`. A bare function body
 * therefore loses its indentation and fails there, as it does in OpenCompass.
 *
 * `repairCompletion` (opt-in, ours, raises scores) keeps the earlier behaviour: a full
 * `def <entry_point>(` is kept whole and appended after the prompt, anything else is a body cut at
 * the original harness's stop sequences and indented under the signature.
 */
import { PY_W, pyLstrip } from './pyRegex.js';

/** Scoring choices that differ from OpenCompass; off by default (see extract/README.md). */
export interface HumanEvalCodeOptions {
  repairCompletion?: boolean;
}

const FENCE = new RegExp(`\`\`\`${PY_W}*\\n([\\s\\S]*?)\`\`\``, 'u');

/** OpenCompass `humaneval_postprocess_v2`. */
export function humanevalPostprocessV2(text: string): string {
  const m = FENCE.exec(text);
  return pyLstrip(m ? m[1] : text);
}

/** The original HumanEval sampling stop sequences: anything at top level ends the body. */
const STOP = /\n(?:class |def |#|if |print\(|assert |```)/;

/** The first fenced block's content, or the text itself when there is no complete fence. */
export function firstCodeBlock(text: string): string {
  const m = /```[\w+-]*[^\S\n]*\n([\s\S]*?)```/.exec(text);
  if (m) return m[1];
  const open = /```[\w+-]*[^\S\n]*\n([\s\S]*)$/.exec(text);
  return open ? open[1] : text;
}

/**
 * The `repairCompletion` reading: returns the code to append to the prompt. `full` tells whether it is a complete definition
 * (then the caller appends it after the prompt on a fresh line) or a body.
 */
export function humanevalCompletion(output: string, entryPoint: string): { code: string; full: boolean } {
  const code = firstCodeBlock(output);
  if (new RegExp(`(^|\\n)\\s*def\\s+${entryPoint}\\s*\\(`).test(code)) return { code, full: true };
  let body = code.replace(/^\s*\n/, '');
  const stop = STOP.exec(body);
  if (stop) body = body.slice(0, stop.index);
  const lines = body.split('\n');
  if (lines[0] && !/^\s/.test(lines[0])) {
    // An unindented body ("return x") was meant to sit under the signature.
    body = lines.map((l) => (l.trim() ? `    ${l}` : l)).join('\n');
  }
  return { code: body, full: false };
}

/** The program the harness runs for one output: prompt + completion + test + `check(entry_point)`. */
export function humanevalProgram(
  prompt: string,
  output: string,
  test: string,
  entryPoint: string,
  opts: HumanEvalCodeOptions = {},
): string {
  if (!opts.repairCompletion) return `${prompt}${humanevalPostprocessV2(output)}\n${test}\ncheck(${entryPoint})`;
  const { code, full } = humanevalCompletion(output, entryPoint);
  const solution = full ? `${prompt}\n    pass\n\n${code}` : `${prompt}${code}`;
  return `${solution}\n\n${test}\n\ncheck(${entryPoint})\n`;
}
