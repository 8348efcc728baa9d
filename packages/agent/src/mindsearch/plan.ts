/**
 * The planner's graph of sub-questions and how a model's plan text becomes one. MindSearch's
 * WebPlanner writes Python against a WebSearchGraph API (`graph.add_node(name, question)`,
 * `graph.add_edge(a, b)`); weaker or non-InternLM models are better at JSON. Both are read here,
 * neither is executed: the code is parsed for those calls only. A plan that parses is then
 * checked and repaired (unknown endpoints, self-loops, cycles, duplicates, orphans, too many
 * nodes), so a sloppy plan still runs and the repairs are reported.
 */

export interface PlanNode {
  id: string;
  question: string;
}

export interface PlanGraph {
  question: string;
  nodes: PlanNode[];
  /** [from, to]: `to` may start once `from` has an answer. `root` is the question itself. */
  edges: [string, string][];
}

export type PlanParse = { ok: true; nodes: PlanNode[]; edges: [string, string][] } | { ok: false; error: string };

export const ROOT = 'root';
export const RESPONSE = 'response';

/** Reads a plan written as JSON ({nodes, edges}) or as MindSearch WebSearchGraph code. */
export function parsePlan(text: string): PlanParse {
  const json = parseJsonPlan(text);
  if (json.ok) return json;
  const code = parseCodePlan(text);
  if (code.ok) return code;
  return { ok: false, error: json.error };
}

function parseJsonPlan(text: string): PlanParse {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/.exec(text);
  const candidate = fenced?.[1] ?? text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
  if (!candidate.trim()) return { ok: false, error: 'no JSON object found' };
  let value: unknown;
  try {
    value = JSON.parse(candidate);
  } catch (e) {
    return { ok: false, error: `the plan is not valid JSON (${(e as Error).message})` };
  }
  const v = value as { nodes?: unknown; edges?: unknown };
  if (!v || typeof v !== 'object' || !Array.isArray(v.nodes)) return { ok: false, error: 'the JSON has no "nodes" list' };
  const nodes: PlanNode[] = [];
  for (const n of v.nodes as unknown[]) {
    if (typeof n === 'string') nodes.push({ id: `q${nodes.length + 1}`, question: n });
    else if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      const question = o.question ?? o.content ?? o.query;
      if (typeof question !== 'string' || !question.trim()) continue;
      nodes.push({ id: String(o.id ?? o.name ?? `q${nodes.length + 1}`), question: question.trim() });
    }
  }
  const edges: [string, string][] = [];
  for (const e of Array.isArray(v.edges) ? (v.edges as unknown[]) : []) {
    if (Array.isArray(e) && e.length === 2) edges.push([String(e[0]), String(e[1])]);
    else if (e && typeof e === 'object') {
      const o = e as Record<string, unknown>;
      if (o.from !== undefined && o.to !== undefined) edges.push([String(o.from), String(o.to)]);
    }
  }
  return { ok: true, nodes, edges };
}

const STR = String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')`;
const ADD_NODE = new RegExp(String.raw`add_node\(\s*(?:node_name\s*=\s*)?${STR}\s*,\s*(?:node_content\s*=\s*)?${STR}\s*\)`, 'g');
const ADD_EDGE = new RegExp(String.raw`add_edge\(\s*(?:start_node\s*=\s*)?${STR}\s*,\s*(?:end_node\s*=\s*)?${STR}\s*\)`, 'g');

function parseCodePlan(text: string): PlanParse {
  const unquote = (a?: string, b?: string) => (a ?? b ?? '').replace(/\\(.)/g, '$1');
  const nodes: PlanNode[] = [];
  for (const m of text.matchAll(ADD_NODE)) nodes.push({ id: unquote(m[1], m[2]), question: unquote(m[3], m[4]) });
  if (nodes.length === 0) return { ok: false, error: 'no graph.add_node(...) call found' };
  const edges: [string, string][] = [];
  for (const m of text.matchAll(ADD_EDGE)) edges.push([unquote(m[1], m[2]), unquote(m[3], m[4])]);
  return { ok: true, nodes, edges };
}

/** Makes a parsed plan runnable; returns the graph and what had to be fixed. */
export function repairPlan(
  question: string,
  parsed: { nodes: PlanNode[]; edges: [string, string][] },
  maxNodes = 8,
): { graph: PlanGraph; repairs: string[] } {
  const repairs: string[] = [];
  const nodes: PlanNode[] = [];
  const ids = new Set<string>();
  const questions = new Set<string>();
  for (const n of parsed.nodes) {
    const id = n.id.trim() || `q${nodes.length + 1}`;
    if (id === ROOT || id === RESPONSE) continue; // MindSearch's own bookkeeping nodes
    if (ids.has(id) || questions.has(n.question.toLowerCase())) {
      repairs.push(`dropped duplicate node ${id}`);
      continue;
    }
    if (nodes.length >= maxNodes) {
      repairs.push(`dropped node ${id}: more than ${maxNodes} nodes`);
      continue;
    }
    ids.add(id);
    questions.add(n.question.toLowerCase());
    nodes.push({ id, question: n.question });
  }
  const edges: [string, string][] = [];
  const seen = new Set<string>();
  for (const [from, to] of parsed.edges) {
    if (to === RESPONSE || to === ROOT) continue;
    if (!ids.has(to) || (from !== ROOT && !ids.has(from))) {
      repairs.push(`dropped edge ${from}→${to}: unknown node`);
      continue;
    }
    if (from === to) {
      repairs.push(`dropped self-loop on ${from}`);
      continue;
    }
    const key = `${from}\u0000${to}`;
    if (seen.has(key)) continue;
    if (from !== ROOT && reaches(edges, to, from)) {
      repairs.push(`dropped edge ${from}→${to}: it closes a cycle`);
      continue;
    }
    seen.add(key);
    edges.push([from, to]);
  }
  // Every node must hang off something: nodes nothing points at start from the root.
  for (const n of nodes) {
    if (!edges.some(([, to]) => to === n.id)) {
      edges.push([ROOT, n.id]);
      // Only worth reporting when the plan gave it predecessors that were all dropped above.
      if (parsed.edges.some(([from, to]) => to === n.id && from !== ROOT)) repairs.push(`linked ${n.id} to root`);
    }
  }
  return { graph: { question, nodes, edges }, repairs };
}

function reaches(edges: [string, string][], from: string, target: string): boolean {
  const stack = [from];
  const seen = new Set<string>();
  while (stack.length) {
    const cur = stack.pop() as string;
    if (cur === target) return true;
    if (seen.has(cur)) continue;
    seen.add(cur);
    for (const [a, b] of edges) if (a === cur) stack.push(b);
  }
  return false;
}

/** The nodes whose predecessors have all answered (root counts as answered). */
export function readyNodes(graph: PlanGraph, done: ReadonlySet<string>, started: ReadonlySet<string>): PlanNode[] {
  return graph.nodes.filter(
    (n) => !started.has(n.id) && graph.edges.filter(([, to]) => to === n.id).every(([from]) => from === ROOT || done.has(from)),
  );
}

export const PLAN_PROMPT = (
  question: string,
  maxNodes: number,
) => `You plan web research. Split the question into at most ${maxNodes} simple sub-questions that a search can answer, each about one single thing. Sub-questions that do not depend on each other will be searched in parallel; add an edge [a, b] only when b needs a's answer.

Answer with one JSON object and nothing else:
{"nodes": [{"id": "q1", "question": "..."}, {"id": "q2", "question": "..."}], "edges": [["q1", "q2"]]}

Question: ${question}`;

export const PLAN_RETRY_PROMPT = (error: string) =>
  `Your plan could not be read: ${error}. Answer again with only the JSON object {"nodes": [{"id": ..., "question": ...}], "edges": [[from, to]]}, no other text.`;
