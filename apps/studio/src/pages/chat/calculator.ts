/**
 * The built-in calculator tool, in the shape the sft-calculator recipe trains on:
 * `calculator({ expression })` → `{"result": n}` (4 decimals). A small recursive-descent
 * parser (numbers, + − × ÷ ^ %, parentheses, unary minus) — never `eval`.
 */
export const CALCULATOR_TOOL = {
  type: 'function' as const,
  function: {
    name: 'calculator',
    description: 'Evaluate an arithmetic expression',
    parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
  },
};

export function evaluate(expression: string): number {
  const src = expression.replace(/[×]/g, '*').replace(/[÷]/g, '/').replace(/[−–]/g, '-').replace(/\*\*/g, '^');
  let i = 0;
  const peek = () => {
    while (src[i] === ' ') i++;
    return src[i];
  };
  const fail = (what: string): never => {
    throw new Error(`${what} at position ${i} of "${expression}"`);
  };
  const primary = (): number => {
    const c = peek();
    if (c === '(') {
      i++;
      const v = sum();
      if (peek() !== ')') fail('missing ")"');
      i++;
      return v;
    }
    if (c === '-' || c === '+') {
      i++;
      const v = power();
      return c === '-' ? -v : v;
    }
    const m = /^\d+(\.\d+)?([eE][-+]?\d+)?|^\.\d+/.exec(src.slice(i));
    if (!m) fail(c === undefined ? 'unexpected end' : `unexpected "${c}"`);
    i += m![0].length;
    return Number(m![0]);
  };
  const power = (): number => {
    const base = primary();
    if (peek() === '^') {
      i++;
      return base ** power();
    }
    return base;
  };
  const product = (): number => {
    let v = power();
    for (let c = peek(); c === '*' || c === '/' || c === '%'; c = peek()) {
      i++;
      const r = power();
      v = c === '*' ? v * r : c === '/' ? v / r : v % r;
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    for (let c = peek(); c === '+' || c === '-'; c = peek()) {
      i++;
      const r = product();
      v = c === '+' ? v + r : v - r;
    }
    return v;
  };
  const v = sum();
  if (peek() !== undefined) fail(`unexpected "${peek()}"`);
  if (!Number.isFinite(v)) throw new Error(`"${expression}" has no finite value`);
  return v;
}

/** Runs one calculator call's JSON arguments; errors become the tool's answer, as a real tool would report them. */
export function runCalculator(args: string): string {
  try {
    const { expression } = JSON.parse(args) as { expression?: unknown };
    if (typeof expression !== 'string') return JSON.stringify({ error: 'arguments must be {"expression": "…"}' });
    return JSON.stringify({ result: Number(evaluate(expression).toFixed(4)) });
  } catch (e) {
    return JSON.stringify({ error: (e as Error).message });
  }
}
