/**
 * The message loop every edge lane worker runs: start the lane's driver on `init`, then run one job at
 * a time (a job that arrives while the last one's interpreter is being recycled waits for it).
 */
import type { DriverHost, LaneDriver } from '../lanes/lane.js';
import { edgeDriverHost } from './inline-lane.js';
import type { FromWorker, LaneInit, ToWorker } from './protocol.js';

interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}

export function serveLane(startDriver: (init: LaneInit, host: DriverHost) => Promise<LaneDriver>): void {
  const scope = globalThis as unknown as WorkerScope;
  let driver: LaneDriver | undefined;

  async function handle(message: ToWorker): Promise<void> {
    if (message.type === 'init') {
      try {
        const memory = message.interruptMemory;
        const host = edgeDriverHost(message.init.files, memory ? new Int32Array(memory.buffer) : undefined, memory);
        driver = await startDriver(message.init, host);
        scope.postMessage({ type: 'ready' });
      } catch (error) {
        scope.postMessage({ type: 'init-failed', message: String((error as Error)?.message ?? error) });
      }
      return;
    }
    const { job } = message;
    try {
      if (!driver) throw new Error('the worker was not initialised');
      const result = await driver.run(job);
      scope.postMessage({ type: 'result', jobId: job.id, result });
      await driver.recycle?.();
    } catch (error) {
      scope.postMessage({ type: 'crashed', jobId: job.id, message: String((error as Error)?.message ?? error) });
    }
  }

  let queue: Promise<void> = Promise.resolve();
  scope.onmessage = (event) => {
    queue = queue.then(() => handle(event.data));
  };
}
