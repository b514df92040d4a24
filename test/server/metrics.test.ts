// createMetrics turns engine events into Prometheus series; the scrape text is what a user sees.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/server/metrics.js';

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('createMetrics', () => {
  it('counts executions by face, lane, status and error type, and times them', async () => {
    const { registry, onEvent } = createMetrics({ defaultMetrics: false });
    onEvent({ type: 'execution', face: 'isola', lane: 'quickjs', status: 'completed', errorType: null, elapsedMs: 2, queueMs: 0, runMs: 1 });
    onEvent({ type: 'execution', face: 'isola', lane: 'quickjs', status: 'completed', errorType: null, elapsedMs: 3, queueMs: 0, runMs: 2 });
    onEvent({ type: 'execution', face: 'isola', lane: 'cpython', status: 'error', errorType: 'timeout', elapsedMs: 1500, queueMs: 0, runMs: 1500 });
    const text = await registry.metrics();
    expect(value(text, 'isola_executions_total{face="isola",lane="quickjs",status="completed",error_type="none"}')).toBe(2);
    expect(value(text, 'isola_executions_total{face="isola",lane="cpython",status="error",error_type="timeout"}')).toBe(1);
    expect(value(text, 'isola_execution_duration_seconds_bucket{le="0.0025",face="isola",lane="quickjs"}')).toBe(1);
    expect(value(text, 'isola_execution_duration_seconds_bucket{le="0.005",face="isola",lane="quickjs"}')).toBe(2);
    expect(value(text, 'isola_execution_duration_seconds_count{face="isola",lane="cpython"}')).toBe(1);
    expect(value(text, 'isola_execution_duration_seconds_sum{face="isola",lane="cpython"}')).toBeCloseTo(1.5);
  });

  it('tracks queue depth, worker restarts and egress denials', async () => {
    const { registry, onEvent } = createMetrics({ defaultMetrics: false });
    onEvent({ type: 'queue', depth: 7 });
    onEvent({ type: 'queue', depth: 3 });
    onEvent({ type: 'worker_restart', lane: 'quickjs', reason: 'timeout' });
    onEvent({ type: 'egress_denied', host: '10.0.0.1', reason: 'private' });
    onEvent({ type: 'egress_denied', host: 'evil.test', reason: 'not allowed' });
    const text = await registry.metrics();
    expect(value(text, 'isola_queue_depth')).toBe(3);
    expect(value(text, 'isola_worker_restarts_total{lane="quickjs"}')).toBe(1);
    expect(value(text, 'isola_egress_denied_total')).toBe(2);
  });

  it('counts worker affinity hits and misses by lane', async () => {
    const { registry, onEvent } = createMetrics({ defaultMetrics: false });
    onEvent({ type: 'affinity', lane: 'cpython', hit: true });
    onEvent({ type: 'affinity', lane: 'cpython', hit: true });
    onEvent({ type: 'affinity', lane: 'cpython', hit: false });
    const text = await registry.metrics();
    expect(value(text, 'isola_worker_affinity_total{lane="cpython",result="hit"}')).toBe(2);
    expect(value(text, 'isola_worker_affinity_total{lane="cpython",result="miss"}')).toBe(1);
  });

  it('keeps registries apart and includes process metrics by default', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.onEvent({ type: 'worker_restart', lane: 'native', reason: 'crash' });
    expect(value(await b.registry.metrics(), 'isola_worker_restarts_total{lane="native"}')).toBeUndefined();
    expect(await a.registry.metrics()).toContain('process_cpu_user_seconds_total');
  });

  it('never throws into the engine', () => {
    const { onEvent } = createMetrics({ defaultMetrics: false });
    // prom-client throws on a NaN observation; onEvent must swallow it rather than fail an execution.
    expect(() => onEvent({ type: 'execution', face: 'isola', lane: 'quickjs', status: 'completed', errorType: null, elapsedMs: Number.NaN, queueMs: 0, runMs: 0 })).not.toThrow();
  });
});
