import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes } from 'react-router';
import { ErrorState, Loading } from '../../components/States';
import type { StageDef } from '../../stage';
import { Annotate } from './Annotate';
import { AdminHome } from './admin/AdminHome';
import { ProjectAdmin } from './admin/ProjectAdmin';
import { Home } from './Home';
import { Login } from './Login';
import { logout, me } from './labelApi';
import { Review } from './Review';
import './label.css';

/** The labelling pages: a session gate (login), then the queue, review and admin pages by role. */
function LabelPage() {
  const { t } = useTranslation('label');
  const qc = useQueryClient();
  const session = useQuery({ queryKey: ['label-me'], queryFn: me });
  if (session.isPending) return <Loading />;
  if (session.isError) return <ErrorState error={session.error} action={t('unavailable')} />;
  if (!session.data) return <Login onDone={() => void qc.invalidateQueries({ queryKey: ['label-me'] })} />;
  const { user } = session.data;
  return (
    <div className="label-page">
      <div className="label-bar">
        <Link to="/label">{t('projects')}</Link>
        {user.role === 'admin' && <Link to="/label/admin">{t('admin.title')}</Link>}
        <span className="muted" data-testid="label-user">
          {t('signedInAs', { name: user.name, role: t(`role.${user.role}`) })}
        </span>
        <button
          type="button"
          onClick={async () => {
            await logout();
            qc.clear();
            await qc.invalidateQueries({ queryKey: ['label-me'] });
          }}
          data-testid="logout"
        >
          {t('logout')}
        </button>
      </div>
      <Routes>
        <Route index element={<Home user={user} />} />
        <Route path="projects/:id/annotate" element={<Annotate />} />
        <Route path="projects/:id/review" element={<Review />} />
        <Route path="projects/:id/admin" element={<ProjectAdmin />} />
        <Route path="admin" element={<AdminHome />} />
      </Routes>
    </div>
  );
}

export const stage: StageDef = { id: 'label', path: 'label', order: 70, navKey: 'nav', Page: LabelPage };
