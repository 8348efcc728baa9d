import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { ConfigError } from '@puyu/core/errors';
import type { Command } from 'commander';
import { JSON_HELP, printJson } from '../json.js';
import { choiceOption, intOption, numberOption } from '../options.js';

interface StoreFlags {
  data: string;
  database?: string;
}

const ROLES = ['admin', 'annotator', 'reviewer'] as const;
const FORMATS = ['auto', 'labelllm', 'openai', 'xtuner', 'puyu'] as const;
const EXPORTS = ['raw', 'labels', 'audits', 'sft', 'dpo', 'coco', 'yolo', 'voc'] as const;

function storeOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'data folder: label.sqlite and the stored files', 'label-data')
    .option('--database <url>', 'postgres://… to keep the tables in PostgreSQL instead of SQLite');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Opens the store, runs `fn`, closes it (so a CLI run never leaves the database open). */
async function withStore<T>(
  o: StoreFlags,
  fn: (label: typeof import('@puyu/label'), db: import('@puyu/label').OpenedDatabase) => Promise<T>,
): Promise<T> {
  // loaded here, not at start-up: the label package pulls in SQLite, argon2 and Hono
  const label = await import('@puyu/label');
  const opened = await label.openDatabase(o.data, o.database);
  try {
    return await fn(label, opened);
  } finally {
    await opened.close();
  }
}

async function findProject(label: typeof import('@puyu/label'), db: import('@puyu/label').OpenedDatabase, ref: string) {
  const row = await db.db
    .selectFrom('projects')
    .select('id')
    .where((eb) => (/^\d+$/.test(ref) ? eb('id', '=', Number(ref)) : eb('name', '=', ref)))
    .executeTakeFirst();
  if (!row) throw new ConfigError('CLI_BAD_OPTION', `no labelling project ${JSON.stringify(ref)} (give its name or id)`);
  return label.getProject(db.db, row.id);
}

/** `puyu label …`: the labelling server and its admin commands (issue 15). */
export function registerLabelCommands(program: Command): void {
  const label = program.command('label').description('Labelling (LabelLLM dialogues, LabelU images): server, users, imports and exports');

  storeOptions(
    label
      .command('serve')
      .description('Serve the labelling API (/api/label, OpenAPI at /api/openapi.json)')
      .option('--port <port>', 'port (0 = any free port)', intOption('--port', { min: 0, max: 65535 }), 8090)
      .option('--host <host>', 'address to listen on', '127.0.0.1'),
  ).action(async (o: StoreFlags & { port: number; host: string }) => {
    const { startLabelServer } = await import('@puyu/label');
    const server = await startLabelServer({ dataDir: o.data, databaseUrl: o.database, port: o.port, host: o.host });
    console.log(
      `puyu label: serving ${server.url}/api/label (OpenAPI: ${server.url}/api/openapi.json), data in ${o.database ? 'PostgreSQL' : o.data}`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
  });

  const user = label.command('user').description('Labelling accounts');
  storeOptions(
    user
      .command('add')
      .description('Create a user, or set the role and password of an existing one; the password is read from stdin')
      .argument('<name>', 'user name')
      .requiredOption('--role <role>', 'admin, annotator or reviewer', choiceOption('--role', ROLES))
      .option('--json', JSON_HELP),
  ).action(async (name: string, o: StoreFlags & { role: (typeof ROLES)[number]; json?: boolean }) => {
    const password = (await readStdin()).replace(/\r?\n$/, '');
    await withStore(o, async (l, db) => {
      const u = await l.upsertUser(db.db, name, o.role, password);
      if (o.json) return printJson({ id: u.id, name: u.name, role: u.role });
      console.log(`puyu label: user ${u.name} (${u.role}), id ${u.id}`);
    });
  });

  storeOptions(
    label
      .command('project')
      .description('Create a labelling project')
      .argument('<name>', 'project name')
      .requiredOption('--kind <kind>', 'dialogue or image', choiceOption('--kind', ['dialogue', 'image'] as const))
      .option(
        '--schema <file>',
        'JSON file with the annotation schema (questions, ranking, rewrite, labels, tools; see packages/label/API.md)',
      )
      .option('--annotators <n>', 'annotators per item', intOption('--annotators', { min: 1, max: 50 }), 1)
      .option('--expiry <minutes>', 'minutes before an unsubmitted task goes back to the pool', intOption('--expiry', { min: 1 }), 60)
      .option('--json', JSON_HELP),
  ).action(
    async (
      name: string,
      o: StoreFlags & { kind: 'dialogue' | 'image'; schema?: string; annotators: number; expiry: number; json?: boolean },
    ) => {
      await withStore(o, async (l, db) => {
        const raw = o.schema ? JSON.parse(readFileSync(o.schema, 'utf8')) : { questions: [] };
        const schema = l.ProjectSchemaSchema.safeParse(raw);
        if (!schema.success)
          throw new ConfigError(
            'CLI_BAD_OPTION',
            `--schema ${o.schema}: ${schema.error.issues[0]?.path.join('.')} ${schema.error.issues[0]?.message}`,
          );
        const p = await l.createProject(db.db, {
          name,
          kind: o.kind,
          schema: schema.data,
          annotatorsPerItem: o.annotators,
          expiryMinutes: o.expiry,
        });
        if (o.json) return printJson({ id: p.id, name: p.name, kind: p.kind });
        console.log(`puyu label: project ${p.name} (${p.kind}), id ${p.id}`);
      });
    },
  );

  storeOptions(
    label
      .command('import')
      .description('Import dialogue JSONL (a file) or images (a folder, optionally with COCO or YOLO labels) into a project')
      .argument('<project>', 'project name or id')
      .argument('<path>', 'a .jsonl file, or a folder of images (with COCO annotations.json or YOLO classes.txt + labels/)')
      .option('--format <f>', 'dialogue format: auto, labelllm, openai, xtuner, puyu', choiceOption('--format', FORMATS), 'auto')
      .option('--json', JSON_HELP),
  ).action(async (ref: string, path: string, o: StoreFlags & { format: (typeof FORMATS)[number]; json?: boolean }) => {
    await withStore(o, async (l, db) => {
      const project = await findProject(l, db, ref);
      const { join } = await import('node:path');
      const report = statSync(path).isDirectory()
        ? await l.importImageEntries(db.db, new l.FileStore(join(o.data, 'files')), project, await l.readFolder(path))
        : await l.importDialogues(db.db, project, readFileSync(path, 'utf8'), o.format);
      for (const s of report.skipped) console.error(`puyu label: skipped${s.line ? ` line ${s.line}` : ''}: [${s.code}] ${s.reason}`);
      if (o.json) return printJson({ project: project.name, imported: report.imported, skipped: report.skipped });
      console.log(`puyu label: imported ${report.imported} items into ${project.name}, skipped ${report.skipped.length}`);
    });
  });

  storeOptions(
    label
      .command('preannotate')
      .description('Ask a model for candidate answers to rank, or a draft of the questions (resumable: items done are skipped)')
      .argument('<project>', 'project name or id')
      .requiredOption('--model <spec>', 'URL@model, e.g. http://127.0.0.1:8000@internlm2')
      .option('--mode <m>', 'candidates or draft', choiceOption('--mode', ['candidates', 'draft'] as const), 'candidates')
      .option('--count <n>', 'candidate answers per item', intOption('--count', { min: 1, max: 8 }), 1)
      .option('--temperature <t>', 'sampling temperature', numberOption('--temperature', { min: 0, max: 2 }))
      .option('--limit <n>', 'at most this many items', intOption('--limit'))
      .option('--json', JSON_HELP),
  ).action(
    async (
      ref: string,
      o: StoreFlags & { model: string; mode: 'candidates' | 'draft'; count: number; temperature?: number; limit?: number; json?: boolean },
    ) => {
      const { parseModelSpec } = await import('@puyu/client');
      const spec = parseModelSpec(o.model);
      if (spec.kind !== 'openai')
        throw new ConfigError('CLI_BAD_OPTION', '--model must be URL@model (pre-annotation talks to a running OpenAI-compatible server)');
      await withStore(o, async (l, db) => {
        const project = await findProject(l, db, ref);
        const r = await l.preannotate(db.db, project, {
          baseUrl: spec.baseUrl,
          model: spec.model,
          mode: o.mode,
          count: o.count,
          temperature: o.temperature,
          limit: o.limit,
          progress: true,
        });
        for (const f of r.failed) console.error(`puyu label: item ${f.itemId}: [${f.code}] ${f.reason}`);
        if (o.json) return printJson({ project: project.name, updated: r.updated, failed: r.failed });
        console.log(`puyu label: pre-annotated ${r.updated} items of ${project.name}, ${r.failed.length} failed`);
      });
    },
  );

  storeOptions(
    label
      .command('export')
      .description('Write an export of a project: raw, labels, audits, sft, dpo (dialogues); coco, yolo, voc (images)')
      .argument('<project>', 'project name or id')
      .requiredOption('--format <f>', EXPORTS.join(', '), choiceOption('--format', EXPORTS))
      .requiredOption('-o, --output <file>', 'file to write')
      .option('--json', JSON_HELP),
  ).action(async (ref: string, o: StoreFlags & { format: (typeof EXPORTS)[number]; output: string; json?: boolean }) => {
    await withStore(o, async (l, db) => {
      const project = await findProject(l, db, ref);
      const file = await l.exportProject(db.db, project, o.format);
      writeFileSync(o.output, file.body);
      // Training sets made from human labels: the database is not a file, so the project is in the config.
      if (o.format === 'sft' || o.format === 'dpo') {
        const { writeLineage } = await import('@puyu/core/lineage');
        await writeLineage(o.output, {
          kind: o.format === 'dpo' ? 'preference-set' : 'sft-data',
          config: { project: project.name, format: o.format },
        });
      }
      if (o.json) return printJson({ project: project.name, format: o.format, output: o.output, bytes: file.body.byteLength });
      console.log(`puyu label: wrote ${o.output} (${file.body.byteLength} bytes, ${o.format})`);
    });
  });
}
