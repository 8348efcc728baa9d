import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { fmt } from '../../../api';
import { QueryView } from '../../../components/States';
import { api } from '../labelApi';
import type { Agreement, Progress, Project } from '../types';

/** Progress (tasks, reviews, per annotator) and inter-annotator agreement, refreshed every few seconds. */
export function Stats({ project }: { project: Project }) {
  const { t } = useTranslation('label');
  const progress = useQuery({
    queryKey: ['label-progress', project.id],
    queryFn: () => api.get<Progress>(`/projects/${project.id}/progress`),
    refetchInterval: 5000,
  });
  const agreement = useQuery({
    queryKey: ['label-agreement', project.id],
    queryFn: () => api.get<Agreement>(`/projects/${project.id}/agreement`),
    refetchInterval: 10000,
  });
  return (
    <>
      <h2>{t('admin.progress')}</h2>
      <QueryView query={progress}>
        {(p) => (
          <div data-testid="progress" data-items={p.items} data-complete={p.complete} data-approved={p.reviewed.approved}>
            <p>
              {t('progress.summary', {
                items: p.items,
                complete: p.complete,
                assigned: p.tasks.assigned,
                submitted: p.tasks.submitted,
                expired: p.tasks.expired,
                skipped: p.tasks.skipped,
                approved: p.reviewed.approved,
                rejected: p.reviewed.rejected,
              })}
            </p>
            <progress max={Math.max(1, p.items)} value={p.complete} />
            <table>
              <thead>
                <tr>
                  <th>{t('user.name')}</th>
                  <th>{t('progress.submitted')}</th>
                  <th>{t('progress.approved')}</th>
                  <th>{t('progress.rejected')}</th>
                </tr>
              </thead>
              <tbody>
                {p.perUser.map((u) => (
                  <tr key={u.userId}>
                    <td>{u.name}</td>
                    <td>{u.submitted}</td>
                    <td>{u.approved}</td>
                    <td>{u.rejected}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
      <h2>{t('admin.agreement')}</h2>
      <QueryView query={agreement}>
        {(a) => (
          <div data-testid="agreement">
            <p data-testid="kendall">{t('agreement.kendall', { tau: fmt(a.ranking.kendallTau, 3), pairs: a.ranking.pairs })}</p>
            {a.questions.length > 0 && (
              <table>
                <thead>
                  <tr>
                    <th>{t('agreement.question')}</th>
                    <th>{t('agreement.fleiss')}</th>
                    <th>{t('agreement.cohen')}</th>
                    <th>{t('agreement.n')}</th>
                  </tr>
                </thead>
                <tbody>
                  {a.questions.map((q) => (
                    <tr key={`${q.scope}-${q.questionId}`}>
                      <td>{q.questionId}</td>
                      <td>{fmt(q.fleiss, 3)}</td>
                      <td>{q.cohen.map((c) => `${c.a}–${c.b}: ${fmt(c.kappa, 3)} (${c.n})`).join('; ') || '—'}</td>
                      <td>{q.n}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        )}
      </QueryView>
    </>
  );
}
