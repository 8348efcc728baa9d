import { useTranslation } from 'react-i18next';
import type { StreamResult, ToolCall } from './sse';

let counter = 0;
/** A stable React key for a new turn (turns are only ever appended). */
export const turnId = () => ++counter;

export interface ChatMsg {
  uid: number;
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  /** Stream figures of an assistant turn. */
  stats?: Pick<StreamResult, 'usage' | 'ttftMs' | 'totalMs' | 'finishReason'>;
}

function prettyArgs(args: string): string {
  try {
    return JSON.stringify(JSON.parse(args), null, 2);
  } catch {
    return args;
  }
}

export function Stats({ stats }: { stats: NonNullable<ChatMsg['stats']> }) {
  const { t } = useTranslation('chat');
  const completion = stats.usage?.completion_tokens;
  const genMs = stats.totalMs - (stats.ttftMs ?? 0);
  const rate = completion && genMs > 0 ? (completion / genMs) * 1000 : undefined;
  return (
    <div className="muted" data-testid="chat-stats">
      {t('stats', {
        prompt: stats.usage?.prompt_tokens ?? '—',
        completion: completion ?? '—',
        ttft: stats.ttftMs === undefined ? '—' : Math.round(stats.ttftMs),
        total: Math.round(stats.totalMs),
        rate: rate === undefined ? '—' : rate.toFixed(1),
      })}
      {stats.finishReason ? ` · ${t('finish')}: ${stats.finishReason}` : ''}
    </div>
  );
}

/** The conversation: each turn as a bubble; tool calls and their results as cards. */
export function Transcript({ messages, draft }: { messages: ChatMsg[]; draft?: StreamResult }) {
  const { t } = useTranslation('chat');
  const results = new Map(messages.filter((m) => m.role === 'tool').map((m) => [m.tool_call_id, m.content]));
  return (
    <div aria-live="polite" data-testid="transcript">
      {messages
        .filter((m) => m.role !== 'tool')
        .map((m) => (
          <div key={m.uid} className={`msg ${m.role}`} data-role={m.role}>
            <div className="role">{t(`role.${m.role}`)}</div>
            {m.content}
            {m.tool_calls?.map((c) => (
              <div key={c.id} className="toolcard" data-testid="tool-card">
                <strong>
                  {t('toolCall')}: {c.function.name}
                </strong>
                <pre>{prettyArgs(c.function.arguments)}</pre>
                <div>
                  {t('toolResult')}:{' '}
                  {results.has(c.id) ? <code data-testid="tool-result">{results.get(c.id)}</code> : <em>{t('toolPending')}</em>}
                </div>
              </div>
            ))}
            {m.stats && <Stats stats={m.stats} />}
          </div>
        ))}
      {draft && (
        <div className="msg assistant" data-role="draft" data-testid="draft">
          <div className="role">{t('role.assistant')}</div>
          {draft.content}
          {draft.toolCalls.map((c) => (
            <div key={`${c.id}:${c.function.name}`} className="toolcard">
              <strong>
                {t('toolCall')}: {c.function.name}
              </strong>
              <pre>{c.function.arguments}</pre>
            </div>
          ))}
          <Stats stats={draft} />
        </div>
      )}
    </div>
  );
}
