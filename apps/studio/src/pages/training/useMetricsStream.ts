import { useEffect, useState } from 'react';

export interface MetricsRow {
  step: number;
  loss: number | null;
  lr?: number;
  grad_norm?: number;
  tokens?: number;
  tokens_per_s?: number;
  val_loss?: number | null;
}

export interface StreamState {
  rows: MetricsRow[];
  plannedSteps: number | null;
  connected: boolean;
  error?: { code: string; message: string };
}

/**
 * A run's metrics.jsonl over SSE (/api/training/stream): the whole file first, then each
 * row as `puyu train` appends it. `reset` (a resumed run rewrote the file) starts over.
 */
export function useMetricsStream(run: string | undefined): StreamState {
  const [state, setState] = useState<StreamState>({ rows: [], plannedSteps: null, connected: false });
  useEffect(() => {
    setState({ rows: [], plannedSteps: null, connected: false });
    if (!run) return;
    const es = new EventSource(`/api/training/stream?run=${encodeURIComponent(run)}`);
    es.addEventListener('open', () => setState((s) => ({ ...s, connected: true, error: undefined })));
    es.addEventListener('meta', (e) => {
      const meta = JSON.parse((e as MessageEvent).data) as { plannedSteps: number | null };
      setState((s) => ({ ...s, plannedSteps: meta.plannedSteps }));
    });
    es.addEventListener('reset', () => setState((s) => ({ ...s, rows: [] })));
    es.addEventListener('rows', (e) => {
      const rows = JSON.parse((e as MessageEvent).data) as MetricsRow[];
      setState((s) => ({ ...s, rows: [...s.rows, ...rows] }));
    });
    es.addEventListener('failure', (e) => {
      const err = JSON.parse((e as MessageEvent).data) as { code: string; message: string };
      setState((s) => ({ ...s, error: err }));
    });
    es.addEventListener('error', () => setState((s) => ({ ...s, connected: false })));
    return () => es.close();
  }, [run]);
  return state;
}

/** Mean tokens/s over the last `n` steps, seconds per step, and the ETA in seconds when the planned step count is known. */
export function pace(rows: MetricsRow[], plannedSteps: number | null, n = 10) {
  const last = rows.slice(-n).filter((r) => typeof r.tokens_per_s === 'number' && (r.tokens_per_s ?? 0) > 0);
  if (!last.length) return { tokPerS: null, secPerStep: null, eta: null };
  const tokPerS = last.reduce((a, r) => a + (r.tokens_per_s ?? 0), 0) / last.length;
  const first = rows[0];
  const tokensPerStep = first?.tokens && first.step ? first.tokens / first.step : null;
  const secPerStep = tokensPerStep ? tokensPerStep / tokPerS : null;
  const step = rows.at(-1)?.step ?? 0;
  const eta = plannedSteps && secPerStep !== null ? Math.max(0, plannedSteps - step) * secPerStep : null;
  return { tokPerS, secPerStep, eta };
}
