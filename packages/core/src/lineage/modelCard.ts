import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { descendants, type LineageGraph, lineageGraph } from './graph.js';
import { flattenLineage, formatLineage, type LineageNode, traceLineage } from './trace.js';

const TRAINED = new Set(['hf-model', 'checkpoint', 'lora-adapter']);
const DATA = new Set(['corpus', 'token-shard', 'synthetic-corpus', 'sft-data', 'preference-set', 'raw']);

function metricCells(m: Record<string, number> | undefined): string {
  if (!m) return '';
  return Object.entries(m)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(', ');
}

export interface ModelCardInput {
  /** The traced chain of the HF folder (traceLineage). */
  chain: LineageNode;
  /** Evaluations of the model or of files made from it (lineageGraph of the runs folder). */
  graph?: LineageGraph;
  /** Folder the graph was scanned from, to resolve its ids. */
  graphRoot?: string;
  /** The folder's `config.json` (its shape fields are listed); else the manifest's `config.model`. */
  architecture?: Record<string, unknown>;
}

/** The shape fields a reader of an InternLM2 card wants, in config.json's names. */
const SHAPE = [
  'architectures',
  'vocab_size',
  'hidden_size',
  'num_hidden_layers',
  'num_attention_heads',
  'num_key_value_heads',
  'intermediate_size',
  'max_position_embeddings',
  'rope_theta',
  'torch_dtype',
];

/**
 * A model card (the README.md of an HF folder) written from lineage alone: what data went in,
 * how each training stage ran, and the evaluations recorded against the model or its GGUFs.
 */
export function renderModelCard({ chain, graph, graphRoot, architecture }: ModelCardInput): string {
  const nodes = flattenLineage(chain);
  const name = basename(chain.path) === 'hf' ? basename(join(chain.path, '..')) : basename(chain.path);
  const cwd = join(chain.path, '..');
  const rel = (p: string) => relative(cwd, p) || '.';
  const out: string[] = [
    '---',
    'library_name: transformers',
    'tags: [internlm2, puyu]',
    '---',
    '',
    `# ${name}`,
    '',
    'An InternLM2-architecture model (`config.json`, safetensors, SentencePiece tokenizer) made with Puyu.',
    'This card is generated from the lineage manifests (`lineage.json`) of the model and everything it was',
    'made from; `puyu lineage` prints the same chain.',
    '',
  ];
  const fromConfig = architecture && Object.fromEntries(SHAPE.filter((k) => k in architecture).map((k) => [k, architecture[k]]));
  const shape = fromConfig ?? (chain.manifest?.config as { model?: Record<string, unknown> } | undefined)?.model;
  if (shape) {
    out.push('## Architecture', '', '| field | value |', '|---|---|');
    for (const [k, v] of Object.entries(shape)) out.push(`| ${k} | ${Array.isArray(v) ? v.join(', ') : String(v)} |`);
    out.push('');
  }
  const trained = nodes.filter((n) => TRAINED.has(n.kind) && n.manifest);
  if (trained.length) {
    out.push('## Training', '', 'Newest first.', '', '| stage | command | figures |', '|---|---|---|');
    for (const n of trained) out.push(`| ${rel(n.path)} | \`${n.manifest?.command}\` | ${metricCells(n.manifest?.metrics)} |`);
    out.push('');
  }
  const data = nodes.filter((n) => DATA.has(n.kind));
  if (data.length) {
    out.push('## Data', '', '| artefact | kind | sha256 | made by | figures |', '|---|---|---|---|---|');
    for (const n of data)
      out.push(
        `| ${rel(n.path)} | ${n.kind} | \`${n.hash.slice(0, 12)}\` | ${n.manifest ? `\`${n.manifest.command}\`` : 'raw input'} | ${metricCells(n.manifest?.metrics)} |`,
      );
    out.push('');
  }
  if (graph && graphRoot) {
    const ownId = relative(graphRoot, chain.path) || '.';
    const made = descendants(graph, ownId);
    const evals = graph.nodes.filter((n) => n.kind === 'eval' && made.has(n.id) && n.metrics);
    if (evals.length) {
      out.push('## Evaluation', '', '| result | figures | command |', '|---|---|---|');
      for (const e of evals) out.push(`| ${e.id} | ${metricCells(e.metrics)} | \`${e.command}\` |`);
      out.push('');
    }
  }
  out.push('## Lineage', '', '```', formatLineage(chain, cwd), '```', '');
  return out.join('\n');
}

/** Traces an HF folder and writes its README.md; evaluations come from `runsRoot` when given. */
export async function writeModelCard(hfDir: string, runsRoot?: string): Promise<string> {
  const chain = await traceLineage(hfDir);
  const graph = runsRoot ? await lineageGraph(runsRoot) : undefined;
  const configPath = join(hfDir, 'config.json');
  const architecture = existsSync(configPath) ? (JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>) : undefined;
  const text = renderModelCard({ chain, graph, graphRoot: runsRoot ? resolve(runsRoot) : undefined, architecture });
  const path = join(hfDir, 'README.md');
  await writeFile(path, text);
  return path;
}
