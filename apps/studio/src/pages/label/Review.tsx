import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ErrorState, Loading, QueryView } from '../../components/States';
import { TaskEditor } from './Annotate';
import { api } from './labelApi';
import type { AnnotationResult, Item, Project, Task } from './types';

type Next = { task: Task; item: Item; annotator: string } | { task: null };

/** The reviewer's queue: a submitted annotation, shown as the annotator left it, approved or rejected with a comment. */
export function Review() {
  const { t } = useTranslation('label');
  const id = Number(useParams().id);
  const project = useQuery({ queryKey: ['label-project', id], queryFn: () => api.get<{ project: Project }>(`/projects/${id}`) });
  const [next, setNext] = useState<Next>();
  const [comment, setComment] = useState('');
  const [corrected, setCorrected] = useState<AnnotationResult>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(0);
  const asked = useRef(false);

  const fetchNext = useCallback(async () => {
    setError(undefined);
    setComment('');
    setCorrected(undefined);
    try {
      setNext(await api.post<Next>(`/projects/${id}/reviews/next`));
    } catch (e) {
      setError(e);
    }
  }, [id]);
  useEffect(() => {
    if (asked.current) return;
    asked.current = true;
    void fetchNext();
  }, [fetchNext]);

  const verdict = async (task: Task, v: 'approved' | 'rejected') => {
    setBusy(true);
    try {
      await api.post(`/tasks/${task.id}/review`, { verdict: v, comment, ...(corrected ? { result: corrected } : {}) });
      setDone((n) => n + 1);
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
          <h1>{t('review.heading', { name: p.name })}</h1>
          <p className="muted" data-testid="review-done">
            {t('review.done', { n: done })}
          </p>
          {error !== undefined && <ErrorState error={error} action={t('queue.errorAction')} />}
          {next === undefined ? (
            <Loading />
          ) : next.task === null ? (
            <p className="state empty" data-testid="review-empty">
              {t('review.empty')}
            </p>
          ) : (
            <div data-testid="review-task" data-task={next.task.id}>
              <p className="muted">
                {t('review.by', {
                  key: next.item.key,
                  name: next.annotator,
                })}
              </p>
              <TaskEditor
                key={next.task.id}
                schema={p.schema}
                task={next.task}
                item={next.item}
                busy={busy}
                readOnly
                onSave={() => {}}
                onChange={setCorrected}
              />
              <label className="block">
                <span>{t('review.comment')}</span>
                <textarea rows={3} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="review-comment" />
              </label>
              <div className="actions">
                <button
                  type="button"
                  className="primary"
                  disabled={busy}
                  onClick={() => void verdict(next.task, 'approved')}
                  data-testid="approve"
                >
                  {t('review.approve')}
                </button>
                <button
                  type="button"
                  disabled={busy || !comment.trim()}
                  onClick={() => void verdict(next.task, 'rejected')}
                  data-testid="reject"
                >
                  {t('review.reject')}
                </button>
                {corrected && <span className="muted">{t('review.corrected')}</span>}
              </div>
            </div>
          )}
        </>
      )}
    </QueryView>
  );
}
