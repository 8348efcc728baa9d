import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ErrorState, QueryView } from '../../../components/States';
import { api, exportUrl } from '../labelApi';
import type { Project, User } from '../types';
import { ImportPanel } from './ImportPanel';
import { Stats } from './Stats';
import { parseSchema } from './schemaTemplates';

const EXPORTS = { dialogue: ['raw', 'labels', 'audits', 'sft', 'dpo'], image: ['raw', 'labels', 'audits', 'coco', 'yolo', 'voc'] } as const;

/** One project, for its admin: members, schema, imports and pre-annotation, exports, progress and agreement. */
export function ProjectAdmin() {
  const { t } = useTranslation('label');
  const id = Number(useParams().id);
  const project = useQuery({ queryKey: ['label-project', id], queryFn: () => api.get<{ project: Project }>(`/projects/${id}`) });
  return (
    <QueryView query={project}>
      {({ project: p }) => (
        <div data-testid="project-admin" data-project={p.id}>
          <h1>{t('admin.projectHeading', { name: p.name })}</h1>
          <p className="muted">
            {t('admin.projectFacts', { kind: t(`kind.${p.kind}`), perItem: p.annotatorsPerItem, expiry: p.expiryMinutes })}{' '}
            <Link to={`/label/projects/${p.id}/annotate`}>{t('annotate')}</Link> ·{' '}
            <Link to={`/label/projects/${p.id}/review`}>{t('review.title')}</Link>
          </p>
          <h2>{t('admin.members')}</h2>
          <Members project={p} />
          <h2>{t('admin.import')}</h2>
          <ImportPanel project={p} />
          <h2>{t('admin.exports')}</h2>
          <ul className="exports" data-testid="exports">
            {EXPORTS[p.kind].map((f) => (
              <li key={f}>
                <a href={exportUrl(p.id, f)} download data-testid={`export-${f}`}>
                  {t(`export.${f}`)}
                </a>
              </li>
            ))}
          </ul>
          <Stats project={p} />
          <h2>{t('admin.schema')}</h2>
          <SchemaEditor project={p} />
        </div>
      )}
    </QueryView>
  );
}

function Members({ project }: { project: Project }) {
  const { t } = useTranslation('label');
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['label-users'], queryFn: () => api.get<{ users: User[] }>('/users') });
  const members = useQuery({
    queryKey: ['label-members', project.id],
    queryFn: () => api.get<{ members: { user: User; role: string }[] }>(`/projects/${project.id}/members`),
  });
  const [error, setError] = useState<unknown>();
  return (
    <QueryView query={users}>
      {({ users: list }) => (
        <>
          <ul className="members" data-testid="members">
            {list
              .filter((u) => u.role !== 'admin')
              .map((u) => {
                const on = !!members.data?.members.some((m) => m.user.id === u.id);
                return (
                  <li key={u.id}>
                    <label>
                      <input
                        type="checkbox"
                        checked={on}
                        disabled={members.isPending}
                        onChange={async () => {
                          setError(undefined);
                          try {
                            if (on) await api.del(`/projects/${project.id}/members/${u.id}`);
                            else await api.put(`/projects/${project.id}/members/${u.id}`, {});
                            await qc.invalidateQueries({ queryKey: ['label-members', project.id] });
                          } catch (e) {
                            setError(e);
                          }
                        }}
                        data-testid={`member-${u.name}`}
                      />{' '}
                      {u.name} <span className="muted">{t(`role.${u.role}`)}</span>
                    </label>
                  </li>
                );
              })}
          </ul>
          {error !== undefined && <ErrorState error={error} />}
        </>
      )}
    </QueryView>
  );
}

function SchemaEditor({ project }: { project: Project }) {
  const { t } = useTranslation('label');
  const qc = useQueryClient();
  const [text, setText] = useState(JSON.stringify(project.schema, null, 2));
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const parsed = parseSchema(text);
  return (
    <form
      className="stack-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!parsed.schema) return;
        setError(undefined);
        setSaved(false);
        try {
          await api.patch(`/projects/${project.id}`, { schema: parsed.schema });
          await qc.invalidateQueries({ queryKey: ['label-project', project.id] });
          setSaved(true);
        } catch (x) {
          setError(x);
        }
      }}
    >
      <textarea
        rows={12}
        className="code"
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-label={t('admin.schema')}
        data-testid="schema-edit"
      />
      {parsed.error && (
        <p className="error-text" role="alert">
          {t('project.schemaError', { error: parsed.error })}
        </p>
      )}
      <button type="submit" disabled={!parsed.schema} data-testid="schema-save">
        {t('admin.saveSchema')}
      </button>
      {saved && <span className="muted">{t('admin.saved')}</span>}
      {error !== undefined && <ErrorState error={error} />}
    </form>
  );
}
