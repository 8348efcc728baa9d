import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmt, postJson } from '../../api';
import { ErrorState } from '../../components/States';
import type { Decision, Retriever } from './types';

interface Turn {
  question: string;
  decision?: Decision;
  error?: unknown;
}

function DecisionView({ d }: { d: Decision }) {
  const { t } = useTranslation('assistant');
  return (
    <div data-testid="decision" data-decision={d.decision}>
      <p>
        <span className={`badge ${d.decision === 'answer' ? 'ok' : 'bad'}`}>{t(d.decision === 'answer' ? 'answered' : 'refused')}</span>{' '}
        <span data-testid="decision-score">
          {t('scoreLine', { retriever: d.retriever, score: fmt(d.score, 3), threshold: fmt(d.threshold, 3) })}
        </span>{' '}
        {!d.calibrated && <span className="muted">{t('uncalibrated')}</span>}
      </p>
      {d.rewritten && <p className="muted">{t('rewritten', { q: d.rewritten })}</p>}
      {d.answer ? <p data-testid="decision-answer">{d.answer}</p> : <p data-testid="decision-reason">{d.reason}</p>}
      {d.citations && d.citations.length > 0 && (
        <ol className="citations" data-testid="citations">
          {d.citations.map((c) => (
            <li key={c.n} value={c.n}>
              <strong>{[c.source, ...c.headings].join(' › ')}</strong>{' '}
              <span className="muted">
                {t('where', { start: c.start, end: c.end, score: fmt(c.score, 3) })}
                {c.page !== undefined && ` · ${t('page', { page: c.page })}`}
              </span>
              {c.injection && <span className="badge bad">{t('injection')}</span>}
              <pre>{c.text.length > 400 ? `${c.text.slice(0, 400)}…` : c.text}</pre>
            </li>
          ))}
        </ol>
      )}
      <details open>
        <summary>{t('log')}</summary>
        <table data-testid="decision-log">
          <thead>
            <tr>
              <th>{t('step')}</th>
              <th>{t('result')}</th>
              <th>{t('score')}</th>
              <th>{t('threshold')}</th>
              <th>{t('detail')}</th>
              <th>{t('ms')}</th>
            </tr>
          </thead>
          <tbody>
            {d.log.map((l) => (
              <tr key={l.step}>
                <td>{l.step}</td>
                <td className={l.passed ? 'ok' : 'bad'}>{t(l.passed ? 'pass' : 'fail')}</td>
                <td className="num">{l.score === undefined ? '—' : fmt(l.score, 3)}</td>
                <td className="num">{l.threshold === undefined ? '—' : fmt(l.threshold, 3)}</td>
                <td>{[l.code, l.detail].filter(Boolean).join(' ')}</td>
                <td className="num">{l.ms}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}

/** Ask the KB as a group member would; the recent turns go along for coreference resolution. */
export function TestChat({ kb, hasVectors }: { kb: string; hasVectors: boolean }) {
  const { t } = useTranslation('assistant');
  const [question, setQuestion] = useState('');
  const [retriever, setRetriever] = useState<Retriever | ''>('');
  const [retrievalOnly, setRetrievalOnly] = useState(false);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [busy, setBusy] = useState(false);

  const ask = async () => {
    if (!question.trim()) return;
    setBusy(true);
    const history = turns
      .slice(-3)
      .flatMap((x) => [
        { role: 'user', content: x.question },
        ...(x.decision?.answer ? [{ role: 'assistant', content: x.decision.answer }] : []),
      ]);
    const turn: Turn = { question };
    try {
      turn.decision = await postJson<Decision>('/api/assistant/ask', {
        kb,
        question,
        retrievalOnly,
        retriever: retriever || undefined,
        history,
      });
    } catch (e) {
      turn.error = e;
    }
    setTurns((ts) => [...ts, turn]);
    setQuestion('');
    setBusy(false);
  };

  return (
    <div className="card" data-testid="test-chat">
      <h2>{t('chatTitle')}</h2>
      {turns.map((x, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: turns are only appended
        <div className="msg" key={i}>
          <p className="role">{x.question}</p>
          {x.decision && <DecisionView d={x.decision} />}
          {x.error !== undefined && <ErrorState error={x.error} />}
        </div>
      ))}
      <div className="row">
        <input
          className="grow"
          data-testid="chat-question"
          value={question}
          placeholder={t('questionPlaceholder')}
          onChange={(e) => setQuestion(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && void ask()}
        />
        <select data-testid="chat-retriever" value={retriever} onChange={(e) => setRetriever(e.target.value as Retriever | '')}>
          <option value="">{t('retrieverDefault')}</option>
          {(['bm25', 'dense', 'hybrid'] as const).map((k) => (
            <option key={k} value={k} disabled={k !== 'bm25' && !hasVectors}>
              {k}
            </option>
          ))}
        </select>
        <label>
          <input
            type="checkbox"
            data-testid="chat-retrieval-only"
            checked={retrievalOnly}
            onChange={(e) => setRetrievalOnly(e.target.checked)}
          />{' '}
          {t('retrievalOnly')}
        </label>
        <button type="button" data-testid="chat-ask" disabled={busy} onClick={() => void ask()}>
          {t(busy ? 'asking' : 'ask')}
        </button>
      </div>
    </div>
  );
}
