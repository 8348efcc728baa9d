/**
 * Signature verification and replay protection for the generic webhook connector (the shape
 * Lark, WeCom and Slack use, in one documented form):
 *   X-Puyu-Timestamp: Unix seconds;  X-Puyu-Nonce: a random string, fresh per request;
 *   X-Puyu-Signature: sha256=<hex HMAC-SHA256(secret, `${timestamp}.${nonce}.${rawBody}`)>.
 * A request is refused when the signature does not match (compared in constant time), when the
 * timestamp is outside ±window, or when the nonce was seen within the window. Nonces are kept
 * only as long as the window, so memory stays bounded by the request rate.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AssistantError } from './errors.js';

export interface WebhookHeaders {
  timestamp?: string;
  nonce?: string;
  signature?: string;
}

export function signWebhook(secret: string, timestamp: string, nonce: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${nonce}.${body}`).digest('hex')}`;
}

export class WebhookVerifier {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly secret: string,
    private readonly windowSeconds = 300,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {}

  /** Throws ASSISTANT_WEBHOOK_* when the request must be refused. */
  verify(h: WebhookHeaders, rawBody: string): void {
    const { timestamp, nonce, signature } = h;
    if (!signature || !nonce || !timestamp)
      throw new AssistantError(
        'ASSISTANT_WEBHOOK_BAD_SIGNATURE',
        'the webhook request lacks X-Puyu-Signature, X-Puyu-Nonce or X-Puyu-Timestamp.',
      );
    const expected = Buffer.from(signWebhook(this.secret, timestamp, nonce, rawBody));
    const got = Buffer.from(signature);
    if (got.length !== expected.length || !timingSafeEqual(got, expected))
      throw new AssistantError(
        'ASSISTANT_WEBHOOK_BAD_SIGNATURE',
        'the webhook signature does not match; sign `timestamp.nonce.body` with the shared secret.',
      );
    const now = this.now();
    const ts = Number(timestamp);
    if (!Number.isFinite(ts) || Math.abs(now - ts) > this.windowSeconds)
      throw new AssistantError(
        'ASSISTANT_WEBHOOK_STALE',
        `the webhook timestamp ${timestamp} is outside ±${this.windowSeconds} s of now; check the sender clock.`,
      );
    for (const [n, at] of this.seen) if (now - at > this.windowSeconds * 2) this.seen.delete(n);
    if (this.seen.has(nonce))
      throw new AssistantError('ASSISTANT_WEBHOOK_REPLAY', `the webhook nonce ${nonce.slice(0, 40)} was already used; this is a replay.`);
    this.seen.set(nonce, now);
  }
}
