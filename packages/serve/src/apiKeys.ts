import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Bearer-key checks shared by the server and the proxy. Keys are compared as SHA-256 digests with
 * `timingSafeEqual`: digests always have the same length, so neither how much of a key matched nor
 * its length shows in the response time, and every configured key is compared whatever the result.
 */
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.filter((k) => k.length > 0).map(digest);
  }

  /** True when no key is configured (the endpoint is open). */
  get open(): boolean {
    return this.digests.length === 0;
  }

  /** Whether an `Authorization` header value carries one of the keys (`Bearer <key>`, scheme in any case). */
  authorizes(header: string | null | undefined): boolean {
    if (this.open) return true;
    const m = /^\s*Bearer\s+(.+?)\s*$/i.exec(header ?? '');
    if (!m) return false;
    const given = digest(m[1]);
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(d, given) || ok;
    return ok;
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
