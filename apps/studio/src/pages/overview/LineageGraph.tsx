import { type UseQueryResult, useQuery } from '@tanstack/react-query';
import { BaseEdge, type Edge, type EdgeProps, Handle, MarkerType, type Node, type NodeProps, Position, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './lineage.css';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmt, getJson } from '../../api';
import { Empty, ErrorState, Loading, QueryView } from '../../components/States';
import type { LineageGraphNode, LineageResponse, TraceResponse } from './types';

/** The kinds @puyu/core/lineage writes; each has a colour (lineage.css) and a translated name. */
const KINDS = new Set([
  'raw',
  'corpus',
  'synthetic-corpus',
  'sft-data',
  'preference-set',
  'tokenizer',
  'token-shard',
  'checkpoint',
  'hf-model',
  'lora-adapter',
  'gguf',
  'eval',
]);
const WIDTH = 230;
const HEIGHT = 120;
const GAP_X = 70;
const GAP_Y = 24;

const isAbsolute = (id: string) => id.startsWith('/') || /^[A-Za-z]:[\\/]/.test(id);
/** Ids are paths relative to the runs folder; one outside it (raw text elsewhere) shows its last two parts. */
const shortName = (id: string) => (isAbsolute(id) ? `…/${id.split(/[\\/]/).slice(-2).join('/')}` : id);

/**
 * Columns by depth, left to right: an artefact's column is its longest path from a raw input, so
 * everything it was made from lies to its left. Within a column, artefacts sit near the mean row
 * of their parents (fewer crossings). Graphs are tens of nodes, so no layout library is needed.
 */
export function lineageLayout(ids: string[], edges: { from: string; to: string }[]): Map<string, { x: number; y: number }> {
  const depth = new Map(ids.map((id) => [id, 0]));
  // At most ids.length passes, and no depth beyond that: a (corrupt) cycle cannot loop forever.
  for (let pass = 0; pass < ids.length; pass++) {
    let moved = false;
    for (const { from, to } of edges) {
      const d = (depth.get(from) ?? 0) + 1;
      if (d <= ids.length && (depth.get(to) ?? 0) < d) {
        depth.set(to, d);
        moved = true;
      }
    }
    if (!moved) break;
  }
  const columns = new Map<number, string[]>();
  for (const id of [...ids].sort()) columns.set(depth.get(id) ?? 0, [...(columns.get(depth.get(id) ?? 0) ?? []), id]);
  const row = new Map<string, number>();
  const out = new Map<string, { x: number; y: number }>();
  for (const d of [...columns.keys()].sort((a, b) => a - b)) {
    const meanParentRow = (id: string) => {
      const rows = edges.filter((e) => e.to === id && row.has(e.from)).map((e) => row.get(e.from) as number);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : 0;
    };
    const col = (columns.get(d) ?? []).map((id) => ({ id, key: meanParentRow(id) })).sort((a, b) => a.key - b.key);
    col.forEach(({ id }, i) => {
      const r = i - (col.length - 1) / 2;
      row.set(id, r);
      out.set(id, { x: d * (WIDTH + GAP_X), y: r * (HEIGHT + GAP_Y) });
    });
  }
  return out;
}

function useKindName(): (kind: string) => string {
  const { t } = useTranslation('overview');
  return (kind) => (KINDS.has(kind) ? t(`lineage.kind.${kind}`) : kind);
}

type TraceNode = TraceResponse['nodes'][number];
/** `chain`: set on the artefacts of the selected one's traced chain, with what the trace found. */
type ArtefactData = { node: LineageGraphNode; selected: boolean; chain?: TraceNode };

/** What a traced node's user should know, in words: changed since its manifest, gone, or changed after its child was made. */
function useProblems(): (n: TraceNode) => string[] {
  const { t } = useTranslation('overview');
  return (n) => [
    ...(n.status === 'changed' ? [t('lineage.problem.changed', { path: n.id })] : []),
    ...(n.status === 'missing' ? [t('lineage.problem.missing', { path: n.id })] : []),
    ...(n.recordedHash ? [t('lineage.problem.stale', { path: n.id, was: n.recordedHash.slice(0, 12) })] : []),
  ];
}

/** One artefact: kind (colour and name), short hash, its path and its figures (eval scores, losses). */
function ArtefactNode({ data }: NodeProps<Node<ArtefactData>>) {
  const { t } = useTranslation('overview');
  const kindName = useKindName();
  const n = data.node;
  const metrics = Object.entries(n.metrics ?? {});
  const broken = data.chain && (data.chain.status === 'changed' || data.chain.status === 'missing' || !!data.chain.recordedHash);
  const cls = [
    'lin-node',
    `kind-${KINDS.has(n.kind) ? n.kind : 'other'}`,
    n.recorded ? '' : 'unrecorded',
    data.selected ? 'selected' : '',
    data.chain ? 'in-chain' : '',
    broken ? 'broken' : '',
  ];
  return (
    <div
      className={cls.filter(Boolean).join(' ')}
      data-testid="lineage-node"
      data-node={n.id}
      data-kind={n.kind}
      data-chain={data.chain?.status}
      title={n.id}
    >
      <Handle type="target" position={Position.Left} />
      <div className="lin-head">
        <span className="lin-kind">{kindName(n.kind)}</span> <code>{n.hash.slice(0, 12)}</code>
      </div>
      <div className="lin-name">{shortName(n.id)}</div>
      {broken && data.chain && (
        <span className="badge lin-status changed">{t(`lineage.status.${data.chain.status === 'missing' ? 'missing' : 'changed'}`)}</span>
      )}
      {metrics.slice(0, 3).map(([k, v]) => (
        <div key={k} className="lin-metric" data-metric={k}>
          {k}: <span className="num">{fmt(v)}</span>
        </div>
      ))}
      {metrics.length > 3 && <div className="muted">{t('lineage.moreMetrics', { n: metrics.length - 3 })}</div>}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

const NODE_TYPES = { artefact: ArtefactNode };

/**
 * An edge that skips a column (the corpus feeding both the tokenizer and the token shards) bows
 * above the row, so it does not run hidden behind the boxes it passes.
 */
function SkipEdge({ id, sourceX, sourceY, targetX, targetY, markerEnd, style }: EdgeProps) {
  const span = Math.abs(targetX - sourceX);
  const lift = Math.min(HEIGHT, 30 + span / 8);
  const path = `M ${sourceX},${sourceY} C ${sourceX + span / 4},${sourceY - lift * 1.5} ${targetX - span / 4},${targetY - lift * 1.5} ${targetX},${targetY}`;
  return <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} />;
}

const EDGE_TYPES = { skip: SkipEdge };

/** What a click shows: the command and full hash, and whether its chain still holds (the trace API). */
function ArtefactDetail({ node, trace }: { node: LineageGraphNode; trace: UseQueryResult<TraceResponse> }) {
  const { t, i18n } = useTranslation('overview');
  const kindName = useKindName();
  const problemsOf = useProblems();
  const traceable = traceableId(node);
  const problems = trace.data?.nodes.flatMap(problemsOf) ?? [];
  const own = trace.data?.nodes[0];
  return (
    <div className="card lin-detail" data-testid="lineage-detail" data-node={node.id}>
      <dl>
        <dt>{t('lineage.detail.path')}</dt>
        <dd>
          <code>{node.id}</code>
        </dd>
        <dt>{t('lineage.detail.kind')}</dt>
        <dd>{kindName(node.kind)}</dd>
        <dt>{t('lineage.detail.hash')}</dt>
        <dd>
          <code data-testid="lineage-hash">{node.hash}</code>
        </dd>
        {node.command && (
          <>
            <dt>{t('lineage.detail.command')}</dt>
            <dd>
              <code data-testid="lineage-command">{node.command}</code>
            </dd>
          </>
        )}
        {node.created && (
          <>
            <dt>{t('lineage.detail.created')}</dt>
            <dd>{new Date(node.created).toLocaleString(i18n.language === 'zh' ? 'zh-CN' : 'en-GB')}</dd>
          </>
        )}
        {Object.entries(node.metrics ?? {}).map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd className="num">{fmt(v)}</dd>
          </Fragment>
        ))}
      </dl>
      {!node.recorded && <p className="muted">{t('lineage.detail.raw')}</p>}
      {traceable && trace.isPending && <Loading />}
      {traceable && trace.isError && <ErrorState error={trace.error} />}
      {trace.data && own && (
        <div data-testid="lineage-chain" data-status={own.status} data-problems={problems.length}>
          <span className={`badge lin-status ${own.status}`}>{t(`lineage.status.${own.status}`)}</span>{' '}
          {problems.length === 0 ? (
            t('lineage.detail.chainOk', { n: trace.data.nodes.length })
          ) : (
            <>
              {t('lineage.detail.chainProblems', { n: trace.data.nodes.length })}
              <ul>
                {problems.map((p) => (
                  <li key={p}>
                    <code>{p}</code>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </div>
  );
}

/** Only an artefact with a manifest inside the runs folder can be traced (the API reads nothing else). */
const traceableId = (n: LineageGraphNode | undefined) => !!n && n.recorded && !isAbsolute(n.id);

function LineageView({ graph }: { graph: LineageResponse }) {
  const { t } = useTranslation('overview');
  const [selected, setSelected] = useState<string>();
  const chosen = graph.nodes.find((n) => n.id === selected);
  const trace = useQuery({
    queryKey: ['lineage-trace', chosen?.id, chosen?.hash],
    queryFn: () => getJson<TraceResponse>('/api/lineage/trace', { path: chosen?.id }),
    enabled: traceableId(chosen),
  });
  const chain = new Map((chosen && trace.data?.root === chosen.id ? trace.data.nodes : []).map((n) => [n.id, n]));
  const pos = lineageLayout(
    graph.nodes.map((n) => n.id),
    graph.edges,
  );
  const column = (id: string) => Math.round((pos.get(id)?.x ?? 0) / (WIDTH + GAP_X));
  const nodes: Node<ArtefactData>[] = graph.nodes.map((n) => ({
    id: n.id,
    type: 'artefact',
    position: pos.get(n.id) ?? { x: 0, y: 0 },
    selected: n.id === selected,
    ariaLabel: n.id,
    data: { node: n, selected: n.id === selected, chain: chain.get(n.id) },
  }));
  const edges: Edge[] = graph.edges.map((e) => ({
    id: `${e.from}->${e.to}`,
    source: e.from,
    target: e.to,
    ...(column(e.to) - column(e.from) > 1 ? { type: 'skip' } : {}),
    ...(chain.get(e.to)?.parents.includes(e.from) ? { className: 'in-chain' } : {}),
    markerEnd: { type: MarkerType.ArrowClosed },
  }));
  // Tall enough for the fullest column at full size; fitView shrinks larger graphs.
  const perColumn = new Map<number, number>();
  for (const p of pos.values()) perColumn.set(p.x, (perColumn.get(p.x) ?? 0) + 1);
  const rows = Math.max(1, ...perColumn.values());
  const height = Math.min(560, Math.max(260, rows * (HEIGHT + GAP_Y) + 120));
  return (
    <>
      <p className="muted">{t('lineage.intro', { n: graph.nodes.length, dir: graph.runsDir })}</p>
      <div
        className="lin-graph"
        style={{ height }}
        data-testid="lineage-graph"
        data-nodes={graph.nodes.length}
        data-edges={graph.edges.length}
      >
        <ReactFlow
          // refit when artefacts come or change, not on every poll
          key={graph.nodes.map((n) => `${n.id}:${n.hash}`).join(',')}
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          edgeTypes={EDGE_TYPES}
          // selection through React Flow's own changes, so a click and Enter on a focused node both pick it
          onNodesChange={(changes) => {
            const picked = changes.find((c) => c.type === 'select' && c.selected);
            if (picked && 'id' in picked) setSelected(picked.id);
            else if (changes.some((c) => c.type === 'select')) setSelected(undefined);
          }}
          fitView
          nodesConnectable={false}
          nodesDraggable={false}
          minZoom={0.2}
        />
      </div>
      {chosen ? <ArtefactDetail node={chosen} trace={trace} /> : <p className="muted">{t('lineage.clickHint')}</p>}
    </>
  );
}

/** The chain page's lineage section: what was made from what, from the manifests the commands write. */
export function LineageSection() {
  const { t } = useTranslation('overview');
  const q = useQuery({ queryKey: ['lineage'], queryFn: () => getJson<LineageResponse>('/api/lineage'), refetchInterval: 10_000 });
  return (
    <section className="lin-section" data-testid="lineage">
      <h2>{t('lineage.title')}</h2>
      <QueryView query={q}>
        {(g) =>
          g.nodes.length === 0 ? (
            <Empty title={t('lineage.empty', { dir: g.runsDir })} hint={t('lineage.emptyHint')} />
          ) : (
            <LineageView graph={g} />
          )
        }
      </QueryView>
    </section>
  );
}
