import { describe, expect, it } from 'vitest';
import { renumberCitations } from './citations.js';
import { parsePlan, readyNodes, repairPlan } from './plan.js';

describe('plan parsing and repair', () => {
  it('reads MindSearch WebSearchGraph code without running it', () => {
    const code = `\`\`\`python
graph = WebSearchGraph()
graph.add_root_node(node_content="Compare A and B", node_name="root")
graph.add_node(node_name="a", node_content="What is A?")
graph.add_node("b", 'What is "B"?')
graph.add_edge(start_node="root", end_node="a")
graph.add_edge("root", "b")
graph.add_edge("a", "response")
\`\`\``;
    const p = parsePlan(code);
    expect(p).toEqual({
      ok: true,
      nodes: [
        { id: 'a', question: 'What is A?' },
        { id: 'b', question: 'What is "B"?' },
      ],
      edges: [
        ['root', 'a'],
        ['root', 'b'],
        ['a', 'response'],
      ],
    });
  });
  it('reads JSON with string nodes and {from, to} edges; reports broken JSON', () => {
    expect(parsePlan('{"nodes": ["x?", "y?"], "edges": [{"from": "q1", "to": "q2"}]}')).toMatchObject({ ok: true, edges: [['q1', 'q2']] });
    expect(parsePlan('{"nodes": [')).toMatchObject({ ok: false });
    expect(parsePlan('no plan here')).toMatchObject({ ok: false });
  });
  it('repairs cycles, self-loops, unknown nodes, duplicates, orphans and size', () => {
    const { graph, repairs } = repairPlan(
      'Q',
      {
        nodes: [
          { id: 'a', question: 'A?' },
          { id: 'b', question: 'B?' },
          { id: 'a', question: 'A again?' },
          { id: 'c', question: 'b?' },
          { id: 'd', question: 'D?' },
        ],
        edges: [
          ['a', 'b'],
          ['b', 'a'],
          ['b', 'b'],
          ['zz', 'a'],
        ],
      },
      3,
    );
    expect(graph.nodes.map((n) => n.id)).toEqual(['a', 'b', 'd']);
    expect(graph.edges).toEqual([
      ['a', 'b'],
      ['root', 'a'],
      ['root', 'd'],
    ]);
    expect(repairs).toEqual([
      'dropped duplicate node a',
      'dropped duplicate node c',
      'dropped edge b→a: it closes a cycle',
      'dropped self-loop on b',
      'dropped edge zz→a: unknown node',
      'linked a to root',
    ]);
    expect(readyNodes(graph, new Set(), new Set()).map((n) => n.id)).toEqual(['a', 'd']);
    expect(readyNodes(graph, new Set(['a']), new Set(['a', 'd'])).map((n) => n.id)).toEqual(['b']);
  });
  it('renumbers citations by first appearance and drops unknown ones', () => {
    const sources = new Map([
      [3, { url: 'u3', title: 't3' }],
      [5, { url: 'u5', title: 't5' }],
    ]);
    expect(renumberCitations('X [[5]]. Y [[3]][[9]]. Z [[5]].', sources)).toEqual({
      text: 'X [[1]]. Y [[2]]. Z [[1]].',
      references: [
        { id: 1, url: 'u5', title: 't5' },
        { id: 2, url: 'u3', title: 't3' },
      ],
    });
  });
});
