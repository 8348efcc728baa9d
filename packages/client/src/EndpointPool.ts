import { ConfigError } from '@puyu/core';
import type { EmbeddingResult, EmbedOptions, Provider, ProviderRequest, ProviderResult } from './Provider.js';

/**
 * Several replicas of one model behind one provider: each request goes to the replica
 * with the fewest requests in flight (ties rotate), like LMDeploy's proxy's
 * least-connections strategy. A replica that fails is not retried elsewhere here; its
 * own provider already retried it.
 */
export class EndpointPool implements Provider {
  readonly id: string;
  readonly model: string;
  readonly cacheScope?: string;
  private readonly inFlight: number[];
  private turn = 0;

  constructor(private readonly members: Provider[]) {
    if (members.length === 0) throw new ConfigError('CLIENT_EMPTY_POOL', 'an endpoint pool needs at least one endpoint.');
    this.model = members[0].model;
    this.cacheScope = members[0].cacheScope;
    this.id = members.length === 1 ? members[0].id : `${this.model}@${members.length} endpoints`;
    this.inFlight = members.map(() => 0);
  }

  call(request: ProviderRequest, signal?: AbortSignal): Promise<ProviderResult> {
    return this.withLeastBusy((m) => m.call(request, signal));
  }

  async embed(input: readonly string[], opts?: EmbedOptions): Promise<EmbeddingResult> {
    // Members are one model's replicas, so they can all embed or none can.
    if (!this.members[0].embed)
      return {
        ok: false,
        error: { code: 'PROVIDER_UNSUPPORTED', message: `${this.id} cannot embed`, retryable: false },
        attempts: 0,
        latencyMs: 0,
      };
    return this.withLeastBusy((m) => m.embed!(input, opts));
  }

  private async withLeastBusy<T>(fn: (member: Provider) => Promise<T>): Promise<T> {
    let pick = -1;
    for (let j = 0; j < this.members.length; j++) {
      const i = (this.turn + j) % this.members.length;
      if (pick < 0 || this.inFlight[i] < this.inFlight[pick]) pick = i;
    }
    this.turn = (pick + 1) % this.members.length;
    this.inFlight[pick]++;
    try {
      return await fn(this.members[pick]);
    } finally {
      this.inFlight[pick]--;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.close?.()));
  }
}
