import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ErrorState, Loading, QueryView } from '../../components/States';
import { fromApiShape, TOOL_OF_API, toApiShape } from './canvas/apiShapes';
import type { Shape } from './canvas/shapes';
import { DialogueView } from './dialogue/DialogueView';
import { draftAnswers } from './dialogue/model';
import { api, fileUrl } from './labelApi';
import { MyTasks } from './MyTasks';
import type { AnnotationResult, DialogueResult, ImageData, Item, Project, Schema, Task } from './types';

// Konva is loaded only when an image task shows (it is most of the labelling pages' weight)
const ImageCanvas = lazy(() => import('./canvas/ImageCanvas').then((m) => ({ default: m.ImageCanvas })));

/** The item with what a model drafted for it (`draft` pre-annotation), if anything. */
type PreItem = Item & { preAnnotation?: { source?: string; conversationAnswers?: unknown } | null };
/** The latest review of a task a reviewer sent back (GET tasks/next carries it). */
type LastReview = { verdict: 'approved' | 'rejected'; comment: string };
type Next = { task: Task; item: PreItem; lastReview?: LastReview } | { task: null };

/** The annotator's queue: the next task of the project, labelled and submitted, then the next. */
export function Annotate() {
  const { t } = useTranslation('label');
  const id = Number(useParams().id);
  const project = useQuery({ queryKey: ['label-project', id], queryFn: () => api.get<{ project: Project }>(`/projects/${id}`) });
  const [next, setNext] = useState<Next>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(0);
  const [draftSaved, setDraftSaved] = useState(false);
  const asked = useRef(false);

  const fetchNext = useCallback(async () => {
    setError(undefined);
    try {
      setNext(await api.post<Next>(`/projects/${id}/tasks/next`));
    } catch (e) {
      setError(e);
    }
  }, [id]);
  useEffect(() => {
    // once per mount (StrictMode runs effects twice; handing out a task is not free)
    if (asked.current) return;
    asked.current = true;
    void fetchNext();
  }, [fetchNext]);

  const save = async (task: Task, result: AnnotationResult, submit: boolean) => {
    setBusy(true);
    setError(undefined);
    setDraftSaved(false);
    try {
      const saved = await api.put<{ task: Task }>(`/tasks/${task.id}`, { version: task.version, result, submit });
      if (submit) {
        setDone((n) => n + 1);
        setNext(undefined);
        await fetchNext();
      } else {
        // a draft bumps the task's version: the next save must carry the new one
        setNext((n) => (n?.task ? { ...n, task: saved.task } : n));
        setDraftSaved(true);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const skip = async (task: Task) => {
    setBusy(true);
    try {
      await api.post(`/tasks/${task.id}/skip`);
      setNext(undefined);
      await fetchNext();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <QueryView query={project}>
      {({ project: p }) => (
        <>
          <h1>{t('queue.title', { name: p.name })}</h1>
          <p className="muted" data-testid="queue-done">
            {t('queue.done', { n: done })}
          </p>
          {error !== undefined && <ErrorState error={error} action={t('queue.errorAction')} />}
          {next === undefined ? (
            <Loading />
          ) : next.task === null ? (
            <>
              <p className="state empty" data-testid="queue-empty">
                {t('queue.empty')}
              </p>
              <MyTasks projectId={p.id} refresh={done} />
            </>
          ) : (
            <div data-testid="task" data-task={next.task.id}>
              <p className="muted">
                {t('queue.item', { key: next.item.key, expires: new Date(next.task.expiresAt).toLocaleTimeString() })}{' '}
                <button type="button" onClick={() => void skip(next.task)} disabled={busy} data-testid="skip">
                  {t('queue.skip')}
                </button>{' '}
                {draftSaved && <span data-testid="draft-saved">{t('queue.draftSaved')}</span>}
              </p>
              {next.lastReview?.verdict === 'rejected' && (
                <p className="bad" role="status" data-testid="sent-back">
                  {t('queue.sentBack', { comment: next.lastReview.comment || '—' })}
                </p>
              )}
              <TaskEditor
                key={next.task.id}
                schema={p.schema}
                task={next.task}
                item={next.item}
                busy={busy}
                onSave={(r, submit) => void save(next.task, r, submit)}
              />
            </div>
          )}
        </>
      )}
    </QueryView>
  );
}

/** The editor for one task: the dialogue view or the image canvas, started from the saved draft or the model's pre-annotation. */
export function TaskEditor(p: {
  schema: Schema;
  task: Task | null;
  item: PreItem;
  busy: boolean;
  readOnly?: boolean;
  submitLabel?: string;
  onSave: (r: AnnotationResult, submit: boolean) => void;
  onChange?: (r: AnnotationResult) => void;
}) {
  const { t } = useTranslation('label');
  const d = p.item.data;
  const saved = p.task?.result;
  const [shapes, setShapes] = useState<Shape[]>(() => {
    if (d.kind !== 'image') return [];
    const from = saved?.kind === 'image' ? saved.shapes : (d.preAnnotations ?? []);
    return from.map(fromApiShape);
  });
  const onShapes = useCallback(
    (s: Shape[]) => {
      setShapes(s);
      p.onChange?.({ kind: 'image', shapes: s.map(toApiShape) });
    },
    [p.onChange],
  );
  if (d.kind === 'dialogue') {
    const drafted = draftAnswers(p.schema.questions, p.item.preAnnotation?.conversationAnswers);
    const fromModel = saved?.kind !== 'dialogue' && Object.keys(drafted).length > 0;
    const initial: DialogueResult | undefined =
      saved?.kind === 'dialogue' ? saved : fromModel ? { kind: 'dialogue', messageAnswers: {}, conversationAnswers: drafted } : undefined;
    return (
      <>
        {fromModel && (
          <p className="muted" data-testid="drafted">
            {t('queue.drafted', { source: p.item.preAnnotation?.source ?? '' })}
          </p>
        )}
        <DialogueView
          data={d}
          schema={p.schema}
          initial={initial}
          busy={p.busy}
          readOnly={p.readOnly}
          onSubmit={(r) => p.onSave(r, true)}
          onSaveDraft={(r) => p.onSave(r, false)}
          onChange={(r) => p.onChange?.(r)}
        />
      </>
    );
  }
  const img = d as ImageData;
  const labels = (p.schema.labels ?? []).map((l) => l.name);
  return (
    <div data-testid="image-task" data-image={img.file.name}>
      <Suspense fallback={<Loading />}>
        <ImageCanvas
          src={fileUrl(img.file.sha256)}
          labels={labels.length ? labels : [t('canvas.defaultLabel')]}
          initial={shapes}
          onChange={onShapes}
          tools={p.schema.tools?.map((x) => TOOL_OF_API[x])}
          colours={Object.fromEntries((p.schema.labels ?? []).flatMap((l) => (l.color ? [[l.name, l.color]] : [])))}
        />
      </Suspense>
      {!p.readOnly && (
        <div className="actions">
          <button
            type="button"
            onClick={() => p.onSave({ kind: 'image', shapes: shapes.map(toApiShape) }, false)}
            disabled={p.busy}
            data-testid="save-draft"
          >
            {t('queue.saveDraft')}
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => p.onSave({ kind: 'image', shapes: shapes.map(toApiShape) }, true)}
            disabled={p.busy}
            data-testid="submit"
          >
            {p.submitLabel ?? t('dialogue.submit')}
          </button>
        </div>
      )}
    </div>
  );
}
