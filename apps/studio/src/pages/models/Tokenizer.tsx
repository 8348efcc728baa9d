import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { postJson } from '../../api';
import { ErrorState } from '../../components/States';

interface Encoded {
  ids: number[];
  pieces: string[];
}

/** Text → pieces and ids, and ids → text, with the model's own tokenizer (read on the server). */
export function TokenizerPlayground({ path }: { path: string }) {
  const { t } = useTranslation('models');
  const [text, setText] = useState('What is war? 床前明月光');
  const [ids, setIds] = useState('');
  const encode = useMutation({ mutationFn: () => postJson<Encoded>('/api/models/tokenize', { path, text }) });
  const decode = useMutation({
    mutationFn: () =>
      postJson<{ text: string; pieces: string[] }>('/api/models/detokenize', {
        path,
        ids: ids
          .split(/[\s,]+/)
          .filter(Boolean)
          .map(Number),
      }),
  });
  return (
    <div className="card">
      <h2>{t('tokenizer')}</h2>
      <div className="row">
        <div className="grow">
          <label className="field">
            {t('text')}
            <textarea rows={3} value={text} onChange={(e) => setText(e.target.value)} data-testid="tok-text" />
          </label>
          <button type="button" className="primary" onClick={() => encode.mutate()} disabled={encode.isPending} data-testid="tok-encode">
            {t('encode')}
          </button>
          {encode.isError && <ErrorState error={encode.error} />}
          {encode.data && (
            <div>
              <p className="muted">{t('nTokens', { n: encode.data.ids.length })}</p>
              <div className="pieces" data-testid="tok-pieces">
                {encode.data.pieces.map((p, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the same piece may repeat; a position is its identity in this fixed list
                  <span key={`${i}:${encode.data.ids[i]}`} title={String(encode.data.ids[i])}>
                    {p}
                  </span>
                ))}
              </div>
              <pre data-testid="tok-ids">{encode.data.ids.join(', ')}</pre>
              <button type="button" onClick={() => setIds(encode.data.ids.join(', '))}>
                {t('useIds')}
              </button>
            </div>
          )}
        </div>
        <div className="grow">
          <label className="field">
            {t('ids')}
            <textarea rows={3} value={ids} onChange={(e) => setIds(e.target.value)} data-testid="tok-id-input" />
          </label>
          <button
            type="button"
            className="primary"
            onClick={() => decode.mutate()}
            disabled={decode.isPending || !ids.trim()}
            data-testid="tok-decode"
          >
            {t('decode')}
          </button>
          {decode.isError && <ErrorState error={decode.error} />}
          {decode.data && <pre data-testid="tok-decoded">{decode.data.text}</pre>}
        </div>
      </div>
    </div>
  );
}
