/**
 * Prometheus metrics fed from engine events. The engine knows nothing of prom-client: it emits plain
 * events through EngineOptions.onEvent, and this module turns them into counters and histograms.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineEvent } from '../engine/types.js';

export interface Metrics {
  registry: Registry;
  /** Pass to createEngine({ onEvent }). Never throws. */
  onEvent: (event: EngineEvent) => void;
}

export interface MetricsOptions {
  /** Collect process metrics (CPU, memory, event-loop lag). Default true. */
  defaultMetrics?: boolean;
}

/**
 * Buckets from 1 ms to 1,000 s: hello-world runs take about a millisecond, and the default maximum
 * timeout is 1,000 s (an operator's longer one lands in +Inf).
 */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1000];

export function createMetrics(options: MetricsOptions = {}): Metrics {
  // A registry of our own, never the global one, so several apps (tests) can live in one process.
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  const executions = new Counter({
    name: 'isola_executions_total',
    help: 'Executions that produced a result, by face (isola, dify, piston), lane, status, error type (none when the run had no error) and project (its id; absent when projects are off).',
    labelNames: ['face', 'lane', 'status', 'error_type', 'project'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'isola_execution_duration_seconds',
    help: 'Wall-clock time of executions, queueing included, by face, lane and project (absent when projects are off).',
    labelNames: ['face', 'lane', 'project'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const queueDepth = new Gauge({
    name: 'isola_queue_depth',
    help: 'Executions waiting for a worker, all lanes together.',
    registers: [registry],
  });
  const workerRestarts = new Counter({
    name: 'isola_worker_restarts_total',
    help: 'Workers replaced after a crash, a hard timeout or a memory blow-up, by lane.',
    labelNames: ['lane'] as const,
    registers: [registry],
  });
  const affinity = new Counter({
    name: 'isola_worker_affinity_total',
    help: 'Executions that prefer a worker which kept something for them (a prepared environment, an image with heavy modules), by lane and whether they got one (hit) or not (miss).',
    labelNames: ['lane', 'result'] as const,
    registers: [registry],
  });
  const egressDenied = new Counter({
    name: 'isola_egress_denied_total',
    help: 'Outbound requests from guest code refused by the egress policy.',
    registers: [registry],
  });

  const onEvent = (event: EngineEvent): void => {
    try {
      switch (event.type) {
        case 'execution': {
          // Without projects the label is left out (in Prometheus an empty label is no label), so series
          // keep their names on a service that never turns projects on.
          const project = event.project ? { project: event.project } : {};
          executions.inc({ face: event.face, lane: event.lane, status: event.status, error_type: event.errorType ?? 'none', ...project });
          duration.observe({ face: event.face, lane: event.lane, ...project }, event.elapsedMs / 1000);
          break;
        }
        case 'worker_restart':
          workerRestarts.inc({ lane: event.lane });
          break;
        case 'queue':
          queueDepth.set(event.depth);
          break;
        case 'egress_denied':
          egressDenied.inc();
          break;
        case 'affinity':
          affinity.inc({ lane: event.lane, result: event.hit ? 'hit' : 'miss' });
          break;
      }
    } catch {
      // onEvent must not throw into the engine; a metrics bug must never fail an execution.
    }
  };

  return { registry, onEvent };
}
