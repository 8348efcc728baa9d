/**
 * HumanEval completion post-processing. OpenCompass's `humaneval_postprocess_v2` keeps the first
 * fenced code block; its earlier rule trimmed a completion to the function body and re-indented it.
 * We do both, picking by what the model wrote: a full `def <entry_point>(` is kept whole (it is
 * appended after the prompt, so the model's definition is the one `check` calls), otherwise the
 * text is a body: cut at the original harness's stop sequences and indented under the signature.
 */

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
 * Returns the code to append to the prompt. `full` tells whether it is a complete definition
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

/** The program the original harness runs: prompt + completion + test + `check(entry_point)`. */
export function humanevalProgram(prompt: string, completion: string, test: string, entryPoint: string): string {
  const { code, full } = humanevalCompletion(completion, entryPoint);
  const solution = full ? `${prompt}\n    pass\n\n${code}` : `${prompt}${code}`;
  return `${solution}\n\n${test}\n\ncheck(${entryPoint})\n`;
}
