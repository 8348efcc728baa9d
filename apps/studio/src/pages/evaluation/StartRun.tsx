import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getJson, postJson } from '../../api';
import { ErrorState } from '../../components/States';

interface Job {
  id: string;
  run: string;
  status: 'running' | 'done' | 'failed';
  done: number;
  total: number;
  line: string;
  error?: { code: string; message: string };
}

/** Starts `puyu eval run` on a model from the runs folder (in the Studio's process) and shows its progress live. */
export function StartRun({ onOpen }: { onOpen: (run: string) => void }) {
  const { t } = useTranslation('evaluation');
  const client = useQueryClient();
  const models = useQuery({
    queryKey: ['models'],
    queryFn: () => getJson<{ models: { path: string; kind: string; run: string }[] }>('/api/models/list'),
  });
  const ggufs = (models.data?.models ?? []).filter((m) => m.kind === 'gguf');
  const [model, setModel] = useState('');
  const [datasets, setDatasets] = useState('gsm8k');
  const [limit, setLimit] = useState(20);
  const [maxTokens, setMaxTokens] = useState(256);
  const [name, setName] = useState('');
  useEffect(() => {
    if (!model && ggufs[0]) setModel(ggufs[0].path);
  }, [ggufs, model]);
  const jobs = useQuery({
    queryKey: ['eval-jobs'],
    queryFn: () => getJson<{ jobs: Job[]; dataRoot: string }>('/api/evaluation/jobs'),
    refetchInterval: (q) => (q.state.data?.jobs.some((j) => j.status === 'running') ? 1000 : 5000),
  });
  const finished = (jobs.data?.jobs ?? []).filter((j) => j.status !== 'running').length;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a job finishing brings a new run folder
  useEffect(() => {
    void client.invalidateQueries({ queryKey: ['eval-runs'] });
  }, [finished]);
  const start = useMutation({
    mutationFn: () =>
      postJson<Job>('/api/evaluation/start', {
        model,
        datasets: datasets.split(',').map((d) => d.trim()),
        limit,
        maxTokens,
        name: name || undefined,
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['eval-jobs'] }),
  });
  return (
    <details className="card" data-testid="start-run">
      <summary>{t('startTitle')}</summary>
      <p className="muted">{t('startIntro', { dataRoot: jobs.data?.dataRoot ?? 'data' })}</p>
      <div className="row">
        <label className="field">
          {t('model')}
          <select value={model} onChange={(e) => setModel(e.target.value)} data-testid="start-model">
            {ggufs.map((m) => (
              <option key={m.path} value={m.path}>
                {m.path}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          {t('datasetsField')}
          <input value={datasets} onChange={(e) => setDatasets(e.target.value)} data-testid="start-datasets" />
        </label>
        <label className="field">
          {t('limit')}
          <input type="number" min={1} value={limit} onChange={(e) => setLimit(Number(e.target.value))} data-testid="start-limit" />
        </label>
        <label className="field">
          {t('maxTokens')}
          <input
            type="number"
            min={1}
            value={maxTokens}
            onChange={(e) => setMaxTokens(Number(e.target.value))}
            data-testid="start-max-tokens"
          />
        </label>
        <label className="field">
          {t('runName')}
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('runNameHint')} data-testid="start-name" />
        </label>
      </div>
      <button
        type="button"
        className="primary"
        onClick={() => start.mutate()}
        disabled={start.isPending || !model}
        data-testid="start-button"
      >
        {t('start')}
      </button>
      {start.isError && <ErrorState error={start.error} />}
      {(jobs.data?.jobs ?? []).map((j) => (
        <div key={j.id} className="card" data-testid={`job-${j.run}`} data-status={j.status}>
          <strong>{j.run}</strong> <span className={`badge ${j.status}`}>{t(`job.${j.status}`)}</span>{' '}
          <progress max={j.total || 1} value={j.done} /> {j.done}/{j.total || '?'}
          <div className="muted">
            <code>{j.line}</code>
          </div>
          {j.error && (
            <p className="bad">
              [{j.error.code}] {j.error.message}
            </p>
          )}
          {j.status === 'done' && (
            <button type="button" onClick={() => onOpen(j.run)}>
              {t('open')}
            </button>
          )}
        </div>
      ))}
    </details>
  );
}
