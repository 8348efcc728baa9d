import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

/** A lock older than this is taken as left by a crashed build, whatever its pid says. */
export const STALE_LOCK_MS = 30 * 60_000;

interface LockBody {
  pid: number;
  host: string;
  at: number;
}

export type LockHolder = { pid: number; host: string; ageMs: number };

/** Whether process `pid` on this host still runs (signal 0 checks without signalling). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a lock's holder is gone: its process died on this host, or it is older than STALE_LOCK_MS. */
export function lockIsStale(body: Partial<LockBody> | undefined, now: number, host = hostname(), alive = pidAlive): boolean {
  if (!body || typeof body.pid !== 'number' || typeof body.at !== 'number') return true; // half-written: its writer died mid-write
  if (now - body.at > STALE_LOCK_MS) return true;
  return body.host === host && !alive(body.pid);
}

/**
 * Takes the build lock (an O_EXCL file holding our pid), or returns who holds it. A stale lock
 * (holder dead, or older than STALE_LOCK_MS) is removed and taken over, once.
 */
export function tryLock(path: string, now = Date.now()): { release: () => void } | { holder: LockHolder } {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), at: now } satisfies LockBody));
      closeSync(fd);
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let body: Partial<LockBody> | undefined;
    try {
      body = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockBody>;
    } catch {
      // unreadable or half-written: judge it by its age, since its writer may be writing right now
      const age = safeAge(path, now);
      if (age !== undefined && age < 5_000) return { holder: { pid: 0, host: '?', ageMs: age } };
      body = undefined;
    }
    if (!lockIsStale(body, now)) return { holder: { pid: body?.pid ?? 0, host: body?.host ?? '?', ageMs: now - (body?.at ?? now) } };
    rmSync(path, { force: true });
  }
  return { holder: { pid: 0, host: '?', ageMs: 0 } };
}

function safeAge(path: string, now: number): number | undefined {
  try {
    return now - statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
