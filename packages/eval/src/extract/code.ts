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

/**
 * How an output becomes the completion. OpenCompass uses two rules, by model kind: its chat
 * configs (e.g. humaneval_gen_8e312c.py) `humaneval_postprocess_v2`, its base-model configs
 * (internal_humaneval_gen_*.py) `humaneval_internal_v2_postprocess`, which keeps the indented
 * body a completion model writes after the prompt.
 */
export type HumanEvalPostprocess = 'v2' | 'internal_v2';

/** `postprocess` picks OpenCompass's rule; `repairCompletion` differs from OpenCompass (off by default, see extract/README.md). */
export interface HumanEvalCodeOptions {
  postprocess?: HumanEvalPostprocess;
  repairCompletion?: boolean;
}

const FENCE = new RegExp(`\`\`\`${PY_W}*\\n([\\s\\S]*?)\`\`\``, 'u');

/** OpenCompass `humaneval_postprocess_v2`. */
export function humanevalPostprocessV2(text: string): string {
  const m = FENCE.exec(text);
  return pyLstrip(m ? m[1] : text);
}

/**
 * OpenCompass `humaneval_internal_v2_postprocess`: a 3-space first line gets a fourth space; the
 * text is cut at the first blank-line run of two ("\n\n\n") and at a closing fence, then at the first
 * non-empty line that does not start with a space (top-level code ends the body).
 */
export function humanevalInternalV2Postprocess(text: string): string {
  let t = text.startsWith('   ') && !text.startsWith('    ') ? ` ${text}` : text;
  t = t.split('\n\n\n')[0].split('\n```')[0];
  const kept: string[] = [];
  for (const line of t.split('\n')) {
    if (line && line[0] !== ' ') break;
    kept.push(line);
  }
  return kept.join('\n');
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
  if (!opts.repairCompletion) {
    const completion = opts.postprocess === 'internal_v2' ? humanevalInternalV2Postprocess(output) : humanevalPostprocessV2(output);
    return `${prompt}${completion}\n${test}\ncheck(${entryPoint})`;
  }
  const { code, full } = humanevalCompletion(output, entryPoint);
  const solution = full ? `${prompt}\n    pass\n\n${code}` : `${prompt}${code}`;
  return `${solution}\n\n${test}\n\ncheck(${entryPoint})\n`;
}
