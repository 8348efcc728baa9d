import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { fmt } from '../../api';
import { type MetricsRow, pace, useMetricsStream } from './useMetricsStream';

function duration(s: number | null): string {
  if (s === null) return '—';
  const m = Math.floor(s / 60);
  return m ? `${m}m ${Math.round(s % 60)}s` : `${Math.round(s)}s`;
}

/** One run's live stats; hands its rows up so the page can draw several runs on one chart. */
export function RunStats({ run, onRows }: { run: string; onRows: (run: string, rows: MetricsRow[]) => void }) {
  const { t } = useTranslation('training');
  const s = useMetricsStream(run);
  useEffect(() => onRows(run, s.rows), [run, s.rows, onRows]);
  const last = s.rows.at(-1);
  const lastVal = useMemo(() => [...s.rows].reverse().find((r) => typeof r.val_loss === 'number'), [s.rows]);
  const p = pace(s.rows, s.plannedSteps);
  return (
    <div className="card" data-testid={`stats-${run}`}>
      <strong>{run}</strong> <span className={`badge ${s.connected ? 'running' : ''}`}>{s.connected ? t('live') : t('offline')}</span>
      {s.error && (
        <p className="bad" role="alert">
          [{s.error.code}] {s.error.message}
        </p>
      )}
      {!last ? (
        <p className="muted">{t('waiting')}</p>
      ) : (
        <div className="cards">
          <Stat label={t('step')} value={s.plannedSteps ? `${last.step} / ${s.plannedSteps}` : String(last.step)} id="step" />
          <Stat label={t('loss')} value={fmt(last.loss)} id="loss" />
          <Stat label={t('valLoss')} value={fmt(lastVal?.val_loss)} id="val-loss" />
          <Stat label={t('lr')} value={fmt(last.lr, 3)} id="lr" />
          <Stat label={t('tokPerS')} value={fmt(p.tokPerS === null ? null : Math.round(p.tokPerS))} id="tok-s" />
          <Stat
            label={t('eta')}
            value={p.eta === null ? t('etaUnknown') : duration(p.eta)}
            id="eta"
            title={p.eta === null ? t('etaNote') : undefined}
          />
        </div>
      )}
    </div>
  );
}

function Stat({ label, value, id, title }: { label: string; value: string; id: string; title?: string }) {
  return (
    <div className="stat" data-testid={`stat-${id}`} title={title}>
      <div className="label">{label}</div>
      <div className="value">{value}</div>
    </div>
  );
}
