/**
 * Child process running Isola's HTTP service on 127.0.0.1, port 0, for the throughput scenario.
 * Usage: isola-server STORE_DIR [WORKERS_JSON]. Prints {"port": N} once listening (or a skip report), then serves
 * until its stdin closes.
 */
import { pino } from 'pino';
import type { EngineOptions } from '../../src/engine/types.js';
import { loadStartServer } from '../isola/load.js';
import { settleLane, waitForIdle } from '../isola/requests.js';

async function main(storeDir: string, workers: EngineOptions['workers']): Promise<void> {
  let startServer: Awaited<ReturnType<typeof loadStartServer>>;
  try {
    startServer = await loadStartServer();
  } catch (err) {
    if ((err as { code?: unknown }).code === 'bench_skip') {
      console.log(JSON.stringify({ samples: [], skip: (err as Error).message }));
      return;
    }
    throw err;
  }
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    engineOptions: { storeDir, ...(workers ? { workers } : {}) },
    handleSignals: false,
    // Per-request logging would measure the logger, not the service.
    logger: pino({ level: 'silent' }),
  });
  const lanes: Record<string, string | null> = {};
  for (const lane of ['quickjs', 'cpython'] as const) {
    if (workers?.[lane] === 0) continue;
    try {
      await settleLane(server.engine, lane);
      // Every worker up, so no lane's boot competes with another lane's measurement.
      await waitForIdle(server.engine, lane, 1, 180_000);
      lanes[lane] = null;
    } catch (err) {
      // Only "lane unavailable" is an answer; anything else is a failure of the run.
      if ((err as { code?: unknown }).code !== 'bench_skip') throw err;
      lanes[lane] = (err as Error).message;
    }
  }
  console.log(JSON.stringify({ port: server.port, unavailable: lanes }));
  process.stdin.resume();
  await new Promise<void>((resolve) => process.stdin.on('end', resolve).on('close', resolve));
  await server.shutdown('bench done');
}

main(process.argv[2] ?? 'snapshots', process.argv[3] ? (JSON.parse(process.argv[3]) as EngineOptions['workers']) : undefined).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
