import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { bytes, fmt, getJson } from '../../api';
import { Empty, QueryView } from '../../components/States';
import type { StageDef } from '../../stage';
import { TokenizerPlayground } from './Tokenizer';

interface ModelEntry {
  run: string;
  kind: 'gguf' | 'hf';
  path: string;
  bytes?: number;
}

interface Summary {
  kind: string;
  path: string;
  architecture?: string;
  hyperParameters: Record<string, unknown>;
  parameterCount: number;
  totalBytes: number;
  tensors: { name: string; shape: number[]; dtype: string; bytes: number }[];
  tokenizer?: { source: string; vocabSize: number; model?: string; bosId?: number; eosId?: number; specialTokens: Record<string, number> };
  notes: string[];
}

function Inspect({ path }: { path: string }) {
  const { t } = useTranslation('models');
  const q = useQuery({ queryKey: ['inspect', path], queryFn: () => getJson<Summary>('/api/models/inspect', { path }) });
  return (
    <QueryView query={q}>
      {(s) => {
        const byType = new Map<string, { n: number; bytes: number }>();
        for (const x of s.tensors) {
          const e = byType.get(x.dtype) ?? { n: 0, bytes: 0 };
          byType.set(x.dtype, { n: e.n + 1, bytes: e.bytes + x.bytes });
        }
        return (
          <div data-testid="inspect">
            <div className="cards">
              <Stat label={t('format')} value={s.kind} />
              <Stat label={t('architecture')} value={s.architecture ?? '—'} />
              <Stat label={t('parameters')} value={fmt(s.parameterCount)} id="params" />
              <Stat label={t('size')} value={bytes(s.totalBytes)} />
              <Stat label={t('tensors')} value={String(s.tensors.length)} id="tensors" />
              <Stat label={t('vocab')} value={s.tokenizer ? String(s.tokenizer.vocabSize) : '—'} />
            </div>
            <h2>{t('quantisation')}</h2>
            <table>
              <thead>
                <tr>
                  <th>{t('dtype')}</th>
                  <th>{t('tensors')}</th>
                  <th>{t('size')}</th>
                </tr>
              </thead>
              <tbody>
                {[...byType].map(([k, v]) => (
                  <tr key={k}>
                    <td>{k}</td>
                    <td className="num">{v.n}</td>
                    <td className="num">{bytes(v.bytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="row">
              <div>
                <h2>{t('hyper')}</h2>
                <table>
                  <tbody>
                    {Object.entries(s.hyperParameters).map(([k, v]) => (
                      <tr key={k}>
                        <td>{k}</td>
                        <td className="num">{typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {s.notes.length > 0 && (
                  <>
                    <h2>{t('notes')}</h2>
                    <ul>
                      {s.notes.map((n) => (
                        <li key={n}>{n}</li>
                      ))}
                    </ul>
                  </>
                )}
              </div>
              <div className="grow">
                <h2>{t('tensorTable')}</h2>
                <table data-testid="tensor-table">
                  <thead>
                    <tr>
                      <th>{t('name')}</th>
                      <th>{t('shape')}</th>
                      <th>{t('dtype')}</th>
                      <th>{t('size')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.tensors.map((x) => (
                      <tr key={x.name}>
                        <td>
                          <code>{x.name}</code>
                        </td>
                        <td>{x.shape.join(' × ')}</td>
                        <td>{x.dtype}</td>
                        <td className="num">{bytes(x.bytes)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          </div>
        );
      }}
    </QueryView>
  );
}

function Stat({ label, value, id }: { label: string; value: string; id?: string }) {
  return (
    <div className="stat" data-testid={id ? `stat-${id}` : undefined}>
      <div className="label">{label}</div>
      <div className="value">{value}</div>
    </div>
  );
}

function Models() {
  const { t } = useTranslation('models');
  const [params, setParams] = useSearchParams();
  const q = useQuery({ queryKey: ['models'], queryFn: () => getJson<{ runsDir: string; models: ModelEntry[] }>('/api/models/list') });
  return (
    <section>
      <h1>{t('title')}</h1>
      <QueryView query={q}>
        {(d) => {
          if (!d.models.length) return <Empty title={t('empty')} hint={t('emptyHint')} />;
          const path = params.get('path') ?? d.models[0].path;
          const rel = (p: string) => (p.startsWith(`${d.runsDir}/`) ? p.slice(d.runsDir.length + 1) : p);
          return (
            <>
              <label>
                {t('model')}{' '}
                <select value={path} onChange={(e) => setParams({ path: e.target.value })} data-testid="model-select">
                  {d.models.map((m) => (
                    <option key={m.path} value={m.path}>
                      {rel(m.path)} ({m.kind === 'hf' ? t('hf') : 'GGUF'}
                      {m.bytes ? `, ${bytes(m.bytes)}` : ''})
                    </option>
                  ))}
                </select>
              </label>
              <Inspect key={path} path={path} />
              <TokenizerPlayground key={`tok:${path}`} path={path} />
            </>
          );
        }}
      </QueryView>
    </section>
  );
}

export const stage: StageDef = { id: 'models', path: 'models', order: 40, navKey: 'nav', Page: Models };
