import { createRoute, z } from '@hono/zod-openapi';
import { agreementOf } from '../agreementReport.js';
import { LabelError } from '../errors.js';
import { progressOf } from '../store/progress.js';
import {
  addMember,
  assertProjectAccess,
  createProject,
  getItem,
  listItems,
  listMembers,
  listProjects,
  removeMember,
  updateProject,
} from '../store/projects.js';
import { getUser } from '../store/users.js';
import { currentUser, type LabelContext, type LabelHono, requireRole } from './env.js';
import {
  ItemOut,
  ItemParam,
  jsonBody,
  jsonResponse,
  MemberParam,
  NewProjectIn,
  OkSchema,
  PatchProjectIn,
  ProjectOut,
  ProjectParam,
  UserSchema,
} from './schemas.js';

export function registerProjectRoutes(app: LabelHono, ctx: LabelContext): void {
  const tags = ['projects'];
  const one = z.object({ project: ProjectOut });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/projects',
      tags,
      summary: 'Projects the user can see',
      responses: jsonResponse(z.object({ projects: z.array(ProjectOut) }), 'projects'),
    }),
    async (c) => c.json({ projects: await listProjects(ctx.db, currentUser(c)) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/projects',
      tags,
      summary: 'Create a project (admin)',
      request: jsonBody(NewProjectIn),
      responses: jsonResponse(one, 'the project'),
    }),
    async (c) => {
      requireRole(c, 'admin');
      return c.json({ project: await createProject(ctx.db, c.req.valid('json')) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/projects/{projectId}',
      tags,
      summary: 'One project',
      request: { params: ProjectParam },
      responses: jsonResponse(one, 'the project'),
    }),
    async (c) => c.json({ project: await assertProjectAccess(ctx.db, currentUser(c), c.req.valid('param').projectId) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/projects/{projectId}',
      tags,
      summary: 'Change a project (admin)',
      request: { params: ProjectParam, ...jsonBody(PatchProjectIn) },
      responses: jsonResponse(one, 'the project'),
    }),
    async (c) => {
      requireRole(c, 'admin');
      return c.json({ project: await updateProject(ctx.db, c.req.valid('param').projectId, c.req.valid('json')) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/projects/{projectId}/members',
      tags,
      summary: 'Members (admin)',
      request: { params: ProjectParam },
      responses: jsonResponse(z.object({ members: z.array(z.object({ user: UserSchema, role: z.string() })) }), 'members'),
    }),
    async (c) => {
      requireRole(c, 'admin');
      const users = await listMembers(ctx.db, c.req.valid('param').projectId);
      return c.json({ members: users.map((user) => ({ user, role: user.role })) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/projects/{projectId}/members/{userId}',
      tags,
      summary: 'Add a member (admin)',
      request: { params: MemberParam },
      responses: jsonResponse(OkSchema, 'added'),
    }),
    async (c) => {
      requireRole(c, 'admin');
      const { projectId, userId } = c.req.valid('param');
      await getUser(ctx.db, userId);
      await addMember(ctx.db, projectId, userId);
      return c.json({ ok: true as const }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/projects/{projectId}/members/{userId}',
      tags,
      summary: 'Remove a member (admin)',
      request: { params: MemberParam },
      responses: jsonResponse(OkSchema, 'removed'),
    }),
    async (c) => {
      requireRole(c, 'admin');
      const { projectId, userId } = c.req.valid('param');
      await removeMember(ctx.db, projectId, userId);
      return c.json({ ok: true as const }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/projects/{projectId}/items',
      tags,
      summary: 'Items of a project, paged',
      request: {
        params: ProjectParam,
        query: z.object({ offset: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(500).default(50) }),
      },
      responses: jsonResponse(z.object({ items: z.array(ItemOut), total: z.number().int() }), 'items'),
    }),
    async (c) => {
      const user = currentUser(c);
      const { projectId } = c.req.valid('param');
      await assertProjectAccess(ctx.db, user, projectId);
      if (user.role === 'annotator') throw new LabelError('LABEL_FORBIDDEN', 'annotators see items through their tasks');
      const { offset, limit } = c.req.valid('query');
      return c.json(await listItems(ctx.db, projectId, offset, limit), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/items/{itemId}',
      tags,
      summary: 'One item',
      request: { params: ItemParam },
      responses: jsonResponse(z.object({ item: ItemOut }), 'the item'),
    }),
    async (c) => {
      const item = await getItem(ctx.db, c.req.valid('param').itemId);
      await assertProjectAccess(ctx.db, currentUser(c), item.projectId);
      return c.json({ item }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/projects/{projectId}/progress',
      tags,
      summary: 'Progress counts',
      request: { params: ProjectParam },
      responses: jsonResponse(
        z.object({
          items: z.number().int(),
          tasks: z.record(z.string(), z.number().int()),
          reviewed: z.object({ approved: z.number().int(), rejected: z.number().int() }),
          complete: z.number().int(),
          perUser: z.array(
            z.object({
              userId: z.number().int(),
              name: z.string(),
              submitted: z.number().int(),
              approved: z.number().int(),
              rejected: z.number().int(),
            }),
          ),
        }),
        'progress',
      ),
    }),
    async (c) => {
      const { projectId } = c.req.valid('param');
      const project = await assertProjectAccess(ctx.db, currentUser(c), projectId);
      return c.json(await progressOf(ctx.db, project), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/projects/{projectId}/agreement',
      tags,
      summary: "Inter-annotator agreement (Cohen's, Fleiss' kappa, Kendall's tau)",
      request: { params: ProjectParam },
      responses: jsonResponse(
        z.object({
          questions: z.array(
            z.object({
              questionId: z.string(),
              scope: z.string(),
              cohen: z.array(z.object({ a: z.string(), b: z.string(), kappa: z.number().nullable(), n: z.number().int() })),
              fleiss: z.number().nullable(),
              n: z.number().int(),
            }),
          ),
          ranking: z.object({ kendallTau: z.number().nullable(), pairs: z.number().int() }),
        }),
        'agreement',
      ),
    }),
    async (c) => {
      requireRole(c, 'admin', 'reviewer');
      const { projectId } = c.req.valid('param');
      const project = await assertProjectAccess(ctx.db, currentUser(c), projectId);
      return c.json(await agreementOf(ctx.db, project), 200);
    },
  );
}
