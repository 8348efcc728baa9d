import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmt, getJson } from '../../api';
import { color, LineChart } from '../../components/LineChart';
import { ErrorState, Loading } from '../../components/States';
import type { StageDef } from '../../stage';
import { histogram, type PromSample, rate, type Scrape, sum } from './metrics';

const POLL_MS = 2000;
const KEEP = 300;

function Histogram({ title, samples, name }: { title: string; samples: PromSample[]; name: string }) {
  const { t } = useTranslation('serving');
  const h = histogram(samples, name);
  return (
    <div className="card grow">
      <h2>{title}</h2>
      <p className="muted">
        {t('histFacts', {
          n: h.count,
          mean: h.mean === undefined ? '—' : (h.mean * 1000).toFixed(1),
          p50: h.p50 === undefined ? '—' : `≤ ${h.p50 * 1000}`,
          p95: h.p95 === undefined ? '—' : `≤ ${h.p95 * 1000}`,
        })}
      </p>
      <table>
        <thead>
          <tr>
            <th>{t('bucket')}</th>
            <th>{t('count')}</th>
          </tr>
        </thead>
        <tbody>
          {h.rows
            .filter((r) => r.n > 0)
            .map((r) => (
              <tr key={r.le}>
                <td>{Number.isFinite(r.le) ? `≤ ${r.le * 1000} ms` : t('above')}</td>
                <td className="num">{r.n}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}

function Serving() {
  const { t } = useTranslation('serving');
  const eps = useQuery({ queryKey: ['chat-endpoints'], queryFn: () => getJson<{ endpoints: { url: string }[] }>('/api/chat/endpoints') });
  const [endpoint, setEndpoint] = useState('');
  const [history, setHistory] = useState<Scrape[]>([]);
  useEffect(() => {
    if (!endpoint && eps.data?.endpoints[0]) setEndpoint(eps.data.endpoints[0].url);
  }, [eps.data, endpoint]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new endpoint starts a new history
  useEffect(() => setHistory([]), [endpoint]);
  const q = useQuery({
    queryKey: ['serving-metrics', endpoint],
    queryFn: () => getJson<Scrape & { endpoint: string }>('/api/serving/metrics', { endpoint }),
    enabled: !!endpoint,
    refetchInterval: POLL_MS,
    retry: false,
  });
  useEffect(() => {
    if (q.data) setHistory((h) => (h.at(-1)?.at === q.data.at ? h : [...h.slice(-KEEP + 1), { at: q.data.at, samples: q.data.samples }]));
  }, [q.data]);
  const last = history.at(-1)?.samples ?? [];
  const chart = useMemo(() => {
    const x = history.map((h) => (h.at - (history[0]?.at ?? 0)) / 1000);
    const tps = history.map((_, i) => (i ? rate(history.slice(0, i + 1), 'puyu_generation_tokens_total', 1) : null));
    const queue = history.map((h) => sum(h.samples, 'puyu_queue_depth'));
    const active = history.map((h) => sum(h.samples, 'puyu_active_sequences'));
    return { x, tps, queue, active };
  }, [history]);
  const totalSeq = sum(last, 'puyu_total_sequences');
  return (
    <section>
      <h1>{t('title')}</h1>
      <label className="field" style={{ maxWidth: 480 }}>
        {t('endpoint')}
        <input list="serving-endpoints" value={endpoint} onChange={(e) => setEndpoint(e.target.value)} data-testid="serving-endpoint" />
        <datalist id="serving-endpoints">
          {eps.data?.endpoints.map((e) => (
            <option key={e.url} value={e.url} />
          ))}
        </datalist>
      </label>
      {(eps.isPending || (q.isPending && !!endpoint)) && <Loading />}
      {eps.isError && <ErrorState error={eps.error} />}
      {q.isError && <ErrorState error={q.error} action={t('errorAction')} />}
      {history.length > 0 && (
        <>
          <div className="cards" data-testid="serving-stats">
            <Stat label={t('requests')} value={fmt(sum(last, 'puyu_requests_total'))} id="requests" />
            <Stat label={t('promptTokens')} value={fmt(sum(last, 'puyu_prompt_tokens_total'))} id="prompt-tokens" />
            <Stat label={t('generated')} value={fmt(sum(last, 'puyu_generation_tokens_total'))} id="generated" />
            <Stat label={t('tokPerS')} value={fmt(rate(history, 'puyu_generation_tokens_total'), 3)} id="tok-s" />
            <Stat label={t('queue')} value={fmt(sum(last, 'puyu_queue_depth'))} id="queue" />
            <Stat label={t('active')} value={`${fmt(sum(last, 'puyu_active_sequences'))} / ${fmt(totalSeq)}`} id="active" />
            <Stat label={t('prefix')} value={fmt(sum(last, 'puyu_prefix_reused_tokens_total'))} id="prefix" />
            <Stat label={t('rejected')} value={fmt(sum(last, 'puyu_requests_rejected_total'))} id="rejected" />
          </div>
          <div className="row">
            <div className="grow">
              <h2>{t('tokPerS')}</h2>
              <LineChart
                x={chart.x}
                series={[{ label: t('tokPerS'), color: color(0), values: chart.tps }]}
                xLabel={t('seconds')}
                yLabel={t('tokPerS')}
                height={200}
              />
            </div>
            <div className="grow">
              <h2>{t('load')}</h2>
              <LineChart
                x={chart.x}
                series={[
                  { label: t('queue'), color: color(1), values: chart.queue },
                  { label: t('active'), color: color(2), values: chart.active },
                ]}
                xLabel={t('seconds')}
                yLabel={t('sequences')}
                height={200}
              />
            </div>
          </div>
          <div className="row">
            <Histogram title={t('ttft')} samples={last} name="puyu_time_to_first_token_seconds" />
            <Histogram title={t('interToken')} samples={last} name="puyu_inter_token_latency_seconds" />
            <Histogram title={t('e2e')} samples={last} name="puyu_e2e_request_latency_seconds" />
          </div>
        </>
      )}
    </section>
  );
}

function Stat({ label, value, id }: { label: string; value: string; id: string }) {
  return (
    <div className="stat" data-testid={`stat-${id}`}>
      <div className="label">{label}</div>
      <div className="value">{value}</div>
    </div>
  );
}

export const stage: StageDef = { id: 'serving', path: 'serving', order: 50, navKey: 'nav', Page: Serving };
