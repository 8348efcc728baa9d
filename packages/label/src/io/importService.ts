import type { Kysely } from 'kysely';
import type { LabelDatabase } from '../db/schema.js';
import { LabelError } from '../errors.js';
import { insertItems, type Project } from '../store/projects.js';
import { importAnnotations } from './exportRecords.js';
import { type DialogueFormat, parseDialogueJsonl, type SkippedLine } from './importDialogues.js';

export interface ImportReport {
  imported: number;
  skipped: SkippedLine[];
}

/** Parses dialogue JSONL and stores the new items (and, for puyu labels/audits exports, their annotations) in one transaction. */
export async function importDialogues(
  db: Kysely<LabelDatabase>,
  project: Project,
  jsonl: string,
  format: DialogueFormat,
): Promise<ImportReport> {
  if (project.kind !== 'dialogue')
    throw new LabelError('LABEL_BAD_IMPORT', `project ${project.id} is an image project: upload images instead`);
  const { dialogues, skipped } = parseDialogueJsonl(jsonl, format);
  let imported = 0;
  await db.transaction().execute(async (trx) => {
    for (const d of dialogues) {
      const n = await insertItems(trx, project.id, [d]);
      imported += n;
      // Same key as an item already in the project (a re-import): kept as it was, and said so.
      if (n === 0)
        skipped.push({
          line: d.line,
          code: 'LABEL_DUPLICATE',
          reason: `an item with key ${JSON.stringify(d.key)} is already in the project; left as it was`,
        });
      if (n === 0 || !d.annotations?.length) continue;
      const row = await trx
        .selectFrom('items')
        .select('id')
        .where('project_id', '=', project.id)
        .where('key', '=', d.key)
        .executeTakeFirstOrThrow();
      await importAnnotations(trx, project.id, row.id, d.annotations);
    }
  });
  return { imported, skipped: skipped.sort((a, b) => a.line - b.line) };
}
