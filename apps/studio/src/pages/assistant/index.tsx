import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, fmt, getJson, postJson } from '../../api';
import { ErrorState, Loading } from '../../components/States';
import type { StageDef } from '../../stage';
import { CalibrationView } from './Calibration';
import { TestChat } from './TestChat';
import type { Calibration, KbStats, Retriever, UploadResult } from './types';

async function send<T>(method: string, path: string, body: BodyInit): Promise<T> {
  const res = await fetch(path, { method, body, headers: typeof body === 'string' ? { 'content-type': 'application/json' } : {} });
  const out = (await res.json().catch(() => ({}))) as T & { error?: { code: string; message: string } };
  if (!res.ok || out.error)
    throw new ApiError(out.error?.code ?? `HTTP_${res.status}`, out.error?.message ?? `HTTP ${res.status}`, res.status);
  return out;
}

function CreateKb({ onCreated }: { onCreated: (name: string) => void }) {
  const { t } = useTranslation('assistant');
  const [name, setName] = useState('');
  const [embed, setEmbed] = useState('');
  const [chat, setChat] = useState('');
  const [error, setError] = useState<unknown>();
  const create = async () => {
    try {
      await postJson('/api/assistant/kbs', { name, embed, chat });
      onCreated(name);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className="card" data-testid="create-kb">
      <h2>{t('createTitle')}</h2>
      <div className="row">
        <input data-testid="kb-name" placeholder={t('namePlaceholder')} value={name} onChange={(e) => setName(e.target.value)} />
        <input
          className="grow"
          data-testid="kb-embed"
          placeholder={t('embedPlaceholder')}
          value={embed}
          onChange={(e) => setEmbed(e.target.value)}
        />
        <input
          className="grow"
          data-testid="kb-chat"
          placeholder={t('chatPlaceholder')}
          value={chat}
          onChange={(e) => setChat(e.target.value)}
        />
        <button type="button" data-testid="kb-create" onClick={() => void create()}>
          {t('create')}
        </button>
      </div>
      {error !== undefined && <ErrorState error={error} />}
    </div>
  );
}

function Admin({ kb }: { kb: string }) {
  const { t } = useTranslation('assistant');
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['assistant-kb', kb],
    queryFn: () => getJson<{ stats: KbStats; questions: { good: string[]; bad: string[] } }>('/api/assistant/kb', { kb }),
  });
  const [good, setGood] = useState('');
  const [bad, setBad] = useState('');
  const [uploads, setUploads] = useState<{ name: string; result?: UploadResult; error?: unknown }[]>([]);
  const [busy, setBusy] = useState('');
  const [calError, setCalError] = useState<unknown>();
  useEffect(() => {
    if (!q.data) return;
    setGood(q.data.questions.good.join('\n'));
    setBad(q.data.questions.bad.join('\n'));
  }, [q.data]);

  const upload = async (files: FileList | null) => {
    for (const f of Array.from(files ?? [])) {
      setBusy(t('uploading', { name: f.name }));
      try {
        const result = await send<UploadResult>(
          'POST',
          `/api/assistant/upload?kb=${encodeURIComponent(kb)}&name=${encodeURIComponent(f.name)}`,
          f,
        );
        setUploads((u) => [...u, { name: f.name, result }]);
      } catch (e) {
        setUploads((u) => [...u, { name: f.name, error: e }]);
      }
    }
    setBusy('');
    await qc.invalidateQueries({ queryKey: ['assistant-kb', kb] });
  };

  const calibrate = async () => {
    setBusy(t('calibrating'));
    setCalError(undefined);
    try {
      await send('PUT', `/api/assistant/questions?kb=${encodeURIComponent(kb)}`, JSON.stringify({ good, bad }));
      await send<Partial<Record<Retriever, Calibration>>>('POST', `/api/assistant/calibrate?kb=${encodeURIComponent(kb)}`, '{}');
    } catch (e) {
      setCalError(e);
    }
    setBusy('');
    await qc.invalidateQueries({ queryKey: ['assistant-kb', kb] });
  };

  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} />;
  const s = q.data.stats;
  return (
    <>
      <div className="cards" data-testid="kb-stats">
        <div className="stat">
          <div className="label">{t('files')}</div>
          <div className="value">{fmt(s.files)}</div>
        </div>
        <div className="stat">
          <div className="label">{t('chunks')}</div>
          <div className="value" data-testid="kb-chunks">
            {fmt(s.chunks)}
          </div>
        </div>
        <div className="stat">
          <div className="label">{t('vectors')}</div>
          <div className="value">{fmt(s.vectors)}</div>
        </div>
        <div className="stat">
          <div className="label">{t('embedder')}</div>
          <div className="value">{s.embed ?? t('none')}</div>
        </div>
        <div className="stat">
          <div className="label">{t('chatModel')}</div>
          <div className="value">{s.chat ?? t('none')}</div>
        </div>
      </div>
      <div className="row">
        <div className="card grow">
          <h2>{t('documents')}</h2>
          <p className="muted">{t('uploadHint')}</p>
          <input type="file" multiple data-testid="kb-upload" onChange={(e) => void upload(e.target.files)} />
          {busy && <p role="status">{busy}</p>}
          <ul data-testid="upload-results">
            {uploads.map((u, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: appended only
              <li key={i}>
                {u.name}:{' '}
                {u.result ? (
                  t('uploaded', { stored: u.result.stored.length, skipped: u.result.report.skipped.length })
                ) : (
                  <ErrorState error={u.error} action={t('uploadRefused')} />
                )}
              </li>
            ))}
          </ul>
          <table data-testid="kb-sources">
            <thead>
              <tr>
                <th>{t('source')}</th>
                <th>{t('chunks')}</th>
                <th>{t('bytes')}</th>
              </tr>
            </thead>
            <tbody>
              {s.sources.map((x) => (
                <tr key={x.path}>
                  <td>{x.path}</td>
                  <td className="num">{x.chunks}</td>
                  <td className="num">{fmt(x.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="card grow">
          <h2>{t('questionsTitle')}</h2>
          <p className="muted">{t('questionsHint')}</p>
          <div className="row">
            <label className="grow">
              {t('good')}
              <textarea data-testid="good-questions" rows={6} value={good} onChange={(e) => setGood(e.target.value)} />
            </label>
            <label className="grow">
              {t('bad')}
              <textarea data-testid="bad-questions" rows={6} value={bad} onChange={(e) => setBad(e.target.value)} />
            </label>
          </div>
          <button type="button" data-testid="calibrate" onClick={() => void calibrate()}>
            {t('calibrate')}
          </button>
          {calError !== undefined && <ErrorState error={calError} />}
          <CalibrationView stats={s} />
        </div>
      </div>
      <TestChat kb={kb} hasVectors={s.vectors > 0} />
    </>
  );
}

function Assistant() {
  const { t } = useTranslation('assistant');
  const q = useQuery({ queryKey: ['assistant-kbs'], queryFn: () => getJson<{ root: string; kbs: string[] }>('/api/assistant/kbs') });
  const [kb, setKb] = useState('');
  const current = kb || q.data?.kbs[0] || '';
  return (
    <section>
      <h1>{t('title')}</h1>
      <p className="muted">{t('intro')}</p>
      {q.isPending && <Loading />}
      {q.isError && <ErrorState error={q.error} />}
      {q.data && (
        <div className="row">
          <label>
            {t('kb')}{' '}
            <select data-testid="kb-select" value={current} onChange={(e) => setKb(e.target.value)}>
              {q.data.kbs.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
          <span className="muted">{t('root', { root: q.data.root })}</span>
        </div>
      )}
      <CreateKb
        onCreated={(name) => {
          setKb(name);
          void q.refetch();
        }}
      />
      {current && <Admin key={current} kb={current} />}
    </section>
  );
}

export const stage: StageDef = { id: 'assistant', path: 'assistant', order: 75, navKey: 'nav', Page: Assistant };
