/** HTTP load against a service on 127.0.0.1 (autocannon), reduced to the figures the report needs. */
import autocannon from 'autocannon';

export interface LoadResult {
  /** Completed 2xx responses per second over the run. */
  execPerSec: number;
  latencyP50Ms: number;
  latencyP97Ms: number;
  failures: number;
}

export async function loadTest(url: string, body: object, connections: number, durationSec: number): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    connections,
    duration: durationSec,
    timeout: 30,
  });
  return {
    execPerSec: result['2xx'] / result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP97Ms: result.latency.p97_5,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}
