import { createRoute, z } from '@hono/zod-openapi';
import { LabelError } from '../errors.js';
import { EXPORT_FORMATS, exportProject } from '../io/exportProject.js';
import { DIALOGUE_FORMATS, type DialogueFormat } from '../io/importDialogues.js';
import { type ImportEntry, importImageEntries, readZip } from '../io/importImages.js';
import { importDialogues } from '../io/importService.js';
import { preannotate } from '../preannotate.js';
import { assertProjectAccess } from '../store/projects.js';
import { currentUser, type LabelContext, type LabelHono, requireRole } from './env.js';
import { FileParam, ImportReportOut, jsonBody, jsonResponse, ProjectParam } from './schemas.js';

export function registerDataRoutes(app: LabelHono, ctx: LabelContext): void {
  const tags = ['data'];
  app.openapi(
    createRoute({
      method: 'post',
      path: '/projects/{projectId}/import',
      tags,
      summary: 'Import dialogue JSONL (LabelLLM, OpenAI messages, XTuner conversation, puyu export) (admin)',
      request: {
        params: ProjectParam,
        ...jsonBody(
          z.object({ format: z.enum(DIALOGUE_FORMATS as [DialogueFormat, ...DialogueFormat[]]).default('auto'), jsonl: z.string() }),
        ),
      },
      responses: jsonResponse(ImportReportOut, 'how many items were imported and which lines were skipped'),
    }),
    async (c) => {
      requireRole(c, 'admin');
      const project = await assertProjectAccess(ctx.db, currentUser(c), c.req.valid('param').projectId);
      const b = c.req.valid('json');
      return c.json(await importDialogues(ctx.db, project, b.jsonl, b.format), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/projects/{projectId}/images',
      tags,
      summary: 'Upload images (file parts) or one zip archive, with optional COCO/YOLO pre-annotations (admin)',
      request: {
        params: ProjectParam,
        body: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: z.object({
                file: z.any().optional().openapi({ type: 'string', format: 'binary' }),
                archive: z.any().optional().openapi({ type: 'string', format: 'binary' }),
              }),
            },
          },
        },
      },
      responses: jsonResponse(ImportReportOut, 'imported images and skipped entries'),
    }),
    async (c) => {
      requireRole(c, 'admin');
      const project = await assertProjectAccess(ctx.db, currentUser(c), c.req.valid('param').projectId);
      const form = await c.req.parseBody({ all: true });
      const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((f): f is File => f instanceof File);
      const entries: ImportEntry[] = [];
      let unsafe: string[] = [];
      for (const f of list(form.file)) entries.push({ name: f.name.replace(/^.*[\\/]/, ''), bytes: new Uint8Array(await f.arrayBuffer()) });
      const archives = list(form.archive);
      if (archives.length > 1) throw new LabelError('LABEL_BAD_IMPORT', 'send one archive per request');
      if (archives[0]) {
        const zipped = await readZip(new Uint8Array(await archives[0].arrayBuffer()), ctx.maxBodyBytes * 4);
        entries.push(...zipped.entries);
        unsafe = zipped.unsafe;
      }
      if (entries.length === 0 && unsafe.length === 0)
        throw new LabelError('LABEL_BAD_IMPORT', 'send image "file" parts or one "archive" part');
      return c.json(await importImageEntries(ctx.db, ctx.files, project, entries, unsafe), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/files/{sha256}',
      tags,
      summary: 'A stored image (members of a project that uses it)',
      request: { params: FileParam },
      responses: {
        200: { description: 'the image bytes', content: { 'image/*': { schema: z.any().openapi({ type: 'string', format: 'binary' }) } } },
      },
    }),
    async (c) => {
      const user = currentUser(c);
      const { sha256 } = c.req.valid('param');
      const file = await ctx.db.selectFrom('files').selectAll().where('sha256', '=', sha256).executeTakeFirst();
      if (!file) throw new LabelError('LABEL_NOT_FOUND', `no stored file ${sha256}`);
      if (user.role !== 'admin') {
        const used = await ctx.db
          .selectFrom('items')
          .innerJoin('members', 'members.project_id', 'items.project_id')
          .select('items.id')
          .where('members.user_id', '=', user.id)
          .where('items.kind', '=', 'image')
          .where('items.data', 'like', `%${sha256}%`)
          .executeTakeFirst();
        if (!used) throw new LabelError('LABEL_FORBIDDEN', 'this file belongs to a project you are not a member of');
      }
      const bytes = await ctx.files.get(sha256);
      return c.body(new Uint8Array(bytes), 200, {
        'Content-Type': file.mime,
        'Content-Security-Policy': "default-src 'none'",
        'Cache-Control': 'private, max-age=86400',
      });
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/projects/{projectId}/export',
      tags,
      summary: 'Download an export (admin/reviewer)',
      request: { params: ProjectParam, query: z.object({ format: z.enum(EXPORT_FORMATS) }) },
      responses: {
        200: {
          description: 'the export file (JSONL, JSON or zip)',
          content: { 'application/octet-stream': { schema: z.any().openapi({ type: 'string', format: 'binary' }) } },
        },
      },
    }),
    async (c) => {
      requireRole(c, 'admin', 'reviewer');
      const project = await assertProjectAccess(ctx.db, currentUser(c), c.req.valid('param').projectId);
      const file = await exportProject(ctx.db, project, c.req.valid('query').format);
      return c.body(file.body as Uint8Array<ArrayBuffer>, 200, {
        'Content-Type': file.contentType,
        'Content-Disposition': `attachment; filename="${file.filename.replace(/"/g, '')}"`,
      });
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/projects/{projectId}/preannotate',
      tags,
      summary: 'Model pre-annotation through an OpenAI-compatible endpoint (admin)',
      request: {
        params: ProjectParam,
        ...jsonBody(
          z.object({
            baseUrl: z.string().url(),
            model: z.string().min(1),
            apiKey: z.string().optional(),
            mode: z.enum(['candidates', 'draft']),
            count: z.number().int().min(1).max(8).optional(),
            temperature: z.number().min(0).max(2).optional(),
            limit: z.number().int().min(1).optional(),
          }),
        ),
      },
      responses: jsonResponse(
        z.object({
          updated: z.number().int(),
          failed: z.array(z.object({ itemId: z.number().int(), code: z.string(), reason: z.string() })),
        }),
        'report',
      ),
    }),
    async (c) => {
      requireRole(c, 'admin');
      const project = await assertProjectAccess(ctx.db, currentUser(c), c.req.valid('param').projectId);
      return c.json(await preannotate(ctx.db, project, c.req.valid('json')), 200);
    },
  );
}
