import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState } from '../../components/States';
import { login } from './labelApi';

export function Login({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation('label');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="label-login"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(undefined);
        try {
          await login(name, password);
          onDone();
        } catch (x) {
          setError(x);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h1>{t('login.title')}</h1>
      <label>
        <span>{t('login.name')}</span>
        <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="username" required data-testid="login-name" />
      </label>
      <label>
        <span>{t('login.password')}</span>
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
          required
          data-testid="login-password"
        />
      </label>
      <button type="submit" className="primary" disabled={busy} data-testid="login-submit">
        {t('login.submit')}
      </button>
      {error !== undefined && <ErrorState error={error} action={t('login.failed')} />}
      <p className="muted">{t('login.hint')}</p>
    </form>
  );
}
