/** HTTP load against a service on 127.0.0.1 (autocannon), reduced to the figures the report needs. */
import autocannon from 'autocannon';

export interface LoadResult {
  /** Completed 2xx responses per second over the run. */
  execPerSec: number;
  latencyP50Ms: number;
  latencyP97Ms: number;
  failures: number;
}

/**
 * Runs the load and checks every answer with `isCorrect`: a service that answers 200 with an error
 * envelope (Isola always answers 200 once the code ran) must not count as throughput.
 */
export async function loadTest(
  url: string,
  body: object,
  connections: number,
  durationSec: number,
  isCorrect: (responseBody: string) => boolean,
): Promise<LoadResult> {
  let wrong = 0;
  const result = await autocannon({
    url,
    connections,
    duration: durationSec,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        onResponse: (status, responseBody) => {
          if (status >= 200 && status < 300 && !isCorrect(responseBody)) wrong++;
        },
      },
    ],
  });
  return {
    execPerSec: (result['2xx'] - wrong) / result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP97Ms: result.latency.p97_5,
    failures: result.non2xx + result.errors + result.timeouts + wrong,
  };
}
