import { createRoute, z } from '@hono/zod-openapi';
import { AnnotationResultSchema } from '../shapes.js';
import { listTasks, nextReview, nextTask, releaseTask, reviewTask, saveTask, skipTask } from '../store/tasks.js';
import { currentUser, type LabelContext, type LabelHono } from './env.js';
import { ItemOut, jsonBody, jsonResponse, ProjectParam, ReviewOut, TaskOut, TaskParam } from './schemas.js';

export function registerTaskRoutes(app: LabelHono, ctx: LabelContext): void {
  const tags = ['tasks'];
  // lastReview: the latest review of a task a reviewer sent back, so the annotator sees the comment
  const next = z.union([z.object({ task: TaskOut, item: ItemOut, lastReview: ReviewOut.optional() }), z.object({ task: z.null() })]);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/projects/{projectId}/tasks/next',
      tags,
      summary: 'The open task of the annotator, or a newly assigned one',
      request: { params: ProjectParam },
      responses: jsonResponse(next, 'a task and its item, or task: null when nothing is left'),
    }),
    async (c) => c.json((await nextTask(ctx.db, currentUser(c), c.req.valid('param').projectId)) ?? { task: null }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/projects/{projectId}/tasks',
      tags,
      summary: "Tasks of a project (annotators: their own; mine=1: one's own)",
      request: { params: ProjectParam, query: z.object({ mine: z.enum(['0', '1']).optional() }) },
      responses: jsonResponse(z.object({ tasks: z.array(TaskOut) }), 'tasks'),
    }),
    async (c) =>
      c.json({ tasks: await listTasks(ctx.db, currentUser(c), c.req.valid('param').projectId, c.req.valid('query').mine === '1') }, 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/tasks/{taskId}',
      tags,
      summary: 'Save (submit: false) or submit an annotation; version is the optimistic lock',
      request: {
        params: TaskParam,
        ...jsonBody(z.object({ version: z.number().int().min(1), result: AnnotationResultSchema, submit: z.boolean() })),
      },
      responses: jsonResponse(z.object({ task: TaskOut }), 'the task at its new version'),
    }),
    async (c) => c.json({ task: await saveTask(ctx.db, currentUser(c), c.req.valid('param').taskId, c.req.valid('json')) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/tasks/{taskId}/skip',
      tags,
      summary: 'Give the item back to the pool',
      request: { params: TaskParam },
      responses: jsonResponse(z.object({ task: TaskOut }), 'the task'),
    }),
    async (c) => c.json({ task: await skipTask(ctx.db, currentUser(c), c.req.valid('param').taskId) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/tasks/{taskId}/release',
      tags,
      summary: 'Reassign: expire an open task now so its item goes back to the pool (admin)',
      request: { params: TaskParam },
      responses: jsonResponse(z.object({ task: TaskOut }), 'the expired task'),
    }),
    async (c) => c.json({ task: await releaseTask(ctx.db, currentUser(c), c.req.valid('param').taskId) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/projects/{projectId}/reviews/next',
      tags: ['review'],
      summary: 'The next submitted task to review (reviewer/admin)',
      request: { params: ProjectParam },
      responses: jsonResponse(
        z.union([z.object({ task: TaskOut, item: ItemOut, annotator: z.string() }), z.object({ task: z.null() })]),
        "a task, its item and its annotator's name, or task: null",
      ),
    }),
    async (c) => c.json((await nextReview(ctx.db, currentUser(c), c.req.valid('param').projectId)) ?? { task: null }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/tasks/{taskId}/review',
      tags: ['review'],
      summary: 'Approve or reject a submitted task (reviewer/admin)',
      request: {
        params: TaskParam,
        ...jsonBody(
          z.object({
            verdict: z.enum(['approved', 'rejected']),
            comment: z.string().max(10_000).optional(),
            result: AnnotationResultSchema.optional(),
          }),
        ),
      },
      responses: jsonResponse(z.object({ review: ReviewOut }), 'the review'),
    }),
    async (c) => c.json({ review: await reviewTask(ctx.db, currentUser(c), c.req.valid('param').taskId, c.req.valid('json')) }, 200),
  );
}
