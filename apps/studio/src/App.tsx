import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Route, Routes } from 'react-router';
import { Loading } from './components/States';
import { LANGUAGES, setLanguage } from './i18n';
import { STAGES } from './stages';

export function App() {
  const { t, i18n } = useTranslation();
  return (
    <div className="app">
      <header>
        <a href="#main" className="skip">
          {t('skip')}
        </a>
        <span className="brand">{t('brand')}</span>
        <nav aria-label={t('nav')}>
          {STAGES.map((s) => (
            <NavLink key={s.id} to={`/${s.path}`} end={s.path === ''}>
              {t(s.navKey, { ns: s.id })}
            </NavLink>
          ))}
        </nav>
        <label className="lang">
          <span>{t('language')}</span>
          <select value={i18n.language} onChange={(e) => setLanguage(e.target.value as (typeof LANGUAGES)[number])} data-testid="lang">
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {t(`languages.${l}`)}
              </option>
            ))}
          </select>
        </label>
      </header>
      <main id="main">
        <Suspense fallback={<Loading />}>
          <Routes>
            {STAGES.map((s) => (
              <Route key={s.id} path={s.path ? `/${s.path}/*` : '/'} element={<s.Page />} />
            ))}
            <Route path="*" element={<p className="state">{t('notFound')}</p>} />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}
