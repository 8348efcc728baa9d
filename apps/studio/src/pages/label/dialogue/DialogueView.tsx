import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Candidate, DialogueData, DialogueResult, Schema } from '../types';
import { answerOf, type Cursor, choose, dialogueKey, emptyResult, type Item, itemsOf, missing, moveRank, setValue } from './model';

export interface DialogueViewProps {
  data: DialogueData;
  schema: Schema;
  /** A saved draft, the reviewer's view of a submitted result, or a model's draft to confirm. */
  initial?: DialogueResult | null;
  readOnly?: boolean;
  busy?: boolean;
  onSubmit?: (r: DialogueResult) => void;
  /** Saves the answers so far without submitting (a task can be left and finished later). */
  onSaveDraft?: (r: DialogueResult) => void;
  /** Called on every change (the page may save drafts). */
  onChange?: (r: DialogueResult) => void;
}

const itemKey = (it: Item) => (it.kind === 'question' ? `q-${it.question.id}-${it.target ?? 'conversation'}` : it.kind);

/** One dialogue to label: the conversation, its questions, the ranking and the rewrite, all usable from the keyboard. */
export function DialogueView({ data, schema, initial, readOnly, busy, onSubmit, onSaveDraft, onChange }: DialogueViewProps) {
  const { t } = useTranslation('label');
  const rewriteOn = !!schema.rewrite;
  const items = useMemo(
    () => itemsOf(data.messages, data.candidates, schema.questions, { ranking: !!schema.ranking, rewrite: rewriteOn }),
    [data, schema, rewriteOn],
  );
  const [result, setResult] = useState<DialogueResult>(() => ({
    ...emptyResult(data.candidates, rewriteOn),
    ...initial,
    kind: 'dialogue',
  }));
  const [cursor, setCursor] = useState<Cursor>({ item: 0, rank: 0 });
  const root = useRef<HTMLDivElement>(null);
  const texts = useRef(new Map<string, HTMLTextAreaElement | HTMLInputElement>());
  const left = missing(items, result);
  const active = items[cursor.item];
  // the keyboard's place is highlighted only where there is a keyboard to use
  const shown = readOnly ? -1 : cursor.item;

  // the rewrite is of the top-ranked answer until the annotator picks another
  const [rewritePicked, setRewritePicked] = useState(!!initial?.rewrite?.candidateId);
  const update = (r: DialogueResult, picked = rewritePicked) => {
    if (readOnly) return;
    const next = !picked && r.rewrite && r.ranking?.[0] ? { ...r, rewrite: { ...r.rewrite, candidateId: r.ranking[0] } } : r;
    setResult(next);
    onChange?.(next);
  };
  const submit = () => {
    if (!readOnly && !busy && left.length === 0) onSubmit?.(result);
  };

  // the keys work as soon as a task shows: the view takes the focus
  useEffect(() => {
    if (!readOnly) root.current?.focus();
  }, [readOnly]);

  // keep the active item in view as the keyboard moves
  useEffect(() => {
    if (active) root.current?.querySelector(`[data-item="${itemKey(active)}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    const tag = (e.target as HTMLElement).tagName;
    const typing = tag === 'TEXTAREA' || (tag === 'INPUT' && (e.target as HTMLInputElement).type === 'text');
    const effect = dialogueKey(items, result, cursor, { key: e.key, shift: e.shiftKey, ctrl: e.ctrlKey || e.metaKey, typing });
    switch (effect.kind) {
      case 'none':
        return;
      case 'move':
        setCursor(effect.cursor);
        break;
      case 'result':
        update(effect.result);
        setCursor(effect.cursor);
        break;
      case 'edit':
        if (active) texts.current.get(itemKey(active))?.focus();
        break;
      case 'leave':
        root.current?.focus();
        break;
      case 'submit':
        submit();
        break;
    }
    e.preventDefault();
  };

  const at =
    (i: number, rank = 0) =>
    () =>
      setCursor({ item: i, rank });
  const byTarget = (target?: string) =>
    items.map((it, i) => ({ it, i })).filter(({ it }) => it.kind === 'question' && it.target === target);
  const questionsFor = (target?: string) =>
    byTarget(target).map(({ it, i }) =>
      it.kind === 'question' ? (
        <QuestionField
          key={itemKey(it)}
          item={it}
          active={shown === i}
          value={answerOf(result, it)}
          readOnly={readOnly}
          onFocus={at(i)}
          onChoose={(v) => update(choose(result, it, v))}
          onText={(v) => update(setValue(result, it, v))}
          inputRef={(el) => (el ? texts.current.set(itemKey(it), el) : texts.current.delete(itemKey(it)))}
        />
      ) : null,
    );
  const rankingIndex = items.findIndex((it) => it.kind === 'ranking');
  const rewriteIndex = items.findIndex((it) => it.kind === 'rewrite');
  const candidate = (id?: string) => data.candidates.find((c) => c.id === id);

  return (
    <div
      className="dialogue-view"
      ref={root}
      role="application"
      aria-label={t('dialogue.area')}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: the view takes the shortcuts listed in its help line, so Tab must reach it
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="dialogue-view"
      data-active={active ? itemKey(active) : ''}
    >
      {!readOnly && (
        <p className="muted help" data-testid="dialogue-help">
          {t('dialogue.help')}
        </p>
      )}
      <ol className="conversation">
        {data.messages.map((m) => (
          <li key={m.id} className={`msg msg-${m.role}`} data-testid={`msg-${m.id}`}>
            <span className="role">{t(`dialogue.role.${m.role}`)}</span>
            <div className="content">{m.content}</div>
            {m.role === 'assistant' && questionsFor(m.id)}
          </li>
        ))}
      </ol>
      {data.candidates.length > 0 && (
        <section>
          <h3>{t('dialogue.candidates')}</h3>
          <ol className="conversation">
            {data.candidates.map((c, n) => (
              <li key={c.id} className="msg msg-assistant" data-testid={`cand-${c.id}`}>
                <span className="role">{t('dialogue.candidate', { n: n + 1, source: c.source })}</span>
                <div className="content">{c.content}</div>
                {questionsFor(c.id)}
              </li>
            ))}
          </ol>
        </section>
      )}
      {byTarget(undefined).length > 0 && (
        <section>
          <h3>{t('dialogue.conversationQuestions')}</h3>
          {questionsFor(undefined)}
        </section>
      )}
      {rankingIndex >= 0 && result.ranking && (
        <Ranking
          order={result.ranking}
          candidates={data.candidates}
          active={shown === rankingIndex}
          cursor={cursor.rank}
          readOnly={readOnly}
          onCursor={(rank) => setCursor({ item: rankingIndex, rank })}
          onOrder={(ranking) => update({ ...result, ranking })}
        />
      )}
      {rewriteIndex >= 0 && (
        <section className={shown === rewriteIndex ? 'item active' : 'item'} data-item="rewrite">
          <h3>{t('dialogue.rewrite')}</h3>
          <p className="muted">{t('dialogue.rewriteHint')}</p>
          <label>
            <span>{t('dialogue.rewriteOf')}</span>{' '}
            <select
              value={result.rewrite?.candidateId ?? ''}
              disabled={readOnly}
              onChange={(e) => {
                setRewritePicked(true);
                update({ ...result, rewrite: { content: result.rewrite?.content ?? '', candidateId: e.target.value || undefined } }, true);
              }}
              data-testid="rewrite-of"
            >
              {data.candidates.map((c, n) => (
                <option key={c.id} value={c.id}>
                  {t('dialogue.candidate', { n: n + 1, source: c.source })}
                </option>
              ))}
            </select>
          </label>{' '}
          {!readOnly && (
            <button
              type="button"
              onClick={() =>
                update({ ...result, rewrite: { ...result.rewrite, content: candidate(result.rewrite?.candidateId)?.content ?? '' } })
              }
              data-testid="rewrite-copy"
            >
              {t('dialogue.copyCandidate')}
            </button>
          )}
          <textarea
            rows={5}
            value={result.rewrite?.content ?? ''}
            readOnly={readOnly}
            onFocus={at(rewriteIndex)}
            onChange={(e) => update({ ...result, rewrite: { ...result.rewrite, content: e.target.value } })}
            ref={(el) => {
              if (el) texts.current.set('rewrite', el);
            }}
            aria-label={t('dialogue.rewrite')}
            data-testid="rewrite"
          />
        </section>
      )}
      {!readOnly && (
        <div className="actions">
          <button type="button" className="primary" disabled={busy || left.length > 0} onClick={submit} data-testid="submit">
            {t('dialogue.submit')}
          </button>
          {onSaveDraft && (
            <button type="button" disabled={busy} onClick={() => onSaveDraft(result)} data-testid="save-draft">
              {t('queue.saveDraft')}
            </button>
          )}
          {left.length > 0 && (
            <span className="muted" data-testid="missing">
              {t('dialogue.missing', { n: left.length })}
            </span>
          )}
        </div>
      )}
    </div>
  );
}

function QuestionField(p: {
  item: Extract<Item, { kind: 'question' }>;
  active: boolean;
  value: string | string[] | undefined;
  readOnly?: boolean;
  onFocus: () => void;
  onChoose: (v: string) => void;
  onText: (v: string) => void;
  inputRef: (el: HTMLTextAreaElement | null) => void;
}) {
  const { t } = useTranslation('label');
  const q = p.item.question;
  const key = itemKey(p.item);
  return (
    <fieldset className={p.active ? 'item question active' : 'item question'} data-item={key} data-testid={key} onFocus={p.onFocus}>
      <legend>
        {q.title}
        {q.required && <abbr title={t('dialogue.required')}>*</abbr>}
      </legend>
      {q.kind === 'text' ? (
        <textarea
          rows={2}
          value={typeof p.value === 'string' ? p.value : ''}
          readOnly={p.readOnly}
          onChange={(e) => p.onText(e.target.value)}
          ref={p.inputRef}
          aria-label={q.title}
        />
      ) : (
        (q.options ?? []).map((o, n) => {
          const on = Array.isArray(p.value) ? p.value.includes(o.value) : p.value === o.value;
          return (
            <label key={o.value} className="option">
              <input
                type={q.kind === 'single' ? 'radio' : 'checkbox'}
                name={key}
                checked={on}
                disabled={p.readOnly}
                onChange={() => p.onChoose(o.value)}
                data-testid={`${key}-${o.value}`}
              />
              <kbd>{n + 1}</kbd> {o.label}
            </label>
          );
        })
      )}
    </fieldset>
  );
}

/** Candidates best first: drag a row, use its buttons, or the keyboard (Shift+↑/↓, a number). */
function Ranking(p: {
  order: string[];
  candidates: Candidate[];
  active: boolean;
  cursor: number;
  readOnly?: boolean;
  onCursor: (rank: number) => void;
  onOrder: (order: string[]) => void;
}) {
  const { t } = useTranslation('label');
  const [dragging, setDragging] = useState<number | null>(null);
  const byId = new Map(p.candidates.map((c, n) => [c.id, { c, n }]));
  return (
    <section className={p.active ? 'item active' : 'item'} data-item="ranking">
      <h3>{t('dialogue.ranking')}</h3>
      <p className="muted">{t('dialogue.rankingHint')}</p>
      <ol className="ranking" data-testid="ranking" data-order={p.order.join(',')}>
        {p.order.map((id, rank) => {
          const x = byId.get(id);
          return (
            // biome-ignore lint/a11y/useKeyWithClickEvents: the ranking's keyboard is the view's (Shift+↑/↓, numbers); a click only moves its cursor
            <li
              key={id}
              draggable={!p.readOnly}
              className={p.active && rank === p.cursor ? 'cursor' : undefined}
              onDragStart={() => setDragging(rank)}
              onDragOver={(e) => e.preventDefault()}
              onDrop={(e) => {
                e.preventDefault();
                if (dragging !== null) p.onOrder(moveRank(p.order, dragging, rank));
                setDragging(null);
              }}
              onClick={() => p.onCursor(rank)}
              data-testid={`rank-${id}`}
            >
              <span className="rank">{rank + 1}</span>
              <span className="role">{t('dialogue.candidate', { n: (x?.n ?? 0) + 1, source: x?.c.source ?? '' })}</span>
              <span className="content">{x?.c.content}</span>
              {!p.readOnly && (
                <span className="rank-buttons">
                  <button
                    type="button"
                    disabled={rank === 0}
                    onClick={() => p.onOrder(moveRank(p.order, rank, rank - 1))}
                    aria-label={t('dialogue.up')}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    disabled={rank === p.order.length - 1}
                    onClick={() => p.onOrder(moveRank(p.order, rank, rank + 1))}
                    aria-label={t('dialogue.down')}
                  >
                    ↓
                  </button>
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
