import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { type ArtefactKind, hashArtefact, isDirectory, type LineageManifest, parentPath, readLineage } from './manifest.js';

/**
 * - `recorded`: it has a manifest and is unchanged since;
 * - `changed`: its content no longer has the manifest's hash;
 * - `raw`: no manifest (a raw input, where the chain starts);
 * - `missing`: the path is gone.
 */
export type LineageStatus = 'recorded' | 'changed' | 'raw' | 'missing';

export interface LineageNode {
  path: string;
  kind: ArtefactKind;
  status: LineageStatus;
  /** Its hash now (the manifest's when unchanged); empty when missing. */
  hash: string;
  manifest?: LineageManifest;
  /** The hash its child recorded, when that differs from `hash`: the parent changed after. */
  recordedHash?: string;
  /** Set on a node already printed higher up (a DAG: the tokenizer feeds pretraining and SFT). */
  repeat?: boolean;
  parents: LineageNode[];
}

/** Follows manifests from an artefact back to its raw inputs. */
export async function traceLineage(artefact: string): Promise<LineageNode> {
  const seen = new Set<string>();
  const visit = async (path: string, recordedHash?: string, recordedKind?: ArtefactKind): Promise<LineageNode> => {
    if (!existsSync(path)) return { path, kind: recordedKind ?? 'raw', status: 'missing', hash: '', parents: [] };
    const isDir = await isDirectory(path);
    const manifest = await readLineage(path);
    const now = await hashArtefact(path);
    const node: LineageNode = {
      path,
      kind: manifest?.kind ?? recordedKind ?? 'raw',
      status: manifest ? (manifest.hash === now.hash ? 'recorded' : 'changed') : 'raw',
      hash: now.hash,
      ...(manifest ? { manifest } : {}),
      ...(recordedHash && recordedHash !== now.hash ? { recordedHash } : {}),
      parents: [],
    };
    if (seen.has(path)) return { ...node, repeat: true };
    seen.add(path);
    for (const p of manifest?.parents ?? []) node.parents.push(await visit(parentPath(path, isDir, p), p.hash, p.kind));
    return node;
  };
  return visit(resolve(artefact));
}

/** Every node of a traced chain, each once, parents after children. */
export function flattenLineage(root: LineageNode): LineageNode[] {
  const out: LineageNode[] = [];
  const walk = (n: LineageNode) => {
    if (n.repeat) return;
    out.push(n);
    for (const p of n.parents) walk(p);
  };
  walk(root);
  return out;
}

function describe(n: LineageNode, cwd: string): string {
  const where = relative(cwd, n.path) || '.';
  const hash = n.hash ? n.hash.slice(0, 12) : '-';
  const notes: string[] = [];
  if (n.status === 'changed') notes.push('CHANGED since its manifest was written');
  if (n.status === 'missing') notes.push('MISSING');
  if (n.recordedHash) notes.push(`changed since its child was made (was ${n.recordedHash.slice(0, 12)})`);
  const made = n.repeat ? '  (see above)' : n.manifest ? `  ← ${n.manifest.command}` : n.status === 'raw' ? '  (raw input)' : '';
  return `${where}  [${n.kind} ${hash}]${made}${notes.length ? `  !! ${notes.join('; ')}` : ''}`;
}

/** The chain as an indented tree, the artefact first and its raw inputs at the leaves. */
export function formatLineage(root: LineageNode, cwd = process.cwd()): string {
  const lines: string[] = [describe(root, cwd)];
  const walk = (n: LineageNode, indent: string) => {
    n.parents.forEach((p, i) => {
      const last = i === n.parents.length - 1;
      lines.push(`${indent}${last ? '└─ ' : '├─ '}${describe(p, cwd)}`);
      if (!p.repeat) walk(p, `${indent}${last ? '   ' : '│  '}`);
    });
  };
  walk(root, '');
  return lines.join('\n');
}

/** Problems a user should know about: changed or missing artefacts anywhere in the chain. */
export function lineageProblems(root: LineageNode): string[] {
  return flattenLineage(root).flatMap((n) => [
    ...(n.status === 'changed' ? [`${n.path} changed after its manifest was written`] : []),
    ...(n.status === 'missing' ? [`${n.path} is missing`] : []),
    ...(n.recordedHash ? [`${n.path} changed after an artefact made from it`] : []),
  ]);
}
