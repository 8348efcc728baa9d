import { z } from '@hono/zod-openapi';

/**
 * The annotation data shapes (API.md): one set of zod schemas validates requests, imports and
 * stored JSON, and generates the OpenAPI document.
 */
export const RoleSchema = z.enum(['admin', 'annotator', 'reviewer']).openapi('Role');

export const QuestionSchema = z
  .object({
    id: z.string().min(1).max(100),
    scope: z.enum(['message', 'conversation']),
    kind: z.enum(['single', 'multiple', 'text']),
    title: z.string().max(2000),
    options: z.array(z.object({ value: z.string().max(200), label: z.string().max(2000) })).optional(),
    required: z.boolean().optional(),
  })
  .openapi('Question');
export type Question = z.infer<typeof QuestionSchema>;

export const IMAGE_TOOLS = ['rectangle', 'polygon', 'line', 'point', 'tag'] as const;

export const ProjectSchemaSchema = z
  .object({
    questions: z.array(QuestionSchema).default([]),
    ranking: z.object({ minCandidates: z.number().int().min(2).max(20) }).optional(),
    rewrite: z.boolean().optional(),
    labels: z.array(z.object({ name: z.string().min(1).max(200), color: z.string().max(50).optional() })).optional(),
    tools: z.array(z.enum(IMAGE_TOOLS)).optional(),
  })
  .openapi('Schema');
export type ProjectSchema = z.infer<typeof ProjectSchemaSchema>;

export const MessageSchema = z.object({ id: z.string().min(1), role: z.enum(['system', 'user', 'assistant']), content: z.string() });
export const CandidateSchema = z.object({ id: z.string().min(1), content: z.string(), source: z.string() });

const Point = z.tuple([z.number(), z.number()]);
export const ImageShapeSchema = z
  .discriminatedUnion('type', [
    z.object({
      id: z.string(),
      type: z.literal('rectangle'),
      label: z.string(),
      x: z.number(),
      y: z.number(),
      width: z.number().nonnegative(),
      height: z.number().nonnegative(),
    }),
    z.object({ id: z.string(), type: z.literal('polygon'), label: z.string(), points: z.array(Point).min(3) }),
    z.object({ id: z.string(), type: z.literal('line'), label: z.string(), points: z.array(Point).min(2) }),
    z.object({ id: z.string(), type: z.literal('point'), label: z.string(), x: z.number(), y: z.number() }),
    z.object({ id: z.string(), type: z.literal('tag'), label: z.string() }),
  ])
  .openapi('ImageShape');
export type ImageShape = z.infer<typeof ImageShapeSchema>;

export const DialogueDataSchema = z
  .object({
    kind: z.literal('dialogue'),
    messages: z.array(MessageSchema),
    candidates: z.array(CandidateSchema),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('DialogueData');
export type DialogueData = z.infer<typeof DialogueDataSchema>;

export const ImageDataSchema = z
  .object({
    kind: z.literal('image'),
    file: z.object({ sha256: z.string(), name: z.string(), mime: z.string(), width: z.number().int(), height: z.number().int() }),
    preAnnotations: z.array(ImageShapeSchema).optional(),
  })
  .openapi('ImageData');
export type ImageData = z.infer<typeof ImageDataSchema>;

export const ItemDataSchema = z.discriminatedUnion('kind', [DialogueDataSchema, ImageDataSchema]);
export type ItemData = z.infer<typeof ItemDataSchema>;

const Answer = z.union([z.string().max(100_000), z.array(z.string().max(200))]);
export const DialogueResultSchema = z
  .object({
    kind: z.literal('dialogue'),
    messageAnswers: z.record(z.string(), z.record(z.string(), Answer)).default({}),
    conversationAnswers: z.record(z.string(), Answer).default({}),
    ranking: z.array(z.string()).optional(),
    rewrite: z.object({ candidateId: z.string().optional(), content: z.string().max(200_000) }).optional(),
  })
  .openapi('DialogueResult');
export type DialogueResult = z.infer<typeof DialogueResultSchema>;

export const ImageResultSchema = z.object({ kind: z.literal('image'), shapes: z.array(ImageShapeSchema) }).openapi('ImageResult');
export type ImageResult = z.infer<typeof ImageResultSchema>;

export const AnnotationResultSchema = z.discriminatedUnion('kind', [DialogueResultSchema, ImageResultSchema]).openapi('AnnotationResult');
export type AnnotationResult = z.infer<typeof AnnotationResultSchema>;
