import type { Provider, ProviderRequest, ProviderResult } from './Provider.js';

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
    if (members.length === 0) throw new Error('EndpointPool needs at least one provider');
    this.model = members[0].model;
    this.cacheScope = members[0].cacheScope;
    this.id = members.length === 1 ? members[0].id : `${this.model}@${members.length} endpoints`;
    this.inFlight = members.map(() => 0);
  }

  async call(request: ProviderRequest, signal?: AbortSignal): Promise<ProviderResult> {
    let pick = -1;
    for (let j = 0; j < this.members.length; j++) {
      const i = (this.turn + j) % this.members.length;
      if (pick < 0 || this.inFlight[i] < this.inFlight[pick]) pick = i;
    }
    this.turn = (pick + 1) % this.members.length;
    this.inFlight[pick]++;
    try {
      return await this.members[pick].call(request, signal);
    } finally {
      this.inFlight[pick]--;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.close?.()));
  }
}
