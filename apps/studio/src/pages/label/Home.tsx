import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Empty, QueryView } from '../../components/States';
import { api } from './labelApi';
import type { Project, User } from './types';

/** The projects this user works on, with what their role can do in each. */
export function Home({ user }: { user: User }) {
  const { t } = useTranslation('label');
  const q = useQuery({ queryKey: ['label-projects'], queryFn: () => api.get<{ projects: Project[] }>('/projects') });
  return (
    <>
      <h1>{t('projects')}</h1>
      <QueryView query={q}>
        {({ projects }) =>
          projects.length === 0 ? (
            <Empty title={t('noProjects')} hint={user.role === 'admin' ? t('noProjectsAdmin') : t('noProjectsMember')} />
          ) : (
            <table data-testid="label-projects">
              <thead>
                <tr>
                  <th>{t('project.name')}</th>
                  <th>{t('project.kind')}</th>
                  <th>{t('project.description')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {projects.map((p) => (
                  <tr key={p.id} data-testid={`project-${p.name}`}>
                    <td>{p.name}</td>
                    <td>{t(`kind.${p.kind}`)}</td>
                    <td>{p.description}</td>
                    <td className="links">
                      {user.role !== 'reviewer' && (
                        <Link to={`/label/projects/${p.id}/annotate`} data-testid="annotate-link">
                          {t('annotate')}
                        </Link>
                      )}
                      {user.role !== 'annotator' && (
                        <Link to={`/label/projects/${p.id}/review`} data-testid="review-link">
                          {t('review.title')}
                        </Link>
                      )}
                      {user.role === 'admin' && (
                        <Link to={`/label/projects/${p.id}/admin`} data-testid="admin-link">
                          {t('admin.manage')}
                        </Link>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryView>
    </>
  );
}
