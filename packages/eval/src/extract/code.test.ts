import { describe, expect, it } from 'vitest';
import { runPython } from '../sandbox/PythonSandbox.js';
import { humanevalCompletion, humanevalPostprocessV2, humanevalProgram } from './code.js';

const prompt = 'def add(a, b):\n    """Add two numbers."""\n';
const test = 'def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n';

describe('HumanEval: OpenCompass humaneval_postprocess_v2 (default)', () => {
  it('takes the first fence whose tag is word characters, else the text, left-stripped', () => {
    expect(humanevalPostprocessV2('Sure:\n```python\ndef f():\n    pass\n```\n```\nx\n```')).toBe('def f():\n    pass\n');
    expect(humanevalPostprocessV2('    return a + b\n')).toBe('return a + b\n');
    expect(humanevalPostprocessV2('```c++\nx\n```')).toBe('```c++\nx\n```');
    expect(humanevalPostprocessV2('```python\n    return 1\n')).toBe('```python\n    return 1\n');
  });
  it('assembles prompt + completion + newline + test + newline + check(entry_point)', () => {
    expect(humanevalProgram('P\n', 'C', 'T', 'f')).toBe('P\nC\nT\ncheck(f)');
  });
  it.each([
    ['fenced full function', '```python\ndef add(a, b):\n    return a + b\n```', 'passed'],
    ['bare full function', 'def add(a, b):\n    return a + b\n', 'passed'],
    // lstrip() removes the body's indentation: "return" outside the function, as in OpenCompass.
    ['indented body', '    return a + b\n', 'failed'],
  ])('runs as OpenCompass does: %s', async (_name, completion, status) => {
    const r = await runPython(humanevalProgram(prompt, completion, test, 'add'), { timeoutMs: 1500 });
    expect(r.status).toBe(status);
  });
});

describe('HumanEval completion repair (opt-in repairCompletion)', () => {
  it('keeps a body, cut at the first top-level statement', () => {
    expect(humanevalCompletion('    return a + b\n\ndef other():\n    pass\n', 'add')).toEqual({ code: '    return a + b\n', full: false });
    expect(humanevalCompletion('    return a + b\nprint(add(1, 2))', 'add').code).toBe('    return a + b');
  });
  it('indents an unindented body under the signature', () => {
    expect(humanevalCompletion('return a + b', 'add').code).toBe('    return a + b');
  });
  it('takes the first fenced block and recognises a full definition', () => {
    const out = 'Sure!\n```python\nimport math\n\ndef add(a, b):\n    return a + b\n```\nDone. ```python\nx=1\n```';
    expect(humanevalCompletion(out, 'add')).toEqual({ code: 'import math\n\ndef add(a, b):\n    return a + b\n', full: true });
  });
  it('reads an unclosed fence to the end', () => {
    expect(humanevalCompletion('```python\n    return a + b\n', 'add').code).toBe('    return a + b\n');
  });

  it.each([
    ['body', '    return a + b\n', 'passed'],
    ['fenced full function', '```python\ndef add(a, b):\n    return a + b\n```', 'passed'],
    ['unindented body', 'return a + b', 'passed'],
    ['wrong body', '    return a - b\n', 'failed'],
    ['infinite loop', '    while True:\n        pass\n', 'timeout'],
  ])('the assembled program runs as the harness does: %s', async (_name, completion, status) => {
    const r = await runPython(humanevalProgram(prompt, completion, test, 'add', { repairCompletion: true }), { timeoutMs: 1500 });
    expect(r.status).toBe(status);
  });
});
