/**
 * The job queue in /metrics, read from the queue at scrape time: `isola_jobs{state}` (queued, running,
 * stored) and `isola_job_queue_depth`, the jobs waiting for a worker, which an autoscaler watches. With a
 * shared queue (--queue) both are the cluster's, read from Redis (waiting + prioritized + delayed), the
 * same on every node; without one, this node's.
 */
import { Gauge, type Registry } from 'prom-client';
import type { JobQueue } from '../jobs/types.js';

export const JOBS_METRIC = 'isola_jobs';
export const JOB_QUEUE_DEPTH_METRIC = 'isola_job_queue_depth';

export function registerJobsMetrics(registry: Registry, queue: JobQueue, onError: (error: unknown) => void = () => {}): void {
  // One app per registry is the rule; an embedder that builds a second app on it reports the new queue.
  registry.removeSingleMetric(JOBS_METRIC);
  registry.removeSingleMetric(JOB_QUEUE_DEPTH_METRIC);
  // Both gauges read one snapshot per scrape (one Redis round trip with a shared queue).
  let snapshot: ReturnType<JobQueue['stats']> | undefined;
  const read = () => {
    snapshot ??= queue.stats().finally(() => setTimeout(() => (snapshot = undefined), 0));
    return snapshot;
  };
  new Gauge({
    name: JOBS_METRIC,
    help: 'Jobs of /v1/jobs by state: queued (waiting for the engine), running, stored (all held, finished ones within their TTL included); the cluster\'s with a shared queue.',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      try {
        const stats = await read();
        this.set({ state: 'queued' }, stats.queued);
        this.set({ state: 'running' }, stats.running);
        this.set({ state: 'stored' }, stats.stored);
      } catch (error) {
        // Redis unreachable: the scrape still answers, without these numbers.
        onError(error);
      }
    },
  });
  new Gauge({
    name: JOB_QUEUE_DEPTH_METRIC,
    help: 'Jobs (and, with a shared queue, synchronous executions) waiting for a worker: the cluster\'s in Redis with --queue, the same value on every node; else this node\'s.',
    registers: [registry],
    async collect() {
      try {
        this.set((await read()).queued);
      } catch (error) {
        onError(error);
      }
    },
  });
}
