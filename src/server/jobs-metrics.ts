/**
 * The job queue in /metrics: `isola_jobs{state}` (queued, running, stored) read from the queue at scrape
 * time, the signal an autoscaler watches for the async face.
 */
import { Gauge, type Registry } from 'prom-client';
import type { JobQueue } from '../jobs/types.js';

export const JOBS_METRIC = 'isola_jobs';

export function registerJobsMetrics(registry: Registry, queue: JobQueue): void {
  // One app per registry is the rule; an embedder that builds a second app on it reports the new queue.
  registry.removeSingleMetric(JOBS_METRIC);
  new Gauge({
    name: JOBS_METRIC,
    help: 'Jobs of /v1/jobs by state: queued (waiting for the engine), running, stored (all held, finished ones within their TTL included).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = queue.stats();
      this.set({ state: 'queued' }, stats.queued);
      this.set({ state: 'running' }, stats.running);
      this.set({ state: 'stored' }, stats.stored);
    },
  });
}
