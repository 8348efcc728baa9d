import { useTranslation } from 'react-i18next';

/** The agent's events as the page reads them (the JSON of @puyu/agent's AgentEvent). */
export interface ToolCallInfo {
  id: string;
  name: string;
  arguments: unknown;
}
export interface ToolResultInfo {
  callId: string;
  name: string;
  ok: boolean;
  content: string;
  durationMs: number;
}
export interface IssueInfo {
  code: string;
  message: string;
  raw: string;
}
export interface FinalInfo {
  status: 'answered' | 'max_iterations' | 'aborted' | 'error';
  answer: string;
  iterations: number;
  error?: { code: string; message: string };
}

/** One model turn: what it wrote, the calls it made (each with its result once back), unreadable calls. */
export interface Turn {
  iteration: number;
  text: string;
  calls: { call: ToolCallInfo; result?: ToolResultInfo }[];
  issues: IssueInfo[];
}

/** One question to the agent and everything it did for it. */
export interface AgentRun {
  uid: number;
  input: string;
  turns: Turn[];
  final?: FinalInfo;
  /** The request was refused or the stream broke (not a run that ended with status `error`). */
  failure?: { code: string; message: string };
}

/** Folds one streamed event into the run (a new object, so React re-renders). */
export function applyEvent(run: AgentRun, event: string, data: unknown): AgentRun {
  const d = data as Record<string, unknown>;
  const turns = [...run.turns];
  const last = () => {
    if (turns.length === 0) turns.push({ iteration: 0, text: '', calls: [], issues: [] });
    const t = { ...(turns.at(-1) as Turn) };
    turns[turns.length - 1] = t;
    return t;
  };
  switch (event) {
    case 'turn_start':
      turns.push({ iteration: Number(d.iteration ?? turns.length), text: '', calls: [], issues: [] });
      break;
    case 'text': {
      const t = last();
      t.text += String(d.text ?? '');
      break;
    }
    case 'tool_call': {
      const t = last();
      t.calls = [...t.calls, { call: d.call as ToolCallInfo }];
      break;
    }
    case 'tool_result': {
      const r = d.result as ToolResultInfo;
      const i = turns.findIndex((t) => t.calls.some((c) => c.call.id === r.callId));
      if (i >= 0) {
        const t = { ...(turns[i] as Turn) };
        t.calls = t.calls.map((c) => (c.call.id === r.callId ? { ...c, result: r } : c));
        turns[i] = t;
      }
      break;
    }
    case 'protocol_error': {
      const t = last();
      t.issues = [...t.issues, d.issue as IssueInfo];
      break;
    }
    case 'final':
      return { ...run, turns, final: d.state as FinalInfo };
    case 'error':
      return { ...run, turns, failure: { code: String(d.code ?? 'ERROR'), message: String(d.message ?? '') } };
  }
  return { ...run, turns };
}

function pretty(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
}

/** A run as it streams: the question, each step (thought, calls with arguments and results, issues) and the final state. */
export function RunView({ run, live }: { run: AgentRun; live: boolean }) {
  const { t } = useTranslation('agent');
  const final = run.final;
  return (
    <div className="agent-run" data-testid="agent-run" data-status={final?.status ?? (run.failure ? 'failed' : 'running')}>
      <div className="msg user" data-role="user">
        <div className="role">{t('you')}</div>
        {run.input}
      </div>
      {run.turns.map((turn, i) => {
        const isAnswer = final?.status === 'answered' && i === run.turns.length - 1 && turn.calls.length === 0;
        const acting = turn.calls.length > 0 || turn.issues.length > 0;
        return (
          <div key={turn.iteration} className="msg assistant" data-testid="agent-step" data-step={turn.iteration}>
            <div className="role">{t('step', { n: turn.iteration })}</div>
            {turn.text.trim() !== '' && (
              <div data-testid={isAnswer ? 'agent-answer-text' : 'agent-thought'}>
                <span className="muted">{isAnswer ? t('answer') : acting ? t('thought') : t('writing')}: </span>
                {turn.text}
              </div>
            )}
            {turn.calls.map(({ call, result }) => (
              <div key={call.id} className="toolcard" data-testid="agent-tool-call" data-tool={call.name}>
                <strong>
                  {t('toolCall')}: {call.name}
                </strong>
                <pre data-testid="agent-tool-args">{pretty(call.arguments)}</pre>
                {result ? (
                  <div data-testid="agent-tool-result" data-ok={String(result.ok)}>
                    <span className={result.ok ? 'ok' : 'bad'}>{result.ok ? t('result') : t('resultFailed')}</span>{' '}
                    <span className="muted">({t('ms', { ms: Math.round(result.durationMs) })})</span>
                    <pre>{result.content}</pre>
                  </div>
                ) : (
                  <em className="muted">{t('running')}</em>
                )}
              </div>
            ))}
            {turn.issues.map((issue) => (
              <div key={`${issue.code}:${issue.raw}`} className="toolcard bad" data-testid="agent-issue" role="alert">
                <strong>
                  {t('issue')} [{issue.code}]
                </strong>{' '}
                {issue.message}
                {issue.raw && <pre>{issue.raw}</pre>}
              </div>
            ))}
          </div>
        );
      })}
      {live && !final && !run.failure && <p className="muted">{t('working')}</p>}
      {final && (
        <div className={`card final ${final.status}`} data-testid="agent-final" data-status={final.status}>
          <span className={`badge ${final.status === 'answered' ? 'done' : 'stopped'}`}>{t(`status.${final.status}`)}</span>{' '}
          <span className="muted">{t('iterations', { n: final.iterations })}</span>
          {final.answer && <p data-testid="agent-answer">{final.answer}</p>}
          {final.error && (
            <p className="bad" role="alert" data-testid="agent-error">
              [{final.error.code}] {final.error.message}
            </p>
          )}
        </div>
      )}
      {run.failure && (
        <p className="bad" role="alert" data-testid="agent-error">
          [{run.failure.code}] {run.failure.message}
        </p>
      )}
    </div>
  );
}
