/** A Prometheus histogram with fixed buckets (cumulative counts are computed when rendered). */
class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(v: number): void {
    this.sum += v;
    this.count++;
    const i = this.buckets.findIndex((b) => v <= b);
    if (i >= 0) this.counts[i]++;
  }

  render(name: string, help: string): string {
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    let acc = 0;
    this.buckets.forEach((b, i) => {
      acc += this.counts[i];
      lines.push(`${name}_bucket{le="${b}"} ${acc}`);
    });
    lines.push(`${name}_bucket{le="+Inf"} ${this.count}`, `${name}_sum ${this.sum}`, `${name}_count ${this.count}`);
    return lines.join('\n');
  }

  get total(): number {
    return this.count;
  }
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Server counters in Prometheus text format (names follow vLLM's `vllm:` metrics where one
 * exists, with a `puyu_` prefix). Gauges are read from the scheduler at scrape time so they
 * can never drift from the truth.
 */
export class Metrics {
  readonly requests = new Map<string, number>();
  promptTokens = 0;
  generatedTokens = 0;
  prefixReusedTokens = 0;
  rejected = 0;
  cancelled = 0;
  timedOut = 0;
  readonly ttft = new Histogram(LATENCY_BUCKETS);
  readonly interToken = new Histogram(LATENCY_BUCKETS);
  readonly e2e = new Histogram(LATENCY_BUCKETS);

  countRequest(route: string, status: number): void {
    const key = `route="${route}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  render(gauges: {
    queueDepth: number;
    activeSequences: number;
    totalSequences: number;
    decodeBatches: number;
    decodeBatchItems: number;
  }): string {
    const counter = (name: string, help: string, v: number) => `# HELP ${name} ${help}\n# TYPE ${name} counter\n${name} ${v}`;
    const gauge = (name: string, help: string, v: number) => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${v}`;
    const req = ['# HELP puyu_requests_total HTTP requests by route and status.', '# TYPE puyu_requests_total counter'];
    for (const [k, v] of this.requests) req.push(`puyu_requests_total{${k}} ${v}`);
    return `${[
      req.join('\n'),
      counter('puyu_prompt_tokens_total', 'Prompt tokens received.', this.promptTokens),
      counter('puyu_generation_tokens_total', 'Tokens generated.', this.generatedTokens),
      counter(
        'puyu_prefix_reused_tokens_total',
        'Prompt tokens served from a cached sequence prefix instead of being evaluated.',
        this.prefixReusedTokens,
      ),
      counter('puyu_requests_rejected_total', 'Requests refused with 429 because the queue was full.', this.rejected),
      counter('puyu_requests_cancelled_total', 'Generations stopped because the client went away.', this.cancelled),
      counter('puyu_requests_timed_out_total', 'Generations stopped by the per-request timeout.', this.timedOut),
      counter('puyu_decode_batches_total', 'Decode calls (llama_decode batches) dispatched by the context.', gauges.decodeBatches),
      counter(
        'puyu_decode_batch_items_total',
        'Sequence evaluations summed over decode batches (÷ batches = mean sequences per decode).',
        gauges.decodeBatchItems,
      ),
      this.ttft.render('puyu_time_to_first_token_seconds', 'Time from admission to the first generated token.'),
      this.interToken.render('puyu_inter_token_latency_seconds', 'Time between consecutive generated tokens of one request.'),
      this.e2e.render('puyu_e2e_request_latency_seconds', 'Time from admission to the last token.'),
      gauge('puyu_queue_depth', 'Requests waiting for a free sequence.', gauges.queueDepth),
      gauge('puyu_active_sequences', 'Sequences held by running requests.', gauges.activeSequences),
      gauge('puyu_total_sequences', 'Sequences in the context.', gauges.totalSequences),
    ].join('\n')}\n`;
  }
}
