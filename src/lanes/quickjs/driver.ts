/**
 * The QuickJS lane driver. One WebAssembly module per worker, with one runtime and context in it whose
 * bootstrapped heap is imaged: after every job (while the worker is idle, or before the next job if it
 * came first) the heap is put back from the image, so each job starts from a never-used interpreter
 * (prepared-context.ts, heap-image.ts). The module itself is replaced when it may be unhealthy (a
 * host-side error unwound through it, an abort) or has grown large.
 */
import { memoryFailure } from '../failures.js';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import type { DriverHost, GuestJob, GuestResult, LaneDriver } from '../lane.js';
import { newCappedModule, type CappedModule } from './capped-module.js';
import { prepareContext, type PreparedContext } from './prepared-context.js';
import { runJob } from './run-job.js';

export interface QuickJSDriverOptions {
  variant: QuickJSSyncVariant;
  /** The variant's compiled .wasm, so modules can be re-instantiated cheaply with a capped heap. */
  wasm: WebAssembly.Module;
  /** QuickJS's own stack limit: it must trip (InternalError) before the host's stack does. */
  stackSizeBytes?: number;
  /** Compare all of memory with the image after every restore, throwing on a difference (tests only). */
  verifyRestores?: boolean;
}

/** Runtime files that extend the bootstrap itself; everything else lives in runtimes/quickjs/lib/. */
const CORE_FILES = new Set(['process', 'modules', 'console-extra', 'timers']);
/** Libs shared with other JavaScript lanes, under runtimes/shared/. */
const SHARED_FILES: Record<string, string> = { serialize: 'shared/explain-json.js', 'batch-item': 'shared/batch-item.js' };
const MAX_BUNDLES = 32;
/**
 * A module whose heap grew past this (beyond its baseline) is replaced while idle rather than restored:
 * Wasm memory never shrinks, so it would keep the job's high-water mark resident.
 */
const RECYCLE_ABOVE_BYTES = 64 * 1024 * 1024;

export async function createQuickJSDriver(host: DriverHost, options: QuickJSDriverOptions): Promise<LaneDriver> {
  const bootstrapSource = host.runtimeFile('quickjs/bootstrap.js');
  const sources = new Map<string, string | undefined>();
  const libSource = (name: string): string | undefined => {
    if (!sources.has(name)) {
      let source: string | undefined;
      try {
        const shared = Object.hasOwn(SHARED_FILES, name) ? SHARED_FILES[name] : undefined;
        source = host.runtimeFile(shared ?? `quickjs/${CORE_FILES.has(name) ? 'core' : 'lib'}/${name}.js`);
      } catch {
        source = undefined;
      }
      sources.set(name, source);
    }
    return sources.get(name);
  };
  const bundles = new Map<string, string>();
  const compiled = options.wasm;
  const newModule = () => newCappedModule(options.variant, compiled, host.interruptMemory);
  const stackSizeBytes = options.stackSizeBytes ?? 512 * 1024;
  const prepare = (capped: CappedModule) => {
    const prepared = prepareContext({ capped, host, bootstrapSource, libSource, stackSizeBytes });
    if (options.verifyRestores) prepared.image.verifyRestores();
    return prepared;
  };
  let capped: CappedModule = await newModule();
  let context: PreparedContext = prepare(capped);
  let healthy = true;
  let jobs = 0;
  let modulesReplaced = 0;
  const replaceModule = async () => {
    // The old module is dropped whole: nothing in it is freed one by one (its handles point into a heap
    // that was put back from the image), so nothing in it can fail or leak into the new one.
    capped = await newModule();
    context = prepare(capped);
    modulesReplaced++;
    healthy = true;
  };
  /** Puts the heap back, or replaces the module when it is unhealthy or grew too far to keep resident. */
  const makeClean = async (limitBytes: number) => {
    if (!healthy || capped.unusable() || capped.currentBytes() > capped.baselineBytes + limitBytes) await replaceModule();
    else if (context.used) context.reset();
  };

  async function packagesFor(job: GuestJob): Promise<string | undefined> {
    const bundlePath = job.environment?.spec['bundlePath'];
    if (typeof bundlePath !== 'string' || !host.readArtifact) return undefined;
    let source = bundles.get(bundlePath);
    if (source === undefined) {
      source = new TextDecoder().decode(await host.readArtifact(bundlePath));
      if (bundles.size >= MAX_BUNDLES) bundles.delete(bundles.keys().next().value as string);
      bundles.set(bundlePath, source);
    }
    return source;
  }

  const driver: LaneDriver = {
    lane: 'quickjs',
    async run(job: GuestJob): Promise<GuestResult> {
      // Normally recycle() did this while idle. Memory never shrinks: a module grown past this job's
      // cap could hand it memory beyond the cap, so it is replaced.
      await makeClean(Math.min(job.memoryBytes, RECYCLE_ABOVE_BYTES));
      capped.setCap(job.memoryBytes);
      jobs++;
      const packagesSource = await packagesFor(job);
      // A batch item's attachments, read from the blob store before its context is touched.
      const attachments: [string, Uint8Array][] = [];
      for (const attachment of job.batch?.binary ?? []) {
        if (!host.readArtifact) break;
        attachments.push([`/data/binary/${job.batch!.index}/${attachment.name}`, await host.readArtifact(attachment.storePath)]);
      }
      const prebuild = job.environment?.spec['prebuild'];
      const prepared = context;
      prepared.begin();
      try {
        const result = await runJob({ prepared, host, ...(packagesSource ? { packagesSource } : {}), ...(typeof prebuild === 'string' ? { prebuildSource: prebuild } : {}), ...(attachments.length > 0 ? { attachments } : {}) }, job);
        // After a refused heap growth, an exception is the out-of-memory error (or a failure caused by
        // it, such as describing the error itself running out of memory).
        if (capped.takeRefusal() && result.failure?.type === 'exception') {
          return { ...result, ...memoryFailure(job.memoryBytes) };
        }
        return result;
      } catch (error) {
        // A throw out of runJob means the Wasm side may be corrupt (host RangeError, trap): never reuse
        // this module, not even through its image (the JS glue may be mid-call).
        healthy = false;
        throw error;
      }
    },
    async recycle() {
      await makeClean(RECYCLE_ABOVE_BYTES);
      capped.setCap(Number.POSITIVE_INFINITY);
    },
    recycleIsLong: () => !healthy,
    describe: () => ({
      engine: 'quickjs-emscripten',
      variant: 'release-sync',
      jobs,
      healthy,
      modulesReplaced,
      heapBytes: capped.currentBytes(),
      imageBytes: context.image.storedBytes,
      lastRestoreBytes: context.image.lastRestoreBytes,
    }),
    async dispose() {
      bundles.clear();
    },
  };
  // Warm the interpreter paths (and the host's JIT) so the first real job is as fast as the rest.
  await driver.run(warmupJob());
  await driver.recycle!();
  jobs = 0;
  return driver;
}

function warmupJob(): GuestJob {
  return {
    id: 'warmup',
    code: 'function main(input) { console.log(JSON.stringify(input)); return { ok: [1, 2, 3].map((x) => x * 2) } }',
    filename: 'main.js',
    mode: 'main',
    inputsJson: '{"warm":true}',
    deadline: Date.now() + 5_000,
    timeoutMs: 5_000,
    memoryBytes: 64 * 1024 * 1024,
    limits: { stdoutBytes: 1024, stderrBytes: 1024, outputBytes: 1024 },
    allowHosts: [],
  };
}
