import { z } from '@hono/zod-openapi';
import { AnnotationResultSchema, ItemDataSchema, ProjectSchemaSchema, RoleSchema } from '../shapes.js';

/** Request and response schemas of the REST API (API.md); the OpenAPI document is generated from them. */
export const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).openapi('Error');
export const OkSchema = z.object({ ok: z.literal(true) });

export const UserSchema = z.object({ id: z.number().int(), name: z.string(), role: RoleSchema, disabled: z.boolean() }).openapi('User');
export const SessionSchema = z.object({ user: UserSchema, csrfToken: z.string() }).openapi('Session');

export const ProjectOut = z
  .object({
    id: z.number().int(),
    name: z.string(),
    kind: z.enum(['dialogue', 'image']),
    description: z.string(),
    schema: ProjectSchemaSchema,
    annotatorsPerItem: z.number().int(),
    expiryMinutes: z.number().int(),
    createdAt: z.string(),
  })
  .openapi('Project');

export const NewProjectIn = z.object({
  name: z.string().min(1).max(200),
  kind: z.enum(['dialogue', 'image']),
  description: z.string().max(10_000).optional(),
  schema: ProjectSchemaSchema,
  annotatorsPerItem: z.number().int().min(1).max(50).optional(),
  expiryMinutes: z.number().int().min(1).max(100_000).optional(),
});
export const PatchProjectIn = NewProjectIn.omit({ kind: true }).partial();

export const ItemOut = z
  .object({
    id: z.number().int(),
    projectId: z.number().int(),
    key: z.string(),
    kind: z.enum(['dialogue', 'image']),
    data: ItemDataSchema,
    preAnnotation: z.unknown(),
    createdAt: z.string(),
  })
  .openapi('Item');

export const TaskOut = z
  .object({
    id: z.number().int(),
    projectId: z.number().int(),
    itemId: z.number().int(),
    userId: z.number().int(),
    status: z.enum(['assigned', 'submitted', 'expired', 'skipped']),
    expiresAt: z.string(),
    version: z.number().int(),
    result: AnnotationResultSchema.nullable(),
    submittedAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi('Task');

export const ReviewOut = z
  .object({
    id: z.number().int(),
    taskId: z.number().int(),
    reviewerId: z.number().int(),
    verdict: z.enum(['approved', 'rejected']),
    comment: z.string(),
    result: AnnotationResultSchema.nullable(),
    createdAt: z.string(),
  })
  .openapi('Review');

export const SkippedOut = z.object({ line: z.number().int(), code: z.string(), reason: z.string() });
export const ImportReportOut = z.object({ imported: z.number().int(), skipped: z.array(SkippedOut) }).openapi('ImportReport');

const id = (name: string) =>
  z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name, in: 'path' }, example: 1 });
export const ProjectParam = z.object({ projectId: id('projectId') });
export const UserParam = z.object({ userId: id('userId') });
export const MemberParam = z.object({ projectId: id('projectId'), userId: id('userId') });
export const ItemParam = z.object({ itemId: id('itemId') });
export const TaskParam = z.object({ taskId: id('taskId') });
export const FileParam = z.object({
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .openapi({ param: { name: 'sha256', in: 'path' } }),
});

/** A JSON body that must be sent (zod-openapi then rejects a request with another content type). */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { required: true, content: { 'application/json': { schema } } } } as const;
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { 200: { description, content: { 'application/json': { schema } } } } as const;
}
