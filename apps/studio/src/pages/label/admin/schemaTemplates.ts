import type { Schema } from '../types';

/** What a new project's schema box starts with, per kind: a working example to edit. */
export const SCHEMA_TEMPLATES: Record<'dialogue' | 'image', Schema> = {
  dialogue: {
    questions: [
      {
        id: 'correct',
        scope: 'message',
        kind: 'single',
        title: 'Is this answer correct?',
        options: [
          { value: 'yes', label: 'Yes' },
          { value: 'no', label: 'No' },
          { value: 'unsure', label: 'Unsure' },
        ],
      },
      {
        id: 'issues',
        scope: 'conversation',
        kind: 'multiple',
        title: 'Issues',
        options: [
          { value: 'wrong', label: 'Factually wrong' },
          { value: 'unsafe', label: 'Unsafe' },
          { value: 'style', label: 'Poor style' },
        ],
      },
      { id: 'note', scope: 'conversation', kind: 'text', title: 'Note' },
    ],
    ranking: { minCandidates: 2 },
    rewrite: true,
  },
  image: {
    questions: [],
    labels: [{ name: 'object' }, { name: 'person' }, { name: 'background' }],
    tools: ['rectangle', 'polygon', 'line', 'point', 'tag'],
  },
};

/** A schema typed into the box: its JSON and the few rules a page can check before the server does. */
export function parseSchema(text: string): { schema?: Schema; error?: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { error: (e as Error).message };
  }
  if (!v || typeof v !== 'object' || !Array.isArray((v as Schema).questions)) return { error: '"questions" must be an array' };
  const ids = (v as Schema).questions.map((q) => q?.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined) return { error: `question id "${dup}" is used twice` };
  return { schema: v as Schema };
}
