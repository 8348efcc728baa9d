import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { EndpointFields, useEndpointChoice } from '../../components/EndpointFields';
import { ErrorState } from '../../components/States';
import type { StageDef } from '../../stage';
import { type AgentRun, applyEvent, RunView } from './Steps';
import { postEvents } from './sse';

const TOOLS = ['calculator', 'python', 'search'] as const;
const PROTOCOLS = ['openai', 'internlm2', 'react'] as const;

let runCounter = 0;
const newSession = () => `studio-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Agent chat: pick an endpoint, a protocol and tools; every step of the agent streams in as it happens. */
function AgentPage() {
  const { t } = useTranslation('agent');
  const choice = useEndpointChoice();
  const { endpoint, model } = choice;
  const [protocol, setProtocol] = useState<(typeof PROTOCOLS)[number]>('openai');
  const [tools, setTools] = useState<string[]>(['calculator']);
  const [docs, setDocs] = useState('');
  const [system, setSystem] = useState('');
  const [maxTokens, setMaxTokens] = useState(256);
  const [temperature, setTemperature] = useState(0);
  const [maxIterations, setMaxIterations] = useState(4);
  const [input, setInput] = useState('');
  const [runs, setRuns] = useState<AgentRun[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const session = useRef(newSession());
  const abort = useRef<AbortController | null>(null);

  const toggle = (name: string, on: boolean) =>
    setTools((ts) => (on ? [...ts.filter((x) => x !== name), name] : ts.filter((x) => x !== name)));

  async function send() {
    if (!input.trim() || busy) return;
    const uid = ++runCounter;
    const update = (fn: (r: AgentRun) => AgentRun) => setRuns((rs) => rs.map((r) => (r.uid === uid ? fn(r) : r)));
    setRuns((rs) => [...rs, { uid, input, turns: [] }]);
    setInput('');
    setBusy(true);
    setError(undefined);
    abort.current = new AbortController();
    try {
      await postEvents(
        '/api/agent/run',
        { endpoint, model, protocol, tools, docs, system, maxTokens, temperature, maxIterations, input, session: session.current },
        (event, data) => update((r) => applyEvent(r, event, data)),
        abort.current.signal,
      );
    } catch (e) {
      if ((e as Error).name !== 'AbortError') {
        const code = e instanceof ApiError ? e.code : 'ERROR';
        update((r) => ({ ...r, failure: { code, message: (e as Error).message } }));
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  }

  async function clear() {
    await fetch(`/api/agent/sessions/${encodeURIComponent(session.current)}`, { method: 'DELETE' }).catch(() => undefined);
    session.current = newSession();
    setRuns([]);
    setError(undefined);
  }

  return (
    <section>
      <h1>{t('title')}</h1>
      <div className="row">
        <form className="card" style={{ width: 320 }} onSubmit={(e) => e.preventDefault()} aria-label={t('settings')}>
          <EndpointFields
            choice={choice}
            labels={{ endpoint: t('endpoint'), model: t('model'), unreachable: (error) => t('unreachable', { error }) }}
            testIdPrefix="agent-"
          />
          <label className="field">
            {t('protocol')}
            <select value={protocol} onChange={(e) => setProtocol(e.target.value as typeof protocol)} data-testid="agent-protocol">
              {PROTOCOLS.map((p) => (
                <option key={p} value={p}>
                  {t(`protocols.${p}`)}
                </option>
              ))}
            </select>
          </label>
          <fieldset>
            <legend>{t('tools')}</legend>
            {TOOLS.map((name) => (
              <label key={name} style={{ display: 'block' }}>
                <input
                  type="checkbox"
                  checked={tools.includes(name)}
                  onChange={(e) => toggle(name, e.target.checked)}
                  data-testid={`agent-tool-${name}`}
                />{' '}
                {t(`toolNames.${name}`)}
              </label>
            ))}
          </fieldset>
          {tools.includes('search') && (
            <label className="field">
              {t('docs')}
              <input value={docs} onChange={(e) => setDocs(e.target.value)} placeholder={t('docsHint')} data-testid="agent-docs" />
            </label>
          )}
          <label className="field">
            {t('system')}
            <textarea rows={3} value={system} onChange={(e) => setSystem(e.target.value)} data-testid="agent-system" />
          </label>
          <label className="field">
            {t('maxTokens')}
            <input
              type="number"
              min={1}
              value={maxTokens}
              onChange={(e) => setMaxTokens(Number(e.target.value))}
              data-testid="agent-max-tokens"
            />
          </label>
          <label className="field">
            {t('temperature')} ({temperature})
            <input type="range" min={0} max={2} step={0.05} value={temperature} onChange={(e) => setTemperature(Number(e.target.value))} />
          </label>
          <label className="field">
            {t('maxIterations')}
            <input type="number" min={1} max={16} value={maxIterations} onChange={(e) => setMaxIterations(Number(e.target.value))} />
          </label>
        </form>
        <div className="grow" aria-live="polite">
          {runs.length === 0 && <p className="state">{t('empty')}</p>}
          {runs.map((r, i) => (
            <RunView key={r.uid} run={r} live={busy && i === runs.length - 1} />
          ))}
          {error !== undefined && <ErrorState error={error} action={t('errorAction')} />}
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void send();
            }}
          >
            <label className="field">
              {t('message')}
              <textarea
                rows={3}
                value={input}
                onChange={(e) => setInput(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send();
                }}
                data-testid="agent-input"
              />
            </label>
            <div className="row">
              <button type="submit" className="primary" disabled={busy || !input.trim()} data-testid="agent-send">
                {busy ? t('running') : t('send')}
              </button>
              <button type="button" onClick={() => abort.current?.abort()} disabled={!busy}>
                {t('stop')}
              </button>
              <button type="button" onClick={() => void clear()} disabled={busy}>
                {t('clear')}
              </button>
            </div>
          </form>
        </div>
      </div>
    </section>
  );
}

export const stage: StageDef = { id: 'agent', path: 'agent', order: 23, navKey: 'nav', Page: AgentPage };
