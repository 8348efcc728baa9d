/** Times are stored as ISO-8601 UTC text: the same in SQLite and PostgreSQL, and ordered as strings. */
export function nowIso(now = Date.now()): string {
  return new Date(now).toISOString();
}

export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}
