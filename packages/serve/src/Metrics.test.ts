import { describe, expect, it } from 'vitest';
import { Metrics } from './Metrics.js';

describe('Metrics', () => {
  it('renders counters, cumulative histograms and gauges in Prometheus text format', () => {
    const m = new Metrics();
    m.countRequest('/v1/chat/completions', 200);
    m.countRequest('/v1/chat/completions', 200);
    m.countRequest('/v1/chat/completions', 400);
    m.generatedTokens = 7;
    m.ttft.observe(0.003);
    m.ttft.observe(0.2);
    m.ttft.observe(100);
    const text = m.render({ queueDepth: 2, activeSequences: 3, totalSequences: 4, decodeBatches: 10, decodeBatchItems: 25 });
    expect(text).toContain('puyu_requests_total{route="/v1/chat/completions",status="200"} 2');
    expect(text).toContain('puyu_requests_total{route="/v1/chat/completions",status="400"} 1');
    expect(text).toContain('puyu_generation_tokens_total 7');
    expect(text).toContain('puyu_time_to_first_token_seconds_bucket{le="0.005"} 1');
    expect(text).toContain('puyu_time_to_first_token_seconds_bucket{le="0.25"} 2');
    expect(text).toContain('puyu_time_to_first_token_seconds_bucket{le="60"} 2');
    expect(text).toContain('puyu_time_to_first_token_seconds_bucket{le="+Inf"} 3');
    expect(text).toContain('puyu_time_to_first_token_seconds_count 3');
    expect(text).toContain('puyu_queue_depth 2');
    expect(text).toContain('puyu_active_sequences 3');
    expect(text).toContain('puyu_decode_batches_total 10');
    // every sample line is "name{labels} value" or "name value"
    for (const line of text.trim().split('\n')) if (!line.startsWith('#')) expect(line).toMatch(/^[a-z0-9_]+(\{[^}]*\})? [0-9.e+-]+$/);
  });
});
