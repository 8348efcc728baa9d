import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { getJson } from '../../api';
import { QueryView } from '../../components/States';

interface Grid {
  title: string;
  lengths: number[];
  depths: number[];
  values: (number | null)[][];
}

/** Red (0) → yellow → green (100), as OpenCompass's NeedleBench plots. */
function heat(v: number): string {
  const hue = (Math.max(0, Math.min(100, v)) / 100) * 120;
  return `hsl(${hue} 70% 72%)`;
}

/** NeedleBench heatmaps (depth × context length, mean score per cell) as colour-coded tables, one per model × kind × language. */
export function NeedleHeatmaps({ run }: { run: string }) {
  const { t } = useTranslation('evaluation');
  const q = useQuery({ queryKey: ['needle', run], queryFn: () => getJson<{ grids: Grid[] }>('/api/evaluation/needle', { run }) });
  return (
    <QueryView query={q}>
      {(d) =>
        d.grids.length === 0 ? null : (
          <>
            <h2>{t('needle')}</h2>
            {d.grids.map((g) => (
              <figure key={g.title} className="card" data-testid="needle-grid">
                <figcaption>{g.title}</figcaption>
                <table>
                  <thead>
                    <tr>
                      <th>{t('depthLength')}</th>
                      {g.lengths.map((l) => (
                        <th key={l}>{l}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {g.depths.map((depth, r) => (
                      <tr key={depth}>
                        <th>{depth}%</th>
                        {g.lengths.map((l, c) => {
                          const v = g.values[r][c];
                          return (
                            <td key={l} className="num" style={v === null || v === undefined ? undefined : { background: heat(v) }}>
                              {v === null || v === undefined ? '—' : v.toFixed(0)}
                            </td>
                          );
                        })}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </figure>
            ))}
          </>
        )
      }
    </QueryView>
  );
}
