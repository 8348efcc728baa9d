import { Fragment, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useEndpointChoice } from '../../components/EndpointFields';
import { ErrorState } from '../../components/States';
import type { StageDef } from '../../stage';
import { postEvents } from '../agent/sse';
import { PlanGraphView, type SubQuestion } from './Graph';

interface Reference {
  id: number;
  url: string;
  title: string;
}
interface SearchState {
  question: string;
  nodes: SubQuestion[];
  edges: [string, string][];
  planErrors: { attempt: number; error: string }[];
  repairs: string[];
  fallback?: string;
  running: number;
  /** Most searchers seen running at once: the page's evidence that they run in parallel. */
  maxRunning: number;
  final?: { answer: string; references: Reference[] };
  failure?: string;
}

/** Folds one MindSearch event (the JSON of @puyu/agent's SearchEvent) into the page state. */
function applySearchEvent(s: SearchState, event: string, d: Record<string, unknown>): SearchState {
  const setNode = (id: string, fn: (n: SubQuestion) => SubQuestion) => s.nodes.map((n) => (n.id === id ? fn(n) : n));
  switch (event) {
    case 'plan_error':
      return { ...s, planErrors: [...s.planErrors, { attempt: Number(d.attempt), error: String(d.error) }] };
    case 'plan': {
      const g = d.graph as { nodes: { id: string; question: string }[]; edges: [string, string][] };
      const known = new Map(s.nodes.map((n) => [n.id, n]));
      const nodes = g.nodes.map((n) => known.get(n.id) ?? { ...n, status: 'pending' as const });
      const fallback = (d.fallback as { message?: string } | undefined)?.message;
      return { ...s, nodes, edges: g.edges, repairs: [...s.repairs, ...((d.repairs as string[]) ?? [])], fallback: fallback ?? s.fallback };
    }
    case 'node_start': {
      const running = s.running + 1;
      const node = String(d.node);
      return {
        ...s,
        nodes: setNode(node, (n) => ({ ...n, status: 'running', startedAt: Number(d.at) })),
        running,
        maxRunning: Math.max(s.maxRunning, running),
      };
    }
    case 'node_search':
      return { ...s, nodes: setNode(String(d.node), (n) => ({ ...n, query: String(d.query) })) };
    case 'node_answer':
      return {
        ...s,
        running: s.running - 1,
        nodes: setNode(String(d.node), (n) => ({
          ...n,
          status: 'done',
          answer: String(d.answer),
          sources: d.sources as SubQuestion['sources'],
          endedAt: Number(d.at),
        })),
      };
    case 'node_error':
      return {
        ...s,
        running: s.running - 1,
        nodes: setNode(String(d.node), (n) => ({ ...n, status: 'failed', error: String(d.error), endedAt: Number(d.at) })),
      };
    case 'final':
      return { ...s, final: { answer: String(d.answer), references: (d.references as Reference[]) ?? [] } };
    case 'error':
      return { ...s, failure: String(d.message) };
  }
  return s;
}

/** Where a reference opens: a local page through the Studio (file: URLs cannot be opened from here), a web page directly. */
function refHref(url: string, docs: string): string {
  return url.startsWith('file:') ? `/api/agent/doc?docs=${encodeURIComponent(docs)}&url=${encodeURIComponent(url)}` : url;
}

/** The answer's `[[n]]` marks as links to reference n (each piece keyed by where it starts in the text). */
function CitedText({ text, refs, docs }: { text: string; refs: Reference[]; docs: string }) {
  const pieces: { at: number; text: string; ref?: Reference; mark?: string }[] = [];
  let last = 0;
  for (const m of text.matchAll(/\[\[(\d+)\]\]/g)) {
    if (m.index > last) pieces.push({ at: last, text: text.slice(last, m.index) });
    pieces.push({ at: m.index, text: m[0], mark: m[1], ref: refs.find((r) => r.id === Number(m[1])) });
    last = m.index + m[0].length;
  }
  if (last < text.length) pieces.push({ at: last, text: text.slice(last) });
  return (
    <p data-testid="ms-answer">
      {pieces.map((p) =>
        p.ref ? (
          <a
            key={p.at}
            href={refHref(p.ref.url, docs)}
            target="_blank"
            rel="noreferrer"
            data-testid="citation"
            data-ref={p.ref.id}
            title={p.ref.title}
          >
            [{p.ref.id}]
          </a>
        ) : p.mark ? (
          <sup key={p.at}>{p.text}</sup>
        ) : (
          <Fragment key={p.at}>{p.text}</Fragment>
        ),
      )}
    </p>
  );
}

function MindSearchPage() {
  const { t } = useTranslation('mindsearch');
  const { endpoints: eps, endpoint, setEndpoint, model, setModel, touch } = useEndpointChoice();
  const [docs, setDocs] = useState('');
  const [rounds, setRounds] = useState(2);
  const [question, setQuestion] = useState('');
  const [state, setState] = useState<SearchState>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const abort = useRef<AbortController | null>(null);

  async function search() {
    if (!question.trim() || busy) return;
    setState({ question, nodes: [], edges: [], planErrors: [], repairs: [], running: 0, maxRunning: 0 });
    setBusy(true);
    setError(undefined);
    abort.current = new AbortController();
    try {
      await postEvents(
        '/api/agent/solve',
        { endpoint, model, docs, question, rounds },
        (event, data) => setState((s) => s && applySearchEvent(s, event, data as Record<string, unknown>)),
        abort.current.signal,
      );
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <h1>{t('title')}</h1>
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
        aria-label={t('settings')}
      >
        <div className="row">
          <label className="field grow">
            {t('endpoint')}
            <input
              list="ms-endpoints"
              value={endpoint}
              onFocus={touch}
              onChange={(e) => setEndpoint(e.target.value)}
              data-testid="ms-endpoint"
            />
            <datalist id="ms-endpoints">
              {eps.data?.endpoints.map((e) => (
                <option key={e.url} value={e.url} />
              ))}
            </datalist>
          </label>
          <label className="field">
            {t('model')}
            <input value={model} onFocus={touch} onChange={(e) => setModel(e.target.value)} data-testid="ms-model" />
          </label>
          <label className="field grow">
            {t('docs')}
            <input value={docs} onChange={(e) => setDocs(e.target.value)} placeholder={t('docsHint')} data-testid="ms-docs" />
          </label>
          <label className="field">
            {t('rounds')}
            <input type="number" min={1} max={4} value={rounds} onChange={(e) => setRounds(Number(e.target.value))} />
          </label>
        </div>
        <label className="field">
          {t('question')}
          <input value={question} onChange={(e) => setQuestion(e.target.value)} data-testid="ms-question" />
        </label>
        <div className="row">
          <button type="submit" className="primary" disabled={busy || !question.trim()} data-testid="ms-search">
            {busy ? t('searching') : t('search')}
          </button>
          <button type="button" onClick={() => abort.current?.abort()} disabled={!busy}>
            {t('stop')}
          </button>
        </div>
      </form>
      {error !== undefined && <ErrorState error={error} action={t('errorAction')} />}
      {!state && error === undefined && <p className="state">{t('empty')}</p>}
      {state && (
        <>
          <p className="muted" data-testid="ms-progress" data-max-running={state.maxRunning} data-running={state.running}>
            {t('progress', {
              done: state.nodes.filter((n) => n.status === 'done' || n.status === 'failed').length,
              total: state.nodes.length,
              running: state.running,
              max: state.maxRunning,
            })}
          </p>
          {state.planErrors.map((e) => (
            <p key={e.attempt} className="bad" data-testid="ms-plan-error">
              {t('planError', { n: e.attempt, error: e.error })}
            </p>
          ))}
          {state.repairs.length > 0 && <p className="muted">{t('repairs', { list: state.repairs.join('; ') })}</p>}
          {state.fallback && (
            <p className="bad" role="alert">
              {state.fallback}
            </p>
          )}
          {state.nodes.length > 0 && <PlanGraphView question={state.question} nodes={state.nodes} edges={state.edges} />}
          {state.final && (
            <div className="card" data-testid="ms-final">
              <h2>{t('answer')}</h2>
              <CitedText text={state.final.answer} refs={state.final.references} docs={docs} />
              <h2>{t('references')}</h2>
              <ol data-testid="ms-references">
                {state.final.references.map((r) => (
                  <li key={r.id} value={r.id}>
                    <a href={refHref(r.url, docs)} target="_blank" rel="noreferrer" data-testid="reference" data-url={r.url}>
                      {r.title || r.url}
                    </a>
                  </li>
                ))}
              </ol>
            </div>
          )}
          {state.failure && (
            <p className="bad" role="alert" data-testid="ms-failure">
              {state.failure}
            </p>
          )}
          <h2>{t('subQuestions')}</h2>
          <table data-testid="ms-nodes">
            <thead>
              <tr>
                <th>{t('id')}</th>
                <th>{t('subQuestion')}</th>
                <th>{t('state')}</th>
                <th>{t('nodeAnswer')}</th>
              </tr>
            </thead>
            <tbody>
              {state.nodes.map((n) => (
                <tr key={n.id} data-node={n.id} data-status={n.status}>
                  <td>
                    <code>{n.id}</code>
                  </td>
                  <td>
                    {n.question}
                    {n.query && <div className="muted">{t('query', { query: n.query })}</div>}
                  </td>
                  <td>
                    <span className={`badge ${n.status}`}>{t(`status.${n.status}`)}</span>
                    {n.startedAt && n.endedAt ? <div className="muted">{t('ms', { ms: n.endedAt - n.startedAt })}</div> : null}
                  </td>
                  <td>{n.answer ?? n.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

export const stage: StageDef = { id: 'mindsearch', path: 'mindsearch', order: 24, navKey: 'nav', Page: MindSearchPage };
