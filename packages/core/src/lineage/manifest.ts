import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { FormatError } from '../errors.js';

/**
 * Lineage: every artefact (corpus shard, tokenizer, checkpoint, HF folder, GGUF, eval result,
 * preference set) may carry a manifest saying what it is (content hash), how it was made
 * (command + config) and from what (its parents' paths and hashes). A file `X` has its manifest
 * in `X.lineage.json`; a folder has `lineage.json` inside it. Files without a manifest are the
 * raw inputs a chain starts from.
 */
export const LINEAGE_SCHEMA = 'puyu.lineage/1';
export const FOLDER_MANIFEST = 'lineage.json';
export const FILE_MANIFEST_SUFFIX = '.lineage.json';

/** Files a folder's content hash leaves out: its manifests and its model card (made from them). */
const DERIVED = (name: string) => name === FOLDER_MANIFEST || name === 'README.md' || name.endsWith(FILE_MANIFEST_SUFFIX);

export type ArtefactKind =
  | 'corpus'
  | 'tokenizer'
  | 'token-shard'
  | 'synthetic-corpus'
  | 'sft-data'
  | 'preference-set'
  | 'checkpoint'
  | 'hf-model'
  | 'gguf'
  | 'lora-adapter'
  | 'eval'
  | 'raw';

export interface LineageParent {
  /** Relative to the folder holding the manifest (absolute only across filesystems' roots). */
  path: string;
  hash: string;
  kind?: ArtefactKind;
}

export interface LineageManifest {
  schema: typeof LINEAGE_SCHEMA;
  kind: ArtefactKind;
  /** The artefact's own name (the file, or the folder). */
  name: string;
  /** sha256 of the file, or of a folder's sorted `path\0hash` lines (see hashArtefact). */
  hash: string;
  bytes: number;
  /** size:mtime:count, so a reader can trust `hash` without re-reading an unchanged artefact. */
  signature: string;
  created: string;
  /** The command line that made it, as a user would type it. */
  command: string;
  /** The resolved configuration the command ran with, when it had one. */
  config?: unknown;
  parents: LineageParent[];
  /** Figures that describe it: eval scores, final losses, kept-document counts. */
  metrics?: Record<string, number>;
}

export interface ArtefactDigest {
  hash: string;
  bytes: number;
  signature: string;
}

export function manifestPathFor(artefact: string, isDir: boolean): string {
  return isDir ? join(artefact, FOLDER_MANIFEST) : `${artefact}${FILE_MANIFEST_SUFFIX}`;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (e.isFile() && !DERIVED(e.name)) out.push(rel);
  }
  return out.sort();
}

function sha256File(path: string): Promise<string> {
  return new Promise((ok, fail) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (b) => h.update(b))
      .on('error', fail)
      .on('end', () => ok(h.digest('hex')));
  });
}

/** Size, newest mtime and file count: changes whenever a write lands, costs no reading. */
export async function artefactSignature(path: string): Promise<{ signature: string; isDir: boolean; files: string[] }> {
  const s = await stat(path);
  if (!s.isDirectory()) return { signature: `${s.size}:${Math.floor(s.mtimeMs)}:1`, isDir: false, files: [] };
  const files = await listFiles(path);
  let bytes = 0;
  let newest = 0;
  for (const f of files) {
    const fs = await stat(join(path, f));
    bytes += fs.size;
    newest = Math.max(newest, Math.floor(fs.mtimeMs));
  }
  return { signature: `${bytes}:${newest}:${files.length}`, isDir: true, files };
}

const digestCache = new Map<string, ArtefactDigest>();

/**
 * The content hash of a file, or of a folder: sha256 over its files' sorted `path\0sha256\n`
 * lines (manifests and README.md left out), so a folder copied elsewhere keeps its hash.
 */
export async function hashArtefact(path: string): Promise<ArtefactDigest & { isDir: boolean }> {
  const abs = resolve(path);
  const { signature, isDir, files } = await artefactSignature(abs);
  const key = `${abs}|${signature}`;
  const cached = digestCache.get(key);
  if (cached) return { ...cached, isDir };
  let hash: string;
  let bytes: number;
  if (!isDir) {
    hash = await sha256File(abs);
    bytes = Number(signature.split(':')[0]);
  } else {
    const h = createHash('sha256');
    bytes = 0;
    for (const f of files) {
      h.update(`${f}\0${await sha256File(join(abs, f))}\n`);
      bytes += (await stat(join(abs, f))).size;
    }
    hash = h.digest('hex');
  }
  const d = { hash, bytes, signature };
  digestCache.set(key, d);
  return { ...d, isDir };
}

export async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path)).isDirectory();
}

/** Reads an artefact's manifest, or undefined when it has none (a raw input). */
export async function readLineage(artefact: string): Promise<LineageManifest | undefined> {
  const path = manifestPathFor(artefact, await isDirectory(artefact));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let m: LineageManifest;
  try {
    m = JSON.parse(text) as LineageManifest;
  } catch {
    throw new FormatError(
      'FILE_LINEAGE_CORRUPT',
      `${path} is not JSON: delete it (the artefact then reads as a raw input) or re-run the command that made it.`,
    );
  }
  if (m.schema !== LINEAGE_SCHEMA || typeof m.hash !== 'string' || !Array.isArray(m.parents))
    throw new FormatError(
      'FILE_LINEAGE_CORRUPT',
      `${path} is not a ${LINEAGE_SCHEMA} manifest: delete it or re-run the command that made it.`,
    );
  return m;
}

export interface LineageSpec {
  kind: ArtefactKind;
  /** Defaults to the running process's command line (`puyu train sft recipe.json`). */
  command?: string;
  config?: unknown;
  /** Paths of the inputs; each is hashed now, so later changes to them show. */
  parents?: readonly (string | { path: string; kind?: ArtefactKind })[];
  metrics?: Record<string, number>;
}

/** The command line as typed: `puyu …` rather than the node binary and script paths. */
export function currentCommand(): string {
  const args = process.argv.slice(2).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`));
  return ['puyu', ...args].join(' ');
}

/**
 * Writes the manifest beside (or inside) an artefact, atomically. Call it once the artefact is
 * complete: its hash is taken now.
 */
export async function writeLineage(artefact: string, spec: LineageSpec): Promise<LineageManifest> {
  const abs = resolve(artefact);
  const own = await hashArtefact(abs);
  const home = own.isDir ? abs : dirname(abs);
  const parents: LineageParent[] = [];
  const seen = new Set<string>();
  for (const p of spec.parents ?? []) {
    const { path, kind } = typeof p === 'string' ? { path: p, kind: undefined } : p;
    const pabs = resolve(path);
    if (seen.has(pabs) || pabs === abs) continue;
    seen.add(pabs);
    const d = await hashArtefact(pabs);
    const rel = relative(home, pabs);
    parents.push({ path: isAbsolute(rel) ? pabs : rel || '.', hash: d.hash, ...(kind ? { kind } : {}) });
  }
  const m: LineageManifest = {
    schema: LINEAGE_SCHEMA,
    kind: spec.kind,
    name: basename(abs),
    hash: own.hash,
    bytes: own.bytes,
    signature: own.signature,
    created: new Date().toISOString(),
    command: spec.command ?? currentCommand(),
    ...(spec.config === undefined ? {} : { config: spec.config }),
    parents,
    ...(spec.metrics ? { metrics: spec.metrics } : {}),
  };
  const path = manifestPathFor(abs, own.isDir);
  await writeFile(`${path}.tmp`, `${JSON.stringify(m, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
  return m;
}

/** A parent's absolute path, from the manifest's folder. */
export function parentPath(artefact: string, isDir: boolean, p: LineageParent): string {
  return resolve(isDir ? artefact : dirname(artefact), p.path);
}
