import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { fmt, getJson } from '../../api';
import { Empty, QueryView } from '../../components/States';
import type { StageDef } from '../../stage';
import type { RunInfo } from '../overview/types';
import { Leaderboard } from './Leaderboard';
import { NeedleHeatmaps } from './NeedleHeatmaps';
import { Samples } from './Samples';
import { StartRun } from './StartRun';
import type { EvalRunResponse } from './types';

function RunView({ run }: { run: string }) {
  const { t } = useTranslation('evaluation');
  const [unit, setUnit] = useState<{ index: number; subset?: string }>();
  const q = useQuery({ queryKey: ['eval-run', run], queryFn: () => getJson<EvalRunResponse>('/api/evaluation/run', { run }) });
  return (
    <QueryView query={q}>
      {(d) => (
        <>
          <p className="muted">
            {t('runFacts', {
              status: d.run.status ?? '?',
              sent: d.run.requests?.sent ?? 0,
              cached: d.run.requests?.cached ?? 0,
              seconds: ((d.run.wallMs ?? 0) / 1000).toFixed(1),
            })}
          </p>
          <h2>{t('summary')}</h2>
          {d.summary ? (
            <table data-testid="summary-table">
              <thead>
                <tr>
                  {d.summary[0].map((h) => (
                    <th key={h}>{h}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {d.summary.slice(1).map((row) => (
                  <tr key={row.join('\u0000')}>
                    {row.map((cell, i) => (
                      <td key={`${d.summary![0][i]}`} className={i >= 3 ? 'num' : ''}>
                        {cell}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="state">{t('noSummary')}</p>
          )}
          <h2>{t('units')}</h2>
          <table data-testid="units">
            <thead>
              <tr>
                <th>{t('dataset')}</th>
                <th>{t('model')}</th>
                <th>{t('metric')}</th>
                <th>{t('score')}</th>
                <th>{t('n')}</th>
                <th>{t('errors')}</th>
                <th>{t('subjects')}</th>
              </tr>
            </thead>
            <tbody>
              {(d.run.results ?? []).map((u, i) => (
                <tr key={`${u.model}:${u.dataset}`}>
                  <td>
                    <button type="button" onClick={() => setUnit({ index: i })} data-testid={`unit-${i}`}>
                      {u.dataset}
                    </button>
                  </td>
                  <td>{u.model}</td>
                  <td>{u.headline ? `${u.headline} (${u.metric})` : u.metric}</td>
                  <td className="num">{fmt(u.score)}</td>
                  <td className="num">{u.samples}</td>
                  <td className="num">{u.errors}</td>
                  <td>
                    {u.subsets?.length ? (
                      <details>
                        <summary>{t('nSubjects', { n: u.subsets.length })}</summary>
                        <table>
                          <tbody>
                            {u.subsets.map((s) => (
                              <tr key={s.name}>
                                <td>
                                  <button type="button" onClick={() => setUnit({ index: i, subset: s.name })}>
                                    {s.name}
                                  </button>
                                </td>
                                <td className="num">{fmt(s.score)}</td>
                                <td className="num">n={s.samples}</td>
                              </tr>
                            ))}
                          </tbody>
                        </table>
                      </details>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {(d.run.results ?? []).some((u) => u.dataset.startsWith('needlebench')) && <NeedleHeatmaps run={run} />}
          {unit ? <Samples run={run} unitIndex={unit.index} subset={unit.subset} /> : <p className="muted">{t('pickUnit')}</p>}
        </>
      )}
    </QueryView>
  );
}

function Evaluation() {
  const { t } = useTranslation('evaluation');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'leaderboard' ? 'leaderboard' : 'runs';
  const q = useQuery({ queryKey: ['eval-runs'], queryFn: () => getJson<{ runs: RunInfo[] }>('/api/evaluation/runs') });
  const setTab = (v: string) => setParams(v === 'runs' ? {} : { tab: v });
  return (
    <section>
      <h1>{t('title')}</h1>
      <div role="tablist" className="row" style={{ marginBottom: 8 }}>
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'runs'}
          className={tab === 'runs' ? 'primary' : ''}
          onClick={() => setTab('runs')}
        >
          {t('runs')}
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'leaderboard'}
          className={tab === 'leaderboard' ? 'primary' : ''}
          onClick={() => setTab('leaderboard')}
          data-testid="tab-leaderboard"
        >
          {t('leaderboard')}
        </button>
      </div>
      {tab === 'leaderboard' ? (
        <Leaderboard />
      ) : (
        <QueryView query={q}>
          {(data) => {
            const start = <StartRun onOpen={(r) => setParams({ run: r })} />;
            if (!data.runs.length)
              return (
                <>
                  {start}
                  <Empty title={t('empty')} hint={t('emptyHint')} />
                </>
              );
            const run = params.get('run') ?? [...data.runs].sort((a, b) => b.updatedAt - a.updatedAt)[0].id;
            return (
              <>
                {start}
                <label>
                  {t('run')}{' '}
                  <select value={run} onChange={(e) => setParams({ run: e.target.value })} data-testid="eval-run">
                    {data.runs.map((r) => (
                      <option key={r.id} value={r.id}>
                        {r.id} ({t(`status.${r.status}`)})
                      </option>
                    ))}
                  </select>
                </label>
                <RunView key={run} run={run} />
              </>
            );
          }}
        </QueryView>
      )}
    </section>
  );
}

export const stage: StageDef = { id: 'evaluation', path: 'evaluation', order: 30, navKey: 'nav', Page: Evaluation };
