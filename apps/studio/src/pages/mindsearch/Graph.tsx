import { type Edge, Handle, MarkerType, type Node, type NodeProps, Position, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './mindsearch.css';
import { useTranslation } from 'react-i18next';

export type NodeStatus = 'pending' | 'running' | 'done' | 'failed';

/** A sub-question as the page tracks it from the stream. */
export interface SubQuestion {
  id: string;
  question: string;
  status: NodeStatus;
  answer?: string;
  error?: string;
  query?: string;
  sources?: { n: number; url: string; title: string }[];
  startedAt?: number;
  endedAt?: number;
}

type GraphNodeData = { label: string; id: string; status: NodeStatus | 'root'; answer?: string };

/** One box of the graph: id, question, state (colour), and the answer once it is in. */
function GraphNode({ data }: NodeProps<Node<GraphNodeData>>) {
  const { t } = useTranslation('mindsearch');
  return (
    <div className={`ms-node ${data.status}`} data-testid="graph-node" data-node={data.id} data-status={data.status}>
      <Handle type="target" position={Position.Top} />
      <div className="ms-node-head">
        <code>{data.id}</code> <span className={`badge ${data.status}`}>{t(`status.${data.status}`)}</span>
      </div>
      <div>{data.label}</div>
      {data.answer && <div className="ms-node-answer">{data.answer}</div>}
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

const NODE_TYPES = { sub: GraphNode };
const WIDTH = 240;
const HEIGHT = 150;

/**
 * Layered layout: a node's row is its longest path from the root (so an answer it depends on is
 * always above it), nodes of a row side by side. Plans are small (≤ 12 nodes), so no layout
 * library is needed for this.
 */
export function layout(nodes: { id: string }[], edges: [string, string][]): Map<string, { x: number; y: number }> {
  const depth = new Map<string, number>([['root', 0]]);
  for (let pass = 0; pass <= nodes.length; pass++) {
    for (const [from, to] of edges) {
      const d = (depth.get(from) ?? 0) + 1;
      if ((depth.get(to) ?? 0) < d) depth.set(to, d);
    }
  }
  const rows = new Map<number, string[]>();
  for (const n of [{ id: 'root' }, ...nodes]) {
    const d = n.id === 'root' ? 0 : Math.max(1, depth.get(n.id) ?? 1);
    rows.set(d, [...(rows.get(d) ?? []), n.id]);
  }
  const out = new Map<string, { x: number; y: number }>();
  for (const [d, ids] of rows)
    ids.forEach((id, i) => {
      out.set(id, { x: (i - (ids.length - 1) / 2) * (WIDTH + 30), y: d * (HEIGHT + 40) });
    });
  return out;
}

/** The planner's graph, drawn with React Flow; redrawn and refitted whenever a node is added or changes state (answers make boxes taller). */
export function PlanGraphView({ question, nodes, edges }: { question: string; nodes: SubQuestion[]; edges: [string, string][] }) {
  const pos = layout(nodes, edges);
  const flowNodes: Node<GraphNodeData>[] = [
    { id: 'root', type: 'sub', position: pos.get('root') ?? { x: 0, y: 0 }, data: { id: 'root', label: question, status: 'root' } },
    ...nodes.map((n) => ({
      id: n.id,
      type: 'sub',
      position: pos.get(n.id) ?? { x: 0, y: 0 },
      data: { id: n.id, label: n.question, status: n.status, answer: n.answer },
    })),
  ];
  const flowEdges: Edge[] = edges.map(([from, to]) => ({
    id: `${from}->${to}`,
    source: from,
    target: to,
    animated: nodes.find((n) => n.id === to)?.status === 'running',
    markerEnd: { type: MarkerType.ArrowClosed },
  }));
  return (
    <div className="ms-graph" data-testid="plan-graph" data-nodes={nodes.length}>
      <ReactFlow
        key={nodes.map((n) => `${n.id}:${n.status}`).join(',')}
        nodes={flowNodes}
        edges={flowEdges}
        nodeTypes={NODE_TYPES}
        fitView
        nodesConnectable={false}
        nodesDraggable={false}
        minZoom={0.2}
      />
    </div>
  );
}
