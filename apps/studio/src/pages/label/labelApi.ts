// Calls to @puyu/label's API under /api/label (packages/label/API.md). The session is an
// HttpOnly cookie the browser sends by itself; every state-changing call also carries the
// session's CSRF token in X-CSRF-Token, kept here after login or /auth/me.
import { ApiError } from '../../api';
import type { User } from './types';

export const BASE = '/api/label';
let csrf = '';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let res: Response;
  try {
    res = await fetch(`${BASE}${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError('NETWORK', (e as Error).message);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError('STUDIO_BAD_RESPONSE', `HTTP ${res.status}: ${text.slice(0, 200)}`, res.status);
  }
  const err = (parsed as { error?: { code?: string; message?: string } }).error;
  if (!res.ok || err) throw new ApiError(err?.code ?? `HTTP_${res.status}`, err?.message ?? `HTTP ${res.status}`, res.status);
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => call<T>('POST', path, body),
  put: <T>(path: string, body: unknown = {}) => call<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown = {}) => call<T>('PATCH', path, body),
  del: <T>(path: string) => call<T>('DELETE', path),
};

export interface Session {
  user: User;
  csrfToken: string;
}

/** The signed-in user, or null (the Studio's /session answers GET /auth/me's 401 as `{ user: null }`). */
export async function me(): Promise<Session | null> {
  const s = await api.get<Session | { user: null }>('/session');
  if (!s.user) return null;
  csrf = (s as Session).csrfToken;
  return s as Session;
}

export async function login(name: string, password: string): Promise<Session> {
  const s = await api.post<Session>('/auth/login', { name, password });
  csrf = s.csrfToken;
  return s;
}

export async function logout(): Promise<void> {
  await api.post('/auth/logout');
  csrf = '';
}

/** An export's URL (a download the browser fetches with the session cookie). */
export function exportUrl(projectId: number, format: string): string {
  return `${BASE}/projects/${projectId}/export?format=${encodeURIComponent(format)}`;
}

export function fileUrl(sha256: string): string {
  return `${BASE}/files/${sha256}`;
}
