import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { getJson } from '../../api';
import { Empty, QueryView } from '../../components/States';
import type { Board } from './types';

const pct = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');

/** CompassRank-style board over every finished eval run: mean score per model with 95% bootstrap intervals. */
export function Leaderboard() {
  const { t } = useTranslation('evaluation');
  const q = useQuery({ queryKey: ['eval-board'], queryFn: () => getJson<Board>('/api/evaluation/leaderboard') });
  return (
    <QueryView query={q}>
      {(b) =>
        b.models.length === 0 ? (
          <Empty title={t('boardEmpty')} hint={t('emptyHint')} />
        ) : (
          <>
            <p className="muted">{t('boardIntro', { runs: b.runs })}</p>
            <table data-testid="leaderboard">
              <thead>
                <tr>
                  <th>{t('rank')}</th>
                  <th>{t('model')}</th>
                  <th>{t('average')}</th>
                  {b.datasets.map((d) => (
                    <th key={d}>{d}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {b.models.map((m) => (
                  <tr key={m.model}>
                    <td className="num">{m.rank}</td>
                    <td>{m.model}</td>
                    <td className="num">
                      {pct(m.average.mean)}{' '}
                      <span className="muted">
                        [{pct(m.average.low)}, {pct(m.average.high)}]
                      </span>
                    </td>
                    {b.datasets.map((d) => {
                      const c = m.cells[d];
                      return (
                        <td key={d} className="num">
                          {c ? (
                            <>
                              {pct(c.score)}{' '}
                              <span className="muted">
                                [{pct(c.low)}, {pct(c.high)}] n={c.n}
                              </span>
                            </>
                          ) : (
                            '—'
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )
      }
    </QueryView>
  );
}
