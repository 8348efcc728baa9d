import { LabelError } from '../errors.js';
import type { AnnotationResult, DialogueData, Question } from '../shapes.js';
import type { Item, Project } from './projects.js';

const bad = (m: string) => new LabelError('LABEL_BAD_REQUEST', m);

/**
 * Checks an annotation against its project's schema and item: the kind matches, answers name
 * known questions with allowed options, a ranking orders exactly the item's candidates, a rewrite
 * names a real candidate, and (on submit) required questions are answered.
 */
export function checkResult(project: Project, item: Item, result: AnnotationResult, submit: boolean): void {
  if (result.kind !== project.kind) throw bad(`project ${project.id} takes ${project.kind} annotations, not ${result.kind}`);
  if (result.kind === 'image') {
    const labels = project.schema.labels?.map((l) => l.name);
    const tools = project.schema.tools;
    for (const s of result.shapes) {
      if (labels && !labels.includes(s.label))
        throw bad(`shape ${s.id} has label ${JSON.stringify(s.label)}, not one of the project's labels`);
      if (tools && !tools.includes(s.type)) throw bad(`shape ${s.id} uses the ${s.type} tool, which the project does not enable`);
    }
    return;
  }
  const data = item.data as DialogueData;
  const questions = new Map(project.schema.questions.map((q) => [q.id, q]));
  const targets = new Set([...data.messages.filter((m) => m.role === 'assistant').map((m) => m.id), ...data.candidates.map((c) => c.id)]);
  for (const [target, answers] of Object.entries(result.messageAnswers)) {
    if (!targets.has(target))
      throw bad(`messageAnswers names ${JSON.stringify(target)}, which is no assistant message or candidate of item ${item.id}`);
    for (const [qid, a] of Object.entries(answers)) checkAnswer(questions.get(qid), qid, a, 'message');
  }
  for (const [qid, a] of Object.entries(result.conversationAnswers)) checkAnswer(questions.get(qid), qid, a, 'conversation');
  const ids = data.candidates.map((c) => c.id);
  if (result.ranking) {
    const sorted = [...result.ranking].sort();
    if (sorted.length !== ids.length || sorted.some((id, i) => id !== [...ids].sort()[i]))
      throw bad(`the ranking must order each of the item's candidates (${ids.join(', ')}) exactly once`);
  }
  if (result.rewrite?.candidateId !== undefined && !ids.includes(result.rewrite.candidateId))
    throw bad(`rewrite names candidate ${JSON.stringify(result.rewrite.candidateId)}, which item ${item.id} does not have`);
  if (!submit) return;
  for (const q of project.schema.questions) {
    if (!q.required) continue;
    if (q.scope === 'conversation' && !(q.id in result.conversationAnswers)) throw bad(`question ${q.id} is required`);
  }
  if (project.schema.ranking && ids.length >= 2 && !result.ranking) throw bad('this project asks for a ranking of the candidates');
}

function checkAnswer(q: Question | undefined, id: string, a: string | string[], scope: 'message' | 'conversation'): void {
  if (!q) throw bad(`no question ${JSON.stringify(id)} in the project schema`);
  if (q.scope !== scope) throw bad(`question ${id} is ${q.scope}-level, not ${scope}-level`);
  const allowed = q.options?.map((o) => o.value);
  if (q.kind === 'text') {
    if (typeof a !== 'string') throw bad(`question ${id} takes text`);
  } else if (q.kind === 'single') {
    if (typeof a !== 'string' || (allowed && !allowed.includes(a))) throw bad(`question ${id} takes one of ${allowed?.join(', ')}`);
  } else if (!Array.isArray(a) || (allowed && a.some((v) => !allowed.includes(v)))) {
    throw bad(`question ${id} takes a list of ${allowed?.join(', ')}`);
  }
}
