/**
 * What the HTTP API and the Studio page do with a knowledge base, in one place: upload documents
 * (size-limited; a .zip is expanded under the archive-bomb limits), keep the good/bad question
 * lists, calibrate, ask. The documents live in KB/docs/, so a re-ingest after an upload is
 * incremental over the whole folder.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, normalize } from 'node:path';
import { type ArchiveLimits, unzip } from './archive.js';
import { parseQuestions } from './calibrate.js';
import { AssistantError } from './errors.js';
import { DEFAULT_MAX_FILE_BYTES, type IngestReport } from './ingest.js';
import type { KnowledgeBase } from './knowledgeBase.js';
import { isIngestible } from './readDocument.js';
import type { Calibration, RetrieverKind } from './store.js';

export interface QuestionLists {
  good: string[];
  bad: string[];
}

export interface ServiceLimits {
  maxUploadBytes?: number;
  archive?: ArchiveLimits;
}

export class AssistantService {
  readonly maxUploadBytes: number;
  constructor(
    readonly kb: KnowledgeBase,
    private readonly limits: ServiceLimits = {},
  ) {
    this.maxUploadBytes = limits.maxUploadBytes ?? DEFAULT_MAX_FILE_BYTES;
  }

  get docsDir(): string {
    return join(this.kb.dir, 'docs');
  }

  /** Refuses before reading a body whose declared length is over the limit. */
  checkUploadSize(bytes: number, name: string): void {
    if (bytes > this.maxUploadBytes)
      throw new AssistantError(
        'ASSISTANT_FILE_TOO_LARGE',
        `${name} is ${bytes} bytes, over the ${this.maxUploadBytes}-byte upload limit; refused.`,
        {
          details: { bytes, limit: this.maxUploadBytes },
        },
      );
  }

  /** Stores an uploaded file (or a .zip's documents) in KB/docs and re-ingests. */
  async upload(name: string, data: Uint8Array): Promise<{ stored: string[]; report: IngestReport }> {
    const safe = basename(name).replace(/[^\p{L}\p{N}._ -]/gu, '_');
    this.checkUploadSize(data.length, safe);
    const files: { name: string; data: Uint8Array }[] = /\.zip$/i.test(safe)
      ? unzip(Buffer.from(data), safe, this.limits.archive).filter((e) => isIngestible(e.name))
      : [{ name: safe, data }];
    if (!files.length) throw new AssistantError('ASSISTANT_NO_DOCUMENTS', `${safe} holds no .md, .txt, .pdf, .docx or .html file.`);
    const stored: string[] = [];
    for (const f of files) {
      // Archive paths are flattened into docs/<zip name>/…, never above it (zip-slip).
      const rel = /\.zip$/i.test(safe) ? join(safe.replace(/\.zip$/i, ''), normalize(f.name).replace(/^(\.\.(\/|\\|$))+/, '')) : f.name;
      const path = join(this.docsDir, rel);
      if (!path.startsWith(this.docsDir)) continue;
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.data);
      stored.push(rel);
    }
    return { stored, report: await this.kb.ingest(this.docsDir, { quiet: true, prune: false }) };
  }

  private questionsPath(): string {
    return join(this.kb.dir, 'questions.json');
  }

  async questions(): Promise<QuestionLists> {
    const p = this.questionsPath();
    return existsSync(p) ? (JSON.parse(await readFile(p, 'utf8')) as QuestionLists) : { good: [], bad: [] };
  }

  async setQuestions(q: { good: string | string[]; bad: string | string[] }): Promise<QuestionLists> {
    const list = (v: string | string[]) => (Array.isArray(v) ? v.map((s) => String(s).trim()).filter(Boolean) : parseQuestions(String(v)));
    const lists = { good: list(q.good ?? []), bad: list(q.bad ?? []) };
    await writeFile(this.questionsPath(), JSON.stringify(lists, null, 1));
    return lists;
  }

  async calibrate(retrievers?: RetrieverKind[]): Promise<Partial<Record<RetrieverKind, Calibration>>> {
    const { good, bad } = await this.questions();
    return this.kb.calibrate(good, bad, retrievers, { quiet: true });
  }
}
