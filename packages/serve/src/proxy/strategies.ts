/** What a routing strategy sees of a node. */
export interface RoutableNode {
  url: string;
  weight: number;
  /** Requests sent and not yet finished. */
  outstanding: number;
  /** Exponentially weighted time to first byte, ms (undefined until observed). */
  latencyMs?: number;
}

export type RoutingStrategy = 'random' | 'least-outstanding' | 'min-latency';
export const ROUTING_STRATEGIES: readonly RoutingStrategy[] = ['random', 'least-outstanding', 'min-latency'];

/**
 * Picks a node (LMDeploy proxy's strategies): `random` draws by weight;
 * `least-outstanding` takes the node with the fewest in-flight requests per unit of
 * weight; `min-latency` takes the lowest observed latency, trying unmeasured nodes
 * first so every node gets measured. Ties go to the earlier node.
 */
export function pickNode<N extends RoutableNode>(
  nodes: readonly N[],
  strategy: RoutingStrategy,
  random: () => number = Math.random,
): N | undefined {
  if (nodes.length === 0) return undefined;
  if (strategy === 'random') {
    const total = nodes.reduce((a, n) => a + Math.max(0, n.weight), 0);
    if (total <= 0) return nodes[Math.floor(random() * nodes.length)];
    let r = random() * total;
    for (const n of nodes) {
      r -= Math.max(0, n.weight);
      if (r < 0) return n;
    }
    return nodes[nodes.length - 1];
  }
  if (strategy === 'least-outstanding') {
    let best = nodes[0];
    for (const n of nodes) if (n.outstanding / Math.max(n.weight, 1e-9) < best.outstanding / Math.max(best.weight, 1e-9)) best = n;
    return best;
  }
  const unmeasured = nodes.find((n) => n.latencyMs === undefined);
  if (unmeasured) return unmeasured;
  let best = nodes[0];
  for (const n of nodes) if ((n.latencyMs as number) < (best.latencyMs as number)) best = n;
  return best;
}

/** Folds a new latency sample into an exponentially weighted average (α = 0.3). */
export function updateLatency(previous: number | undefined, sampleMs: number, alpha = 0.3): number {
  return previous === undefined ? sampleMs : alpha * sampleMs + (1 - alpha) * previous;
}
