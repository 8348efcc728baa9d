import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmt } from '../../api';
import { color, LineChart } from '../../components/LineChart';
import type { KbStats, Retriever } from './types';

/** Thresholds per retriever and the precision / recall / F1 curve of the one picked, the chosen threshold marked. */
export function CalibrationView({ stats }: { stats: KbStats }) {
  const { t } = useTranslation('assistant');
  const kinds = (Object.keys(stats.thresholds) as Retriever[]).sort();
  const [pick, setPick] = useState<Retriever | undefined>(undefined);
  if (!kinds.length) return <p className="muted">{t('notCalibrated')}</p>;
  const kind = pick && kinds.includes(pick) ? pick : (kinds[0] as Retriever);
  const cal = stats.thresholds[kind];
  if (!cal) return null;
  const x = cal.curve.map((p) => p.threshold);
  return (
    <div data-testid="calibration">
      <table>
        <thead>
          <tr>
            <th>{t('retriever')}</th>
            <th>{t('threshold')}</th>
            <th>{t('f1')}</th>
            <th>{t('precision')}</th>
            <th>{t('recall')}</th>
            <th>{t('questionsUsed')}</th>
          </tr>
        </thead>
        <tbody>
          {kinds.map((k) => {
            const c = stats.thresholds[k];
            return (
              c && (
                <tr key={k} data-testid={`threshold-${k}`}>
                  <td>
                    <button type="button" onClick={() => setPick(k)} aria-pressed={k === kind}>
                      {k}
                    </button>
                  </td>
                  <td className="num">{fmt(c.threshold, 4)}</td>
                  <td className="num">{fmt(c.f1, 3)}</td>
                  <td className="num">{fmt(c.precision, 3)}</td>
                  <td className="num">{fmt(c.recall, 3)}</td>
                  <td className="num">{t('goodBad', { good: c.good, bad: c.bad })}</td>
                </tr>
              )
            );
          })}
        </tbody>
      </table>
      <h3>{t('curveTitle', { retriever: kind, threshold: fmt(cal.threshold, 4) })}</h3>
      <LineChart
        testId="pr-curve"
        x={x}
        series={[
          { label: t('precision'), color: color(0), values: cal.curve.map((p) => p.precision) },
          { label: t('recall'), color: color(1), values: cal.curve.map((p) => p.recall) },
          { label: t('f1'), color: color(2), values: cal.curve.map((p) => p.f1) },
          {
            label: t('chosen'),
            color: color(3),
            points: true,
            values: cal.curve.map((p) => (p.threshold === cal.threshold ? p.f1 : null)),
          },
        ]}
        xLabel={t('threshold')}
        yLabel={t('metric')}
        height={240}
      />
    </div>
  );
}
