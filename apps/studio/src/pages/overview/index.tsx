import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { bytes, fmt, getJson } from '../../api';
import { Empty, QueryView } from '../../components/States';
import type { StageDef } from '../../stage';
import { LineageSection } from './LineageGraph';
import type { RunFile, RunsResponse } from './types';

/** Facts with a translated label; the rest (eval scores per dataset · model) are data and shown as named. */
const FACTS = new Set(['step', 'loss', 'tokens', 'planned_steps', 'shards', 'read', 'kept']);
const pageFor = (stage: string) => (stage === 'eval' ? '/evaluation' : stage === 'data' ? undefined : '/training');
const STAGE_NAMES = new Set(['data', 'pretrain', 'sft', 'dpo', 'eval']);

function FileList({ files, runsDir, self }: { files: RunFile[]; runsDir: string; self: string }) {
  const { t } = useTranslation('overview');
  if (!files.length) return <span className="muted">—</span>;
  return (
    <ul className="files">
      {files.map((f) => (
        <li key={`${f.role}:${f.path}`}>
          <span className="badge">{t(`role.${f.role}`)}</span>{' '}
          <code title={f.path}>{f.path.startsWith(`${runsDir}/`) ? f.path.slice(runsDir.length + 1) : f.path}</code>
          {f.bytes !== undefined && <span className="muted"> {bytes(f.bytes)}</span>}
          {f.run && f.run !== self && (
            <>
              {' '}
              → <a href={`#run-${f.run}`}>{f.run}</a>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

function Overview() {
  const { t, i18n } = useTranslation('overview');
  const q = useQuery({ queryKey: ['runs'], queryFn: () => getJson<RunsResponse>('/api/runs'), refetchInterval: 5000 });
  return (
    <section>
      <h1>{t('title')}</h1>
      <QueryView query={q}>
        {(data) =>
          data.runs.length === 0 ? (
            <Empty title={t('empty', { dir: data.runsDir })} hint={t('emptyHint')} />
          ) : (
            <>
              <p className="muted">{t('intro', { dir: data.runsDir, n: data.runs.length })}</p>
              <table data-testid="runs-table">
                <thead>
                  <tr>
                    <th>{t('col.run')}</th>
                    <th>{t('col.stage')}</th>
                    <th>{t('col.status')}</th>
                    <th>{t('col.facts')}</th>
                    <th>{t('col.inputs')}</th>
                    <th>{t('col.outputs')}</th>
                    <th>{t('col.usedBy')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.runs.map((r) => (
                    <tr key={r.id} id={`run-${r.id}`} data-run={r.id}>
                      <td>
                        {pageFor(r.stage) ? <Link to={`${pageFor(r.stage)}?run=${encodeURIComponent(r.id)}`}>{r.id}</Link> : r.id}
                        <div className="muted">{new Date(r.updatedAt).toLocaleString(i18n.language === 'zh' ? 'zh-CN' : 'en-GB')}</div>
                      </td>
                      <td>{STAGE_NAMES.has(r.stage) ? t(`stage.${r.stage}`) : r.stage}</td>
                      <td>
                        <span className={`badge ${r.status}`}>{t(`status.${r.status}`)}</span>
                      </td>
                      <td>
                        {Object.entries(r.facts).map(([k, v]) => (
                          <div key={k}>
                            {FACTS.has(k) ? t(`fact.${k}`) : k}: <span className="num">{typeof v === 'number' ? fmt(v) : v}</span>
                          </div>
                        ))}
                      </td>
                      <td>
                        <FileList files={r.inputs} runsDir={data.runsDir} self={r.id} />
                      </td>
                      <td>
                        <FileList files={r.outputs} runsDir={data.runsDir} self={r.id} />
                      </td>
                      <td>
                        {r.usedBy.length ? (
                          r.usedBy.map((u) => (
                            <div key={u}>
                              <a href={`#run-${u}`}>{u}</a>
                            </div>
                          ))
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )
        }
      </QueryView>
      <LineageSection />
    </section>
  );
}

export const stage: StageDef = { id: 'overview', path: '', order: 0, navKey: 'nav', Page: Overview };
