import type { StudioContext } from '../../context.js';
import { StudioError } from '../../errors.js';

/** An endpoint named by a page: one of the configured ones by default, or any http(s) base URL the user typed. */
export function endpointParam(ctx: StudioContext, v: string | undefined): string {
  const url = (v ?? ctx.endpoints[0] ?? '').trim().replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/.test(url))
    throw new StudioError('STUDIO_BAD_REQUEST', `"${url}" is not an http(s) base URL such as http://127.0.0.1:8000/v1.`);
  return url;
}
