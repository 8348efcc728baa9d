import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ErrorState, QueryView } from '../../../components/States';
import { api } from '../labelApi';
import type { Project, Role, User } from '../types';
import { parseSchema, SCHEMA_TEMPLATES } from './schemaTemplates';

/** Admin: users and new projects. */
export function AdminHome() {
  const { t } = useTranslation('label');
  return (
    <>
      <h1>{t('admin.title')}</h1>
      <NewProject />
      <h2>{t('admin.users')}</h2>
      <Users />
      <p className="muted">{t('admin.usersHint')}</p>
    </>
  );
}

export function Users() {
  const { t } = useTranslation('label');
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['label-users'], queryFn: () => api.get<{ users: User[] }>('/users') });
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('annotator');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const refresh = () => qc.invalidateQueries({ queryKey: ['label-users'] });
  return (
    <>
      <QueryView query={users}>
        {({ users: list }) => (
          <table data-testid="label-users">
            <thead>
              <tr>
                <th>{t('user.name')}</th>
                <th>{t('user.role')}</th>
                <th>{t('user.status')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr key={u.id} data-testid={`user-${u.name}`}>
                  <td>{u.name}</td>
                  <td>{t(`role.${u.role}`)}</td>
                  <td>
                    <button
                      type="button"
                      onClick={async () => {
                        try {
                          await api.patch(`/users/${u.id}`, { disabled: !u.disabled });
                          await refresh();
                        } catch (e) {
                          setError(e);
                        }
                      }}
                    >
                      {u.disabled ? t('user.enable') : t('user.disable')}
                    </button>{' '}
                    {u.disabled ? t('user.disabled') : t('user.active')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
      <form
        className="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(undefined);
          try {
            await api.post('/users', { name, role, password });
            setName('');
            setPassword('');
            await refresh();
          } catch (x) {
            setError(x);
          }
        }}
      >
        <label>
          <span>{t('user.name')}</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required data-testid="new-user-name" />
        </label>
        <label>
          <span>{t('user.role')}</span>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="new-user-role">
            {(['annotator', 'reviewer', 'admin'] as const).map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('user.password')}</span>
          <input
            type="password"
            value={password}
            minLength={8}
            onChange={(e) => setPassword(e.target.value)}
            required
            autoComplete="new-password"
            data-testid="new-user-password"
          />
        </label>
        <button type="submit" data-testid="new-user-add">
          {t('user.add')}
        </button>
      </form>
      {error !== undefined && <ErrorState error={error} />}
    </>
  );
}

function NewProject() {
  const { t } = useTranslation('label');
  const qc = useQueryClient();
  const nav = useNavigate();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'dialogue' | 'image'>('dialogue');
  const [description, setDescription] = useState('');
  const [perItem, setPerItem] = useState(1);
  const [expiry, setExpiry] = useState(60);
  const [schemaText, setSchemaText] = useState(JSON.stringify(SCHEMA_TEMPLATES.dialogue, null, 2));
  const [error, setError] = useState<unknown>();
  const parsed = parseSchema(schemaText);
  return (
    <details className="panel" open>
      <summary>{t('admin.newProject')}</summary>
      <form
        className="stack-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!parsed.schema) return;
          setError(undefined);
          try {
            const r = await api.post<{ project: Project }>('/projects', {
              name,
              kind,
              description,
              schema: parsed.schema,
              annotatorsPerItem: perItem,
              expiryMinutes: expiry,
            });
            await qc.invalidateQueries({ queryKey: ['label-projects'] });
            nav(`/label/projects/${r.project.id}/admin`);
          } catch (x) {
            setError(x);
          }
        }}
      >
        <label>
          <span>{t('project.name')}</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required data-testid="project-name" />
        </label>
        <label>
          <span>{t('project.kind')}</span>
          <select
            value={kind}
            onChange={(e) => {
              const k = e.target.value as 'dialogue' | 'image';
              setKind(k);
              setSchemaText(JSON.stringify(SCHEMA_TEMPLATES[k], null, 2));
            }}
            data-testid="project-kind"
          >
            <option value="dialogue">{t('kind.dialogue')}</option>
            <option value="image">{t('kind.image')}</option>
          </select>
        </label>
        <label>
          <span>{t('project.description')}</span>
          <input value={description} onChange={(e) => setDescription(e.target.value)} data-testid="project-description" />
        </label>
        <label>
          <span>{t('project.perItem')}</span>
          <input
            type="number"
            min={1}
            max={20}
            value={perItem}
            onChange={(e) => setPerItem(Number(e.target.value))}
            data-testid="project-per-item"
          />
        </label>
        <label>
          <span>{t('project.expiry')}</span>
          <input type="number" min={1} value={expiry} onChange={(e) => setExpiry(Number(e.target.value))} data-testid="project-expiry" />
        </label>
        <label className="block">
          <span>{t('project.schema')}</span>
          <textarea
            rows={12}
            className="code"
            value={schemaText}
            onChange={(e) => setSchemaText(e.target.value)}
            data-testid="project-schema"
          />
        </label>
        {parsed.error && (
          <p className="error-text" role="alert">
            {t('project.schemaError', { error: parsed.error })}
          </p>
        )}
        <button type="submit" className="primary" disabled={!parsed.schema} data-testid="project-create">
          {t('project.create')}
        </button>
      </form>
      {error !== undefined && <ErrorState error={error} />}
    </details>
  );
}
