import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { getJson } from '../../api';
import { color, LineChart, type Series } from '../../components/LineChart';
import { Empty, QueryView } from '../../components/States';
import type { StageDef } from '../../stage';
import type { RunInfo } from '../overview/types';
import { RunStats } from './RunCurves';
import type { MetricsRow } from './useMetricsStream';

/** Aligns several runs on one step axis (uPlot wants one x array); a run with no row at a step has a gap. */
function align(byRun: Record<string, MetricsRow[]>, runs: string[], pick: (r: MetricsRow) => number | null | undefined) {
  const steps = [...new Set(runs.flatMap((r) => (byRun[r] ?? []).map((m) => m.step)))].sort((a, b) => a - b);
  const index = new Map(steps.map((s, i) => [s, i]));
  const values = runs.map((r) => {
    const v: (number | null)[] = new Array(steps.length).fill(null);
    for (const m of byRun[r] ?? []) {
      const y = pick(m);
      v[index.get(m.step)!] = typeof y === 'number' && Number.isFinite(y) ? y : null;
    }
    return v;
  });
  return { steps, values };
}

function Training() {
  const { t } = useTranslation('training');
  const [params, setParams] = useSearchParams();
  const q = useQuery({
    queryKey: ['training-runs'],
    queryFn: () => getJson<{ runs: RunInfo[] }>('/api/training/runs'),
    refetchInterval: 10_000,
  });
  const [byRun, setByRun] = useState<Record<string, MetricsRow[]>>({});
  const onRows = useCallback((run: string, rows: MetricsRow[]) => setByRun((b) => (b[run] === rows ? b : { ...b, [run]: rows })), []);
  const all = q.data?.runs ?? [];
  const fromUrl = params.getAll('run').filter((r) => all.some((x) => x.id === r));
  const newest = [...all].sort((a, b) => b.updatedAt - a.updatedAt)[0]?.id;
  const selected = fromUrl.length ? fromUrl : newest ? [newest] : [];
  const toggle = (id: string) => {
    const next = selected.includes(id) ? selected.filter((r) => r !== id) : [...selected, id];
    setParams(new URLSearchParams(next.map((r) => ['run', r])));
  };

  const loss = useMemo(() => {
    const train = align(byRun, selected, (m) => m.loss);
    const val = align(byRun, selected, (m) => m.val_loss);
    const series: Series[] = [
      ...selected.map((r, i) => ({ label: `${r} · ${t('loss')}`, color: color(i), values: train.values[i] })),
      ...selected.map((r, i) => ({ label: `${r} · ${t('valLoss')}`, color: color(i), values: val.values[i], points: true })),
    ];
    return { x: train.steps, series };
  }, [byRun, selected, t]);
  const lr = useMemo(() => {
    const a = align(byRun, selected, (m) => m.lr);
    return { x: a.steps, series: selected.map((r, i) => ({ label: r, color: color(i), values: a.values[i] })) };
  }, [byRun, selected]);
  const speed = useMemo(() => {
    const a = align(byRun, selected, (m) => m.tokens_per_s);
    return { x: a.steps, series: selected.map((r, i) => ({ label: r, color: color(i), values: a.values[i] })) };
  }, [byRun, selected]);
  const lastPoint = selected.length ? byRun[selected[0]]?.at(-1) : undefined;

  return (
    <section>
      <h1>{t('title')}</h1>
      <QueryView query={q}>
        {(data) =>
          data.runs.length === 0 ? (
            <Empty title={t('empty')} hint={t('emptyHint')} />
          ) : (
            <>
              <fieldset className="card">
                <legend>{t('compare')}</legend>
                {data.runs.map((r) => (
                  <label key={r.id} style={{ marginRight: 16 }}>
                    <input type="checkbox" checked={selected.includes(r.id)} onChange={() => toggle(r.id)} data-run={r.id} /> {r.id}{' '}
                    <span className={`badge ${r.status}`}>{t(`status.${r.status}`)}</span>
                  </label>
                ))}
              </fieldset>
              {selected.length === 0 ? (
                <p className="state">{t('pick')}</p>
              ) : (
                <>
                  {selected.map((r) => (
                    <RunStats key={r} run={r} onRows={onRows} />
                  ))}
                  <h2>{t('lossTitle')}</h2>
                  <div data-testid="loss-last" data-last={lastPoint ? JSON.stringify({ step: lastPoint.step, loss: lastPoint.loss }) : ''}>
                    <LineChart x={loss.x} series={loss.series} xLabel={t('step')} yLabel={t('lossAxis')} testId="loss-chart" />
                  </div>
                  <div className="row">
                    <div className="grow">
                      <h2>{t('lr')}</h2>
                      <LineChart x={lr.x} series={lr.series} xLabel={t('step')} yLabel={t('lr')} height={200} testId="lr-chart" />
                    </div>
                    <div className="grow">
                      <h2>{t('tokPerS')}</h2>
                      <LineChart
                        x={speed.x}
                        series={speed.series}
                        xLabel={t('step')}
                        yLabel={t('tokPerS')}
                        height={200}
                        testId="speed-chart"
                      />
                    </div>
                  </div>
                </>
              )}
            </>
          )
        }
      </QueryView>
    </section>
  );
}

export const stage: StageDef = { id: 'training', path: 'training', order: 10, navKey: 'nav', Page: Training };
