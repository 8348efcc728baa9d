import type { Kysely } from 'kysely';
import type { LabelDatabase } from '../db/schema.js';
import { LabelError } from '../errors.js';
import type { Project } from '../store/projects.js';
import { loadProjectRecords, recordLine } from './exportRecords.js';
import { cocoExport, vocZip, yoloZip } from './imageExports.js';
import { dpoLines, sftLine } from './trainingExports.js';

export const EXPORT_FORMATS = ['raw', 'labels', 'audits', 'sft', 'dpo', 'coco', 'yolo', 'voc'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportFile {
  filename: string;
  contentType: string;
  body: Uint8Array;
}

const NDJSON = 'application/x-ndjson; charset=utf-8';
const lines = (ls: string[]) => new TextEncoder().encode(ls.map((l) => `${l}\n`).join(''));

/** Builds one export file of a project (API.md, Exports). Deterministic: the same database gives the same bytes. */
export async function exportProject(db: Kysely<LabelDatabase>, project: Project, format: ExportFormat): Promise<ExportFile> {
  const dialogueOnly = format === 'sft' || format === 'dpo';
  const imageOnly = format === 'coco' || format === 'yolo' || format === 'voc';
  if ((dialogueOnly && project.kind !== 'dialogue') || (imageOnly && project.kind !== 'image'))
    throw new LabelError(
      'LABEL_BAD_EXPORT',
      `the ${format} export is for ${dialogueOnly ? 'dialogue' : 'image'} projects; project ${project.id} is ${project.kind}`,
    );
  const records = await loadProjectRecords(db, project.id);
  const base = `${project.name.replace(/[^\p{L}\p{N}_.-]+/gu, '_')}-${format}`;
  switch (format) {
    case 'raw':
    case 'labels':
    case 'audits':
      return { filename: `${base}.jsonl`, contentType: NDJSON, body: lines(records.map((r) => recordLine(r, format))) };
    case 'sft':
      return { filename: `${base}.jsonl`, contentType: NDJSON, body: lines(records.flatMap((r) => sftLine(r) ?? [])) };
    case 'dpo':
      return { filename: `${base}.jsonl`, contentType: NDJSON, body: lines(records.flatMap(dpoLines)) };
    case 'coco':
      return {
        filename: `${base}.json`,
        contentType: 'application/json; charset=utf-8',
        body: new TextEncoder().encode(JSON.stringify(cocoExport(project, records))),
      };
    case 'yolo':
      return { filename: `${base}.zip`, contentType: 'application/zip', body: await yoloZip(project, records) };
    case 'voc':
      return { filename: `${base}.zip`, contentType: 'application/zip', body: await vocZip(project, records) };
  }
}
