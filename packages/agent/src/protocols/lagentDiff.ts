import { readInternLM2Turn } from './internlm2.js';

/** One line of fixtures/lagent-goldens.json: what Lagent's Internlm2Protocol.parse made of a transcript. */
export interface LagentGolden {
  name: string;
  text: string;
  kind?: 'plugin' | 'interpreter' | null;
  thought?: string | null;
  call?: { name: string | null; parameters: unknown };
  invalid?: string;
  exception?: string;
}

/**
 * Where we part from Lagent on purpose, by transcript name, with the reason. Everything else must
 * agree exactly: whether there is a call, the text before it, the call's name and arguments.
 */
export const LAGENT_DEVIATIONS: Record<string, string> = {
  'arguments as a JSON string':
    'Lagent reads only "parameters" and gets None; we also take "arguments" (a JSON string included), as LMDeploy does.',
  'bare plugin marker without action_start': "Lagent raises ValueError; we read the call, as @puyu/formats' stream parser is lenient here.",
  'unknown channel':
    'Lagent drops everything after <|action_start|>; we keep it as text and report TOOL_CALL_UNKNOWN_KIND (nothing is lost).',
  'plugin body in a json fence': 'Lagent fails json.loads on the fence; we read the JSON inside it.',
  'plugin call without a name':
    'Lagent passes a call named None on to its executor, which fails; we report TOOL_CALL_INVALID_SHAPE. Both end as an error to the model.',
};

/** Lagent leaves the ```python fence on interpreter code (its IPython action strips it later). */
function unfence(code: string): string {
  return code.replace(/^```[\w+-]*\n/, '').replace(/\n?```\s*$/, '');
}

export interface LagentComparison {
  name: string;
  ours: { call: { name: string; arguments: unknown } | null; content: string };
  lagent: { call: { name: string; arguments: unknown } | null; content: string | null };
  agree: boolean;
}

/** Our reading of the same text, next to Lagent's. */
export async function compareWithLagent(g: LagentGolden): Promise<LagentComparison> {
  const turn = await readInternLM2Turn([{ text: g.text }]);
  const first = turn.calls[0];
  const ours = { call: first ? { name: first.name, arguments: first.arguments } : null, content: turn.content };
  let lagentCall: LagentComparison['lagent']['call'] = null;
  if (g.call && g.kind === 'interpreter') {
    const params = g.call.parameters as { command: string };
    lagentCall = { name: String(g.call.name), arguments: { command: unfence(params.command) } };
  } else if (g.call) lagentCall = { name: String(g.call.name), arguments: g.call.parameters };
  const lagent = { call: lagentCall, content: g.exception ? null : (g.thought ?? null) };
  const agree = !g.exception && JSON.stringify(ours) === JSON.stringify(lagent);
  return { name: g.name, ours, lagent, agree };
}
