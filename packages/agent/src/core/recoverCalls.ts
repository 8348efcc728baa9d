import { newCallId, type ProtocolTurn } from '../protocols/protocol.js';

/**
 * Small fine-tunes often write a tool call's JSON without the protocol around it (InternLM2's
 * `<|action_start|><|plugin|>` lost, or an OpenAI server that did not parse the call out), e.g.
 * `Let me calculate.\n{"name": "calculator", "parameters": {"expression": "2+3"}}`. When a turn
 * has no calls and no issues, a JSON object in its text that names a known tool and carries an
 * object of parameters (or arguments) is taken as the call — the same fallback `puyu eval
 * calculator` applies when scoring raw text. Anything else stays text.
 */
export function recoverTextCalls(turn: ProtocolTurn, toolNames: ReadonlySet<string>): ProtocolTurn {
  if (turn.calls.length > 0 || turn.issues.length > 0 || !turn.content.includes('{')) return turn;
  for (let start = turn.content.indexOf('{'); start >= 0; start = turn.content.indexOf('{', start + 1)) {
    const end = matchingBrace(turn.content, start);
    if (end < 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(turn.content.slice(start, end + 1));
    } catch {
      continue;
    }
    const o = value as { name?: unknown; parameters?: unknown; arguments?: unknown };
    const args = o?.parameters ?? o?.arguments;
    if (typeof o?.name !== 'string' || !toolNames.has(o.name) || !args || typeof args !== 'object' || Array.isArray(args)) continue;
    // What precedes the call is the model's text; a replacement character left by broken marker bytes goes.
    const content = turn.content
      .slice(0, start)
      .replace(/\uFFFD/g, '')
      .trim();
    return { ...turn, content, calls: [{ id: newCallId(), name: o.name, arguments: args }] };
  }
  return turn;
}

/** Index of the brace closing the one at `start` (strings respected), or -1. */
function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return -1;
}
