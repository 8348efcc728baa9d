import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export const TOKEN_COOKIE = 'puyu_studio_token';

/** Loopback addresses need no token; any other bind address does. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Token check for a Studio bound beyond loopback. The printed URL carries `?token=…`: the
 * first visit stores it in an HttpOnly cookie (so EventSource streams, which cannot send
 * headers, are authorised too) and redirects to the clean URL. API clients may send
 * `Authorization: Bearer TOKEN` instead.
 */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const q = c.req.query('token');
    if (q !== undefined && same(q, token)) {
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      return c.redirect(url.pathname + url.search);
    }
    const bearer = c.req.header('authorization')?.replace(/^Bearer\s+/i, '');
    const cookie = getCookie(c, TOKEN_COOKIE);
    if ((bearer && same(bearer, token)) || (cookie && same(cookie, token))) return next();
    return c.json(
      {
        error: {
          code: 'STUDIO_UNAUTHORIZED',
          message: 'this Studio needs its token: open the URL printed at start-up (it carries ?token=…).',
        },
      },
      401,
    );
  };
}
