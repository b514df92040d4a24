/**
 * Starts the executors behind each lane, as its descriptor says: a worker-thread pool (the Wasm lanes),
 * or the driver in this thread (native: bubblewrap subprocesses, with the egress proxy they dial).
 */
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import type { LaneName } from '../contract/response.js';
import type { EgressBridge, EgressProxy } from '../egress/index.js';
import type { DriverHost, EgressRequest, EgressResponse } from '../lanes/lane.js';
import { LANES } from '../lanes/registry.js';
import { InlineExecutor } from './inline-executor.js';
import type { LaneExecutor } from './scheduler.js';
import type { LaneReadiness } from './types.js';
import { LanePool } from './workers/lane-pool.js';

export interface LaneHandle extends LaneExecutor {
  readonly lane: LaneName;
  start?(): void;
  whenReady?(): Promise<void>;
  readiness(): LaneReadiness;
  close(): Promise<void>;
}

export interface LanesConfig {
  sizes: Record<LaneName, number>;
  /** Upper bounds of the worker pools; default from each lane's descriptor. */
  maxSizes?: Partial<Record<LaneName, number>>;
  entry: URL;
  runtimesDir: string;
  storeDir: string;
  laneOptions: Partial<Record<LaneName, Record<string, unknown>>>;
  /** The egress bridge, created on first use (the native lane's proxy needs it). */
  bridge(): Promise<EgressBridge>;
  fetch(jobId: string, request: EgressRequest): Promise<EgressResponse>;
  /** Live output of jobs with streamOutput, from every lane. */
  output(jobId: string, stream: 'stdout' | 'stderr', text: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>): void;
  onRestart(lane: LaneName, reason: string): void;
  onAffinity(lane: LaneName, hit: boolean): void;
}

export interface Lanes {
  handles: Map<LaneName, LaneHandle>;
  close(): Promise<void>;
}

export async function setUpLanes(config: LanesConfig): Promise<Lanes> {
  const handles = new Map<LaneName, LaneHandle>();
  for (const { name: lane, host, graceMs, maxWorkers } of LANES) {
    if (host !== 'worker' || config.sizes[lane] <= 0) continue;
    handles.set(
      lane,
      new LanePool(
        lane,
        config.sizes[lane],
        {
          lane,
          entry: config.entry,
          runtimesDir: config.runtimesDir,
          storeDir: config.storeDir,
          options: config.laneOptions[lane] ?? {},
          shared: new Map(),
          graceMs,
          resourceLimits: { maxOldGenerationSizeMb: 512, stackSizeMb: 8 },
        },
        { fetch: config.fetch, output: config.output, log: config.log, onRestart: config.onRestart, onAffinity: config.onAffinity },
        config.maxSizes?.[lane] ?? maxWorkers(config.sizes[lane]),
      ),
    );
  }

  let proxy: EgressProxy | undefined;
  let socketDir: string | undefined;
  if (config.sizes.native > 0) {
    const createNative = async () => {
      // The sandbox's unprivileged uid must reach the proxy socket through a bind mount.
      socketDir = await mkdtemp(join(tmpdir(), 'isola-egress-'));
      await chmod(socketDir, 0o755);
      const { createEgressProxy } = await import('../egress/index.js');
      proxy = await createEgressProxy(await config.bridge(), { socketPath: join(socketDir, 'proxy.sock'), advertise: '127.0.0.1:3128' });
      await chmod(proxy.address, 0o666);
      const { createDriver } = await import('../lanes/native/worker-entry.js');
      const host: DriverHost & { egressProxy: EgressProxy } = {
        runtimeFile: (path) => {
          const root = resolve(config.runtimesDir);
          const full = resolve(root, path);
          if (!full.startsWith(root + sep)) throw new Error(`runtime path escapes runtimes/: ${path}`);
          return readFileSync(full, 'utf8');
        },
        fetch: config.fetch,
        output: config.output,
        log: config.log,
        egressProxy: proxy,
      };
      return createDriver(host, { options: { storeDir: config.storeDir, ...config.laneOptions.native } });
    };
    handles.set('native', new InlineExecutor('native', config.sizes.native, createNative, (message, data) => config.log('error', message, data)));
  }

  return {
    handles,
    async close() {
      await Promise.all([...handles.values()].map((handle) => handle.close()));
      await proxy?.close();
      if (socketDir) await rm(socketDir, { recursive: true, force: true });
    },
  };
}
