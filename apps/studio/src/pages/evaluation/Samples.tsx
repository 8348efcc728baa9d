import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getJson } from '../../api';
import { QueryView } from '../../components/States';
import type { Sample, Unit } from './types';

const PAGE = 20;

function promptText(p: unknown): string {
  if (typeof p === 'string') return p;
  if (p && typeof p === 'object' && 'text' in p) return String((p as { text: unknown }).text);
  if (p && typeof p === 'object' && 'messages' in p)
    return ((p as { messages: { role: string; content: string }[] }).messages ?? []).map((m) => `[${m.role}] ${m.content}`).join('\n');
  if (Array.isArray(p)) return p.map((m: { role: string; content: string }) => `[${m.role}] ${m.content}`).join('\n');
  return p === null || p === undefined ? '' : JSON.stringify(p, null, 2);
}

/** One unit's scored samples: prompt, output, extracted answer and gold, filtered by subject and verdict, paged. */
export function Samples({ run, unitIndex, subset }: { run: string; unitIndex: number; subset?: string }) {
  const { t } = useTranslation('evaluation');
  const [filter, setFilter] = useState('');
  const [offset, setOffset] = useState(0);
  const q = useQuery({
    queryKey: ['eval-samples', run, unitIndex, subset, filter, offset],
    queryFn: () =>
      getJson<{ unit: Unit; total: number; samples: Sample[] }>('/api/evaluation/samples', {
        run,
        unit: unitIndex,
        subset,
        filter,
        offset,
        limit: PAGE,
      }),
  });
  return (
    <div className="card" data-testid="samples">
      <h2>
        {t('samples')}
        {subset ? ` · ${subset}` : ''}
      </h2>
      <label>
        {t('show')}{' '}
        <select
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
            setOffset(0);
          }}
        >
          <option value="">{t('all')}</option>
          <option value="correct">{t('correctOnly')}</option>
          <option value="wrong">{t('wrongOnly')}</option>
        </select>
      </label>
      <QueryView query={q}>
        {(d) =>
          d.total === 0 ? (
            <p className="state">{t('noSamples')}</p>
          ) : (
            <>
              <p className="muted">{t('range', { from: offset + 1, to: Math.min(offset + PAGE, d.total), total: d.total })}</p>
              <table>
                <thead>
                  <tr>
                    <th>{t('id')}</th>
                    <th>{t('prompt')}</th>
                    <th>{t('output')}</th>
                    <th>{t('extracted')}</th>
                    <th>{t('gold')}</th>
                    <th>{t('verdict')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.samples.map((s) => (
                    <tr key={s.id} data-sample={s.id}>
                      <td>
                        <code>{s.id}</code>
                      </td>
                      <td>
                        <details>
                          <summary>{t('showPrompt')}</summary>
                          <pre>{promptText(s.prompt)}</pre>
                        </details>
                      </td>
                      <td>
                        <pre>{s.output}</pre>
                      </td>
                      <td>
                        <code>{s.extracted ?? '∅'}</code>
                      </td>
                      <td>
                        <code>{s.gold}</code>
                      </td>
                      <td className={s.correct ? 'ok' : 'bad'}>{s.correct ? `✓ ${t('correct')}` : `✗ ${t('wrong')}`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                {t('prev')}
              </button>{' '}
              <button type="button" disabled={offset + PAGE >= d.total} onClick={() => setOffset(offset + PAGE)}>
                {t('next')}
              </button>
            </>
          )
        }
      </QueryView>
    </div>
  );
}
