import type { AgentModel, WireMessage } from '../core/model.js';
import type { PageReader, SearchHit, SearchProvider } from '../search/types.js';
import { mapCitations, type Reference, renumberCitations } from './citations.js';
import { PLAN_PROMPT, PLAN_RETRY_PROMPT, type PlanGraph, parsePlan, readyNodes, repairPlan } from './plan.js';
import { ask, type NodeSource, runSearcher } from './searcher.js';

export type NodeStatus = 'pending' | 'running' | 'done' | 'failed';

/** The graph as a page draws it: nodes with their state and answers, edges from `root`. */
export interface GraphState {
  question: string;
  nodes: { id: string; question: string; status: NodeStatus; answer?: string; startedAt?: number; endedAt?: number }[];
  edges: [string, string][];
}

/** What a MindSearch run streams (POST /solve sends each as one SSE event named by `type`). */
export type SearchEvent =
  | { type: 'plan_error'; attempt: number; error: string }
  /** The plan, then again each time a later round adds nodes (`round` 2, 3, …). */
  | {
      type: 'plan';
      graph: PlanGraph;
      repairs: string[];
      attempts: number;
      round?: number;
      fallback?: { code: 'AGENT_PLAN_FAILED'; message: string };
    }
  | { type: 'node_start'; node: string; question: string; at: number }
  | { type: 'node_search'; node: string; query: string; hits: SearchHit[] }
  | { type: 'node_select'; node: string; urls: string[] }
  | { type: 'node_answer'; node: string; answer: string; sources: Omit<NodeSource, 'excerpt'>[]; at: number }
  | { type: 'node_error'; node: string; error: string; at: number }
  | { type: 'final'; answer: string; references: Reference[]; graph: GraphState };

export interface MindSearchOptions {
  model: AgentModel;
  search: SearchProvider;
  reader: PageReader;
  /** Sub-questions per plan (default 6). */
  maxNodes?: number;
  /** Plan attempts before falling back to one node holding the question (default 3). */
  planAttempts?: number;
  /** Planning rounds: after each, the planner sees the answers and may add nodes (default 2). */
  rounds?: number;
  /** Searchers running at once (default 4). */
  concurrency?: number;
  searchLimit?: number;
  readLimit?: number;
}

const FOLLOW_UP_PROMPT = (found: string, room: number) =>
  `These sub-questions have been searched:\n\n${found}\n\nIf the main question still needs more information, add at most ${room} new sub-questions (new ids; edges may start at the answered ones) as {"nodes": [...], "edges": [...]}. If the answers suffice, reply {"nodes": []}.`;

const FINAL_PROMPT =
  'Write the final answer to the main question from the answered sub-questions below. Keep the [[n]] citations of every point you use, exactly as given (they number the sources). Do not mention the sub-questions.';

/**
 * MindSearch: a planner splits the question into a graph of sub-questions, searchers answer the
 * ready nodes in parallel (each with its own citations), and a writer composes the final answer;
 * citations are renumbered into one reference list. Every step streams as an event.
 */
export async function* mindSearch(
  question: string,
  o: MindSearchOptions,
  signal?: AbortSignal,
): AsyncGenerator<SearchEvent, void, undefined> {
  const maxNodes = o.maxNodes ?? 6;
  // 1. plan, with a retry prompt when the plan does not parse
  const messages: WireMessage[] = [{ role: 'user', content: PLAN_PROMPT(question, maxNodes) }];
  let plan: { graph: PlanGraph; repairs: string[] } | undefined;
  let attempts = 0;
  for (; attempts < (o.planAttempts ?? 3) && !plan; ) {
    attempts++;
    const text = await ask(o.model, messages, signal, 768);
    const parsed = parsePlan(text);
    const error = parsed.ok ? (parsed.nodes.length === 0 ? 'the plan has no sub-questions' : undefined) : parsed.error;
    if (parsed.ok && !error) plan = repairPlan(question, parsed, maxNodes);
    else {
      yield { type: 'plan_error', attempt: attempts, error: error ?? 'unreadable plan' };
      messages.push({ role: 'assistant', content: text }, { role: 'user', content: PLAN_RETRY_PROMPT(error ?? 'unreadable plan') });
    }
  }
  const fallback = plan
    ? undefined
    : ({ code: 'AGENT_PLAN_FAILED', message: `No usable plan after ${attempts} attempts; searching the question as one node.` } as const);
  // A model that cannot plan still gets an answer: the question itself is the one sub-question.
  plan ??= repairPlan(question, { nodes: [{ id: 'q1', question }], edges: [] });
  const graph = plan.graph;
  yield { type: 'plan', graph: copyGraph(graph), repairs: plan.repairs, attempts, fallback };

  // 2. searchers over the ready nodes, in parallel
  const state: GraphState = { question, nodes: graph.nodes.map((n) => ({ ...n, status: 'pending' as NodeStatus })), edges: graph.edges };
  const answers = new Map<string, { answer: string; sources: NodeSource[] }>();
  const queue: SearchEvent[] = [];
  let wake: (() => void) | undefined;
  const emit = (e: SearchEvent) => {
    queue.push(e);
    wake?.();
  };
  const done = new Set<string>();
  const started = new Set<string>();
  const running = new Set<Promise<void>>();
  const limit = o.concurrency ?? 4;
  const launch = () => {
    for (const node of readyNodes(graph, done, started)) {
      if (running.size >= limit) break;
      started.add(node.id);
      const s = state.nodes.find((n) => n.id === node.id) as GraphState['nodes'][number];
      s.status = 'running';
      s.startedAt = Date.now();
      emit({ type: 'node_start', node: node.id, question: node.question, at: s.startedAt });
      const parents = graph.edges
        .filter(([from, to]) => to === node.id && answers.has(from))
        .map(([from]) => ({ question: graph.nodes.find((n) => n.id === from)?.question ?? '', answer: answers.get(from)?.answer ?? '' }));
      const p = runSearcher(node, question, parents, {
        model: o.model,
        search: o.search,
        reader: o.reader,
        searchLimit: o.searchLimit,
        readLimit: o.readLimit,
        signal,
        onSearch: (query, hits) => emit({ type: 'node_search', node: node.id, query, hits }),
        onSelect: (urls) => emit({ type: 'node_select', node: node.id, urls }),
      })
        .then((r) => {
          answers.set(node.id, r);
          s.status = 'done';
          s.answer = r.answer;
          s.endedAt = Date.now();
          emit({
            type: 'node_answer',
            node: node.id,
            answer: r.answer,
            sources: r.sources.map(({ excerpt, ...rest }) => rest),
            at: s.endedAt,
          });
        })
        .catch((e: unknown) => {
          s.status = 'failed';
          s.endedAt = Date.now();
          emit({ type: 'node_error', node: node.id, error: (e as Error).message, at: s.endedAt });
        })
        .finally(() => {
          done.add(node.id);
          running.delete(p);
          launch();
          wake?.();
        });
      running.add(p);
    }
  };
  const drain = async function* () {
    launch();
    while (running.size > 0 || queue.length > 0) {
      if (queue.length === 0) await new Promise<void>((ok) => (wake = ok));
      wake = undefined;
      while (queue.length > 0) yield queue.shift() as SearchEvent;
    }
  };
  yield* drain();
  // Later rounds (MindSearch's planner keeps building the graph after seeing answers): the
  // planner sees what was found and may add nodes; an empty or unreadable reply ends planning.
  for (let round = 2; round <= (o.rounds ?? 2) && !fallback && graph.nodes.length < maxNodes; round++) {
    const found = graph.nodes.map((n) => `${n.id}: ${n.question}\nAnswer: ${answers.get(n.id)?.answer ?? '(none)'}`).join('\n\n');
    messages.push(
      { role: 'assistant', content: JSON.stringify({ nodes: graph.nodes, edges: graph.edges }) },
      { role: 'user', content: FOLLOW_UP_PROMPT(found, maxNodes - graph.nodes.length) },
    );
    const parsed = parsePlan(await ask(o.model, messages, signal, 768));
    if (!parsed.ok || parsed.nodes.length === 0) break;
    const merged = repairPlan(question, { nodes: [...graph.nodes, ...parsed.nodes], edges: [...graph.edges, ...parsed.edges] }, maxNodes);
    const added = merged.graph.nodes.filter((n) => !state.nodes.some((s) => s.id === n.id));
    if (added.length === 0) break;
    graph.nodes = merged.graph.nodes;
    graph.edges = merged.graph.edges;
    state.edges = graph.edges;
    for (const n of added) state.nodes.push({ ...n, status: 'pending' });
    yield { type: 'plan', graph: copyGraph(graph), repairs: merged.repairs, attempts: 1, round };
    yield* drain();
  }

  // 3. the final answer: node citations → one global numbering → the writer → renumbered 1..m
  const global = new Map<number, { url: string; title: string }>();
  const byUrl = new Map<string, number>();
  const pairs: string[] = [];
  for (const node of graph.nodes) {
    const a = answers.get(node.id);
    if (!a) continue;
    const local = new Map<number, number>();
    for (const s of a.sources) {
      let g = byUrl.get(s.url);
      if (g === undefined) {
        g = global.size + 1;
        global.set(g, { url: s.url, title: s.title });
        byUrl.set(s.url, g);
      }
      local.set(s.n, g);
    }
    pairs.push(`## ${node.question}\n${mapCitations(a.answer, (n) => local.get(n))}`);
  }
  let answer = '';
  if (pairs.length > 0) {
    answer = await ask(
      o.model,
      [
        { role: 'system', content: FINAL_PROMPT },
        { role: 'user', content: `# Main question\n${question}\n\n${pairs.join('\n\n')}` },
      ],
      signal,
      1024,
    );
  }
  const final = renumberCitations(answer.trim() || 'No answer could be found.', global);
  yield { type: 'final', answer: final.text, references: final.references, graph: state };
}

/** Runs to the end; returns the final event's content. */
export async function solve(question: string, o: MindSearchOptions, onEvent?: (e: SearchEvent) => void, signal?: AbortSignal) {
  for await (const e of mindSearch(question, o, signal)) {
    onEvent?.(e);
    if (e.type === 'final') return { answer: e.answer, references: e.references, graph: e.graph };
  }
  throw new Error('mindSearch ended without a final event');
}

/** Events carry a snapshot: later rounds change the live graph. */
function copyGraph(g: PlanGraph): PlanGraph {
  return { question: g.question, nodes: g.nodes.map((n) => ({ ...n })), edges: g.edges.map(([a, b]) => [a, b]) };
}
