import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { EndpointFields, useEndpointChoice } from '../../components/EndpointFields';
import { ErrorState, Loading } from '../../components/States';
import type { StageDef } from '../../stage';
import { CALCULATOR_TOOL, runCalculator } from './calculator';
import { readChatStream, type StreamResult } from './sse';
import { type ChatMsg, Transcript, turnId } from './Transcript';

/** Tool rounds run without the user (built-in calculator answers) before the page stops and asks. */
const MAX_AUTO_ROUNDS = 4;

function parseTools(text: string): { tools: unknown[]; error?: string } {
  if (!text.trim()) return { tools: [] };
  try {
    const v = JSON.parse(text) as unknown;
    if (!Array.isArray(v)) return { tools: [], error: 'not a JSON array' };
    return { tools: v };
  } catch (e) {
    return { tools: [], error: (e as Error).message };
  }
}

function Chat() {
  const { t } = useTranslation('chat');
  const choice = useEndpointChoice();
  const { endpoints: eps, endpoint, model } = choice;
  const [system, setSystem] = useState('');
  const [temperature, setTemperature] = useState(0.7);
  const [topP, setTopP] = useState(0.95);
  const [maxTokens, setMaxTokens] = useState(256);
  const [seed, setSeed] = useState('');
  const [useCalculator, setUseCalculator] = useState(true);
  const [customTools, setCustomTools] = useState('');
  const [messages, setMessages] = useState<ChatMsg[]>([]);
  const [draft, setDraft] = useState<StreamResult>();
  const [input, setInput] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [pending, setPending] = useState<Record<string, string>>({});
  const abort = useRef<AbortController | null>(null);

  const custom = parseTools(customTools);
  const tools = [...(useCalculator ? [CALCULATOR_TOOL] : []), ...custom.tools];

  /** Streams one assistant turn; then answers calculator calls itself and goes on, or waits for the user's tool results. */
  async function run(history: ChatMsg[], round = 0): Promise<void> {
    const body = {
      endpoint,
      request: {
        model: model || undefined,
        messages: [...(system ? [{ role: 'system', content: system }] : []), ...history.map(({ stats: _s, uid: _u, ...m }) => m)],
        temperature,
        top_p: topP,
        max_tokens: maxTokens,
        ...(seed.trim() ? { seed: Number(seed) } : {}),
        ...(tools.length ? { tools } : {}),
      },
    };
    abort.current = new AbortController();
    const started = performance.now();
    const res = await fetch('/api/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: abort.current.signal,
    });
    if (!res.ok) {
      const e = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
      throw new ApiError(e.error?.code ?? `HTTP_${res.status}`, e.error?.message ?? `HTTP ${res.status}`);
    }
    const r = await readChatStream(res, started, setDraft);
    setDraft(undefined);
    const turn: ChatMsg = {
      uid: turnId(),
      role: 'assistant',
      content: r.content,
      ...(r.toolCalls.length ? { tool_calls: r.toolCalls } : {}),
      stats: { usage: r.usage, ttftMs: r.ttftMs, totalMs: r.totalMs, finishReason: r.finishReason },
    };
    let next = [...history, turn];
    const answered: ChatMsg[] = [];
    const waiting: Record<string, string> = {};
    for (const c of r.toolCalls) {
      if (useCalculator && c.function.name === 'calculator')
        answered.push({ uid: turnId(), role: 'tool', tool_call_id: c.id, content: runCalculator(c.function.arguments) });
      else waiting[c.id] = '';
    }
    next = [...next, ...answered];
    setMessages(next);
    if (Object.keys(waiting).length) setPending(waiting);
    else if (answered.length && round + 1 < MAX_AUTO_ROUNDS) await run(next, round + 1);
  }

  async function guarded(fn: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setError(e);
      setDraft(undefined);
    } finally {
      setBusy(false);
    }
  }

  const send = () => {
    if (!input.trim()) return;
    const history: ChatMsg[] = [...messages, { uid: turnId(), role: 'user', content: input }];
    setMessages(history);
    setInput('');
    void guarded(() => run(history));
  };
  const sendToolResults = () => {
    const history: ChatMsg[] = [
      ...messages,
      ...Object.entries(pending).map(([id, content]) => ({ uid: turnId(), role: 'tool' as const, tool_call_id: id, content })),
    ];
    setPending({});
    setMessages(history);
    void guarded(() => run(history));
  };
  return (
    <section>
      <h1>{t('title')}</h1>
      <div className="row">
        <form className="card" style={{ width: 320 }} onSubmit={(e) => e.preventDefault()} aria-label={t('settings')}>
          {eps.isPending && <Loading />}
          {eps.isError && <ErrorState error={eps.error} />}
          <EndpointFields
            choice={choice}
            labels={{ endpoint: t('endpoint'), model: t('model'), unreachable: (error) => t('unreachable', { error }) }}
            testIdPrefix=""
          />
          <label className="field">
            {t('system')}
            <textarea rows={3} value={system} onChange={(e) => setSystem(e.target.value)} data-testid="system" />
          </label>
          <label className="field">
            {t('temperature')} ({temperature})
            <input
              type="range"
              min={0}
              max={2}
              step={0.05}
              value={temperature}
              onChange={(e) => setTemperature(Number(e.target.value))}
              data-testid="temperature"
            />
          </label>
          <label className="field">
            {t('topP')} ({topP})
            <input type="range" min={0} max={1} step={0.05} value={topP} onChange={(e) => setTopP(Number(e.target.value))} />
          </label>
          <label className="field">
            {t('maxTokens')}
            <input
              type="number"
              min={1}
              value={maxTokens}
              onChange={(e) => setMaxTokens(Number(e.target.value))}
              data-testid="max-tokens"
            />
          </label>
          <label className="field">
            {t('seed')}
            <input type="number" value={seed} onChange={(e) => setSeed(e.target.value)} />
          </label>
          <label>
            <input type="checkbox" checked={useCalculator} onChange={(e) => setUseCalculator(e.target.checked)} data-testid="calculator" />{' '}
            {t('calculator')}
          </label>
          <label className="field">
            {t('customTools')}
            <textarea
              rows={4}
              value={customTools}
              onChange={(e) => setCustomTools(e.target.value)}
              placeholder={t('customToolsHint')}
              data-testid="custom-tools"
            />
          </label>
          {custom.error && <p className="bad">{t('badTools', { error: custom.error })}</p>}
        </form>
        <div className="grow">
          {messages.length === 0 && !draft && <p className="state">{t('empty')}</p>}
          <Transcript messages={messages} draft={draft} />
          {Object.keys(pending).length > 0 && (
            <div className="card">
              <p>{t('answerTools')}</p>
              {Object.keys(pending).map((id) => (
                <label key={id} className="field">
                  {id}
                  <textarea
                    rows={2}
                    value={pending[id]}
                    onChange={(e) => setPending((p) => ({ ...p, [id]: e.target.value }))}
                    data-testid="tool-answer"
                  />
                </label>
              ))}
              <button type="button" className="primary" onClick={sendToolResults} disabled={busy} data-testid="send-results">
                {t('sendResults')}
              </button>
            </div>
          )}
          {error !== undefined && <ErrorState error={error} action={t('errorAction')} />}
          <form
            onSubmit={(e) => {
              e.preventDefault();
              send();
            }}
          >
            <label className="field">
              {t('message')}
              <textarea
                rows={3}
                value={input}
                onChange={(e) => setInput(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send();
                }}
                data-testid="chat-input"
              />
            </label>
            <div className="row">
              <button
                type="submit"
                className="primary"
                disabled={busy || !input.trim() || Object.keys(pending).length > 0}
                data-testid="send"
              >
                {busy ? t('streaming') : t('send')}
              </button>
              <button type="button" onClick={() => abort.current?.abort()} disabled={!busy}>
                {t('stop')}
              </button>
              <button type="button" onClick={() => setMessages([])} disabled={busy}>
                {t('clear')}
              </button>
            </div>
          </form>
        </div>
      </div>
    </section>
  );
}

export const stage: StageDef = { id: 'chat', path: 'chat', order: 20, navKey: 'nav', Page: Chat };
