import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useEndpointChoice } from '../../../components/EndpointFields';
import { ErrorState } from '../../../components/States';
import { api } from '../labelApi';
import type { Project } from '../types';

interface ImportResult {
  imported: number;
  skipped: { line?: number; name?: string; code: string; reason: string }[];
}

/** Imports (dialogue JSONL, or image files / a zip with COCO or YOLO pre-annotations) and model pre-annotation. */
export function ImportPanel({ project }: { project: Project }) {
  return project.kind === 'dialogue' ? (
    <>
      <DialogueImport project={project} />
      <PreAnnotate project={project} />
    </>
  ) : (
    <ImageImport project={project} />
  );
}

function useRefresh(project: Project) {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: ['label-progress', project.id] });
}

function Outcome({ r }: { r: ImportResult }) {
  const { t } = useTranslation('label');
  return (
    <div data-testid="import-result" data-imported={r.imported} data-skipped={r.skipped.length}>
      <p>{t('import.result', { imported: r.imported, skipped: r.skipped.length })}</p>
      {r.skipped.length > 0 && (
        <ul className="skipped">
          {r.skipped.slice(0, 20).map((s) => (
            <li key={`${s.line ?? s.name}-${s.code}`}>
              <code>{s.code}</code> {s.line !== undefined ? t('import.line', { line: s.line }) : s.name} {s.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function DialogueImport({ project }: { project: Project }) {
  const { t } = useTranslation('label');
  const refresh = useRefresh(project);
  const [format, setFormat] = useState('auto');
  const [jsonl, setJsonl] = useState('');
  const [result, setResult] = useState<ImportResult>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="stack-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(undefined);
        try {
          setResult(await api.post<ImportResult>(`/projects/${project.id}/import`, { format, jsonl }));
          await refresh();
        } catch (x) {
          setError(x);
        } finally {
          setBusy(false);
        }
      }}
    >
      <p className="muted">{t('import.dialogueHint')}</p>
      <label>
        <span>{t('import.format')}</span>
        <select value={format} onChange={(e) => setFormat(e.target.value)} data-testid="import-format">
          {['auto', 'labelllm', 'openai', 'xtuner', 'puyu'].map((f) => (
            <option key={f} value={f}>
              {t(`import.formats.${f}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{t('import.file')}</span>
        <input
          type="file"
          accept=".jsonl,.json,.txt"
          onChange={async (e) => setJsonl((await e.target.files?.[0]?.text()) ?? '')}
          data-testid="import-file"
        />
      </label>
      <textarea
        rows={6}
        className="code"
        value={jsonl}
        onChange={(e) => setJsonl(e.target.value)}
        aria-label={t('import.paste')}
        placeholder={t('import.paste')}
        data-testid="import-jsonl"
      />
      <button type="submit" className="primary" disabled={busy || !jsonl.trim()} data-testid="import-submit">
        {t('import.submit')}
      </button>
      {result && <Outcome r={result} />}
      {error !== undefined && <ErrorState error={error} />}
    </form>
  );
}

function ImageImport({ project }: { project: Project }) {
  const { t } = useTranslation('label');
  const refresh = useRefresh(project);
  const [files, setFiles] = useState<File[]>([]);
  const [result, setResult] = useState<ImportResult>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="stack-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(undefined);
        try {
          const form = new FormData();
          // one zip goes as the archive (with its COCO / YOLO pre-annotations); images as files
          const zip = files.find((f) => f.name.toLowerCase().endsWith('.zip'));
          if (zip) form.append('archive', zip);
          else for (const f of files) form.append('file', f);
          setResult(await api.post<ImportResult>(`/projects/${project.id}/images`, form));
          await refresh();
        } catch (x) {
          setError(x);
        } finally {
          setBusy(false);
        }
      }}
    >
      <p className="muted">{t('import.imageHint')}</p>
      <input
        type="file"
        multiple
        accept="image/png,image/jpeg,image/gif,image/webp,.zip"
        onChange={(e) => setFiles([...(e.target.files ?? [])])}
        data-testid="image-files"
      />
      <button type="submit" className="primary" disabled={busy || !files.length} data-testid="image-upload">
        {t('import.upload')}
      </button>
      {result && <Outcome r={result} />}
      {error !== undefined && <ErrorState error={error} />}
    </form>
  );
}

function PreAnnotate({ project }: { project: Project }) {
  const { t } = useTranslation('label');
  const refresh = useRefresh(project);
  // the Studio's endpoints (--endpoint, or the `puyu serve` it was started beside)
  const { endpoints: eps, endpoint: baseUrl, setEndpoint: setBaseUrl, model, setModel, touch } = useEndpointChoice();
  const [mode, setMode] = useState<'candidates' | 'draft'>('candidates');
  const [count, setCount] = useState(2);
  const [result, setResult] = useState<{ updated: number; failed: { itemId: number; reason: string }[] }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="stack-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(undefined);
        setResult(undefined);
        try {
          setResult(await api.post(`/projects/${project.id}/preannotate`, { baseUrl, model, mode, count }));
          await refresh();
        } catch (x) {
          setError(x);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3>{t('pre.title')}</h3>
      <p className="muted">{t('pre.hint')}</p>
      <label>
        <span>{t('pre.endpoint')}</span>
        <input
          value={baseUrl}
          onFocus={touch}
          onChange={(e) => setBaseUrl(e.target.value)}
          list="label-endpoints"
          required
          data-testid="pre-endpoint"
        />
        <datalist id="label-endpoints">
          {eps.data?.endpoints.map((x) => (
            <option key={x.url} value={x.url} />
          ))}
        </datalist>
      </label>
      <label>
        <span>{t('pre.model')}</span>
        <input value={model} onFocus={touch} onChange={(e) => setModel(e.target.value)} required data-testid="pre-model" />
      </label>
      <label>
        <span>{t('pre.mode')}</span>
        <select value={mode} onChange={(e) => setMode(e.target.value as 'candidates' | 'draft')} data-testid="pre-mode">
          <option value="candidates">{t('pre.candidates')}</option>
          <option value="draft">{t('pre.draft')}</option>
        </select>
      </label>
      <label>
        <span>{t('pre.count')}</span>
        <input type="number" min={1} max={8} value={count} onChange={(e) => setCount(Number(e.target.value))} data-testid="pre-count" />
      </label>
      <button type="submit" className="primary" disabled={busy || !baseUrl || !model} data-testid="pre-submit">
        {busy ? t('pre.running') : t('pre.submit')}
      </button>
      {result && (
        <p data-testid="pre-result" data-updated={result.updated} data-failed={result.failed.length}>
          {t('pre.result', { updated: result.updated, failed: result.failed.length })}
          {result.failed.slice(0, 5).map((f) => ` #${f.itemId}: ${f.reason}`)}
        </p>
      )}
      {error !== undefined && <ErrorState error={error} />}
    </form>
  );
}
