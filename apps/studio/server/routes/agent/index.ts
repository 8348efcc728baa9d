import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Agent,
  agentApp,
  buildTools,
  LocalSearch,
  makeProtocol,
  mindSearchApp,
  openAIStreamingModel,
  PROTOCOL_NAMES,
  providerModel,
  SessionMemory,
} from '@puyu/agent';
import { OpenAIProvider } from '@puyu/client';
import { Hono } from 'hono';
import type { StageRoutes } from '../../context.js';
import { StudioError } from '../../errors.js';
import { jsonBody } from '../../http.js';
import { endpointParam } from '../chat/endpoint.js';

/** Tools the agent page offers (the names of @puyu/agent's buildTools). */
export const PAGE_TOOLS = ['calculator', 'python', 'search'] as const;

interface RunBody {
  endpoint?: string;
  model?: string;
  protocol?: string;
  tools?: unknown;
  /** Folder of .txt/.md/.html documents for the local search tool. */
  docs?: string;
  system?: string;
  maxTokens?: number;
  temperature?: number;
  maxIterations?: number;
  input?: string;
  session?: string;
}

interface SolveBody {
  endpoint?: string;
  model?: string;
  docs?: string;
  question?: string;
  rounds?: number;
  maxNodes?: number;
}

/**
 * The agent and MindSearch pages' API: each request builds the agent (or the MindSearch
 * options) it names and hands the request to @puyu/agent's own Hono app — `agentApp`'s
 * `POST /run` and `mindSearchApp`'s `POST /solve` — whose server-sent events go back as they are.
 * Sessions (the agent's memory) live here, one store for the Studio process.
 */
export const agentRoutes: StageRoutes = {
  id: 'agent',
  routes: (ctx) => {
    const sessions = new SessionMemory();
    return (
      new Hono()
        .get('/options', (c) => c.json({ tools: PAGE_TOOLS, protocols: PROTOCOL_NAMES }))
        .post('/run', async (c) => {
          const body = await jsonBody<RunBody>(c);
          const base = endpointParam(ctx, body.endpoint);
          const names = Array.isArray(body.tools) ? body.tools.filter((t): t is string => typeof t === 'string') : [];
          const unknown = names.filter((n) => !(PAGE_TOOLS as readonly string[]).includes(n));
          if (unknown.length)
            throw new StudioError('STUDIO_BAD_REQUEST', `unknown tools ${unknown.join(', ')}; choose from ${PAGE_TOOLS.join(', ')}.`);
          const protocolName = body.protocol ?? 'openai';
          if (!(PROTOCOL_NAMES as readonly string[]).includes(protocolName))
            throw new StudioError('STUDIO_BAD_REQUEST', `unknown protocol "${protocolName}"; choose from ${PROTOCOL_NAMES.join(', ')}.`);
          const docs = names.includes('search') ? docsParam(body.docs) : undefined;
          const built = await buildTools(names, { docs });
          const agent = new Agent({
            name: 'studio',
            model: openAIStreamingModel({
              baseUrl: base,
              model: body.model ?? '',
              apiKey: process.env.PUYU_STUDIO_API_KEY,
              timeoutMs: 120_000,
            }),
            // llama.cpp-based servers (puyu serve) and vLLM add BOS when they tokenize a completions
            // prompt, so the native protocol's prompt must not carry `<s>` as text too.
            protocol: makeProtocol(protocolName, { bosToken: '' }),
            tools: built.tools,
            systemPrompt: body.system?.trim() || undefined,
            maxIterations: clampInt(body.maxIterations, 1, 16, 4),
            params: { maxTokens: clampInt(body.maxTokens, 1, 4096, 256), temperature: clampNumber(body.temperature, 0, 2, 0) },
          });
          const inner = new Request(new URL('/run', c.req.url), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ input: body.input, session: body.session }),
            signal: c.req.raw.signal,
          });
          return agentApp(agent, { memory: sessions }).fetch(inner);
        })
        .delete('/sessions/:id', (c) => c.json({ deleted: sessions.delete(c.req.param('id')) }))
        // A cited local page, for the answer's links (file: URLs cannot be opened from an http page).
        .get('/doc', async (c) => {
          const dir = docsParam(c.req.query('docs'));
          const url = c.req.query('url') ?? '';
          let file: string;
          try {
            file = fileURLToPath(url);
          } catch {
            throw new StudioError('STUDIO_BAD_REQUEST', `"${url}" is not a file: URL of a local search result.`);
          }
          const rel = relative(dir, file);
          if (rel.startsWith('..') || isAbsolute(rel) || !/\.(txt|md|html?)$/i.test(file))
            throw new StudioError('STUDIO_BAD_REQUEST', `${file} is not a page of the search folder ${dir}.`);
          const text = await readFile(file, 'utf8').catch(() => {
            throw new StudioError('STUDIO_FILE_UNREADABLE', `${file} could not be read.`);
          });
          // A page from the search folder is someone else's HTML: shown sandboxed (no scripts, its own
          // opaque origin), so it cannot call the Studio's API.
          c.header('content-security-policy', 'sandbox');
          return /\.html?$/i.test(file) ? c.html(text) : c.text(text);
        })
        .post('/solve', async (c) => {
          const body = await jsonBody<SolveBody>(c);
          const base = endpointParam(ctx, body.endpoint);
          const local = await LocalSearch.fromFolder(docsParam(body.docs));
          const app = mindSearchApp({
            // Whole answers are enough here (the planner and searchers read complete replies), and the
            // client's provider retries a rate-limited or flaky endpoint.
            model: providerModel(
              new OpenAIProvider({ baseUrl: base, model: body.model ?? '', apiKey: process.env.PUYU_STUDIO_API_KEY, timeoutMs: 120_000 }),
            ),
            search: local,
            reader: local,
            rounds: clampInt(body.rounds, 1, 4, 2),
            maxNodes: clampInt(body.maxNodes, 1, 12, 6),
          });
          const inner = new Request(new URL('/solve', c.req.url), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ question: body.question }),
            signal: c.req.raw.signal,
          });
          return app.fetch(inner);
        })
    );
  },
};

/** The local search folder: any folder on this machine (the Studio is loopback-only without a token). */
function docsParam(v: string | undefined): string {
  const dir = resolve((v ?? '').trim() || '.');
  if (!v?.trim() || !existsSync(dir) || !statSync(dir).isDirectory())
    throw new StudioError(
      'STUDIO_BAD_REQUEST',
      `"${v ?? ''}" is not a folder: name a folder of .txt, .md or .html pages for local search.`,
    );
  return dir;
}

function clampInt(v: unknown, min: number, max: number, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : dflt;
}

function clampNumber(v: unknown, min: number, max: number, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : dflt;
}
