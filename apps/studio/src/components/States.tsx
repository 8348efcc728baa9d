import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="state loading" role="status" aria-live="polite">
      {t('state.loading')}
    </p>
  );
}

/** An empty page says what to run to fill it. */
export function Empty({ title, hint }: { title: string; hint: string }) {
  return (
    <div className="state empty" data-state="empty">
      <p>
        <strong>{title}</strong>
      </p>
      <p>
        <code>{hint}</code>
      </p>
    </div>
  );
}

/** An error says what went wrong (with its code) and what to do. */
export function ErrorState({ error, action }: { error: unknown; action?: string }) {
  const { t } = useTranslation();
  const code = error instanceof ApiError ? error.code : 'ERROR';
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="state error" role="alert" data-state="error">
      <p>
        <strong>{t('state.error')}</strong> <code>[{code}]</code> {message}
      </p>
      <p>{action ?? t('state.errorAction')}</p>
    </div>
  );
}

/** Renders a query's loading / error state, or its data. */
export function QueryView<T>({ query, children }: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorState error={query.error} />;
  return <>{children(query.data)}</>;
}
