// Lineage manifests: what each artefact is, the command that made it and its parents (manifest.ts);
// the chain back to raw inputs (trace.ts), the graph of a runs folder (graph.ts), model cards (modelCard.ts).
export { descendants, type LineageGraph, type LineageGraphNode, lineageGraph } from './graph.js';
export {
  type ArtefactDigest,
  type ArtefactKind,
  currentCommand,
  FILE_MANIFEST_SUFFIX,
  FOLDER_MANIFEST,
  hashArtefact,
  LINEAGE_SCHEMA,
  type LineageManifest,
  type LineageParent,
  type LineageSpec,
  manifestPathFor,
  readLineage,
  writeLineage,
} from './manifest.js';
export { type ModelCardInput, renderModelCard, writeModelCard } from './modelCard.js';
export { flattenLineage, formatLineage, type LineageNode, type LineageStatus, lineageProblems, traceLineage } from './trace.js';
