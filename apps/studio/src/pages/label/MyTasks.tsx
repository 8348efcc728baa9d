import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { QueryView } from '../../components/States';
import { api } from './labelApi';
import type { Task } from './types';

/** The annotator's own tasks in a project (a rejected one shows as assigned again), refreshed after each submit. */
export function MyTasks({ projectId, refresh }: { projectId: number; refresh: number }) {
  const { t } = useTranslation('label');
  const q = useQuery({
    queryKey: ['label-my-tasks', projectId, refresh],
    queryFn: () => api.get<{ tasks: Task[] }>(`/projects/${projectId}/tasks?mine=1`),
  });
  return (
    <details className="panel" data-testid="my-tasks">
      <summary>{t('queue.mine')}</summary>
      <QueryView query={q}>
        {({ tasks }) =>
          tasks.length === 0 ? (
            <p className="muted">{t('queue.mineEmpty')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>{t('queue.task')}</th>
                  <th>{t('queue.status')}</th>
                  <th>{t('queue.updated')}</th>
                </tr>
              </thead>
              <tbody>
                {tasks.map((x) => (
                  <tr key={x.id} data-status={x.status}>
                    <td>{x.id}</td>
                    <td>{t(`taskStatus.${x.status}`)}</td>
                    <td>{new Date(x.updatedAt).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryView>
    </details>
  );
}
