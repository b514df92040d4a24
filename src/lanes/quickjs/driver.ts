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
import { PreloadRefused, prepareContext, type PackagesPreload, type PreparedContext } from './prepared-context.js';
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
/** Environment images a worker keeps (each is one more QuickJS module: its heap and its image). */
const MAX_ENVIRONMENT_IMAGES = 4;

/** One imaged module: the bare bootstrap's, or an environment's with its packages loaded. */
interface ImageSlot {
  capped: CappedModule;
  context: PreparedContext;
  healthy: boolean;
  packages: PackagesPreload | undefined;
}

function isNameList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((name) => typeof name === 'string');
}
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
  const prepare = (capped: CappedModule, packages?: PackagesPreload) => {
    const prepared = prepareContext({ capped, host, bootstrapSource, libSource, stackSizeBytes, ...(packages ? { packages } : {}) });
    if (options.verifyRestores) prepared.image.verifyRestores();
    return prepared;
  };
  let jobs = 0;
  let modulesReplaced = 0;
  const newSlot = async (packages?: PackagesPreload): Promise<ImageSlot> => {
    const capped = await newModule();
    // Loading packages may allocate: the same cap as the job that asked for the image.
    if (packages) capped.setCap(packages.memoryBytes);
    const context = prepare(capped, packages);
    capped.setCap(Number.POSITIVE_INFINITY);
    return { capped, context, healthy: true, packages };
  };
  const base: ImageSlot = await newSlot();
  /** Images with an environment's packages loaded, most recently used last. */
  const environments = new Map<string, ImageSlot>();
  /** Environments whose packages cannot be imaged (PreloadRefused): loaded in each execution. */
  const refused = new Set<string>();
  /** Whether a module must be replaced rather than restored: it may be corrupt, or grew too far to keep resident. */
  const worn = (slot: ImageSlot, limitBytes: number) => !slot.healthy || slot.capped.unusable() || slot.capped.currentBytes() > slot.capped.baselineBytes + limitBytes;
  /**
   * Puts the heap back, or replaces the module. The old module is dropped whole: nothing in it is freed
   * one by one (its handles point into a heap that was put back from the image), so nothing in it can
   * fail or leak into the new one. A worn environment image is dropped and made again on its next job.
   */
  const makeClean = async (slot: ImageSlot, limitBytes: number): Promise<boolean> => {
    if (!worn(slot, limitBytes)) {
      if (slot.context.used) slot.context.reset();
      return true;
    }
    modulesReplaced++;
    if (slot === base) {
      Object.assign(base, await newSlot());
      return true;
    }
    for (const [hash, known] of environments) if (known === slot) environments.delete(hash);
    return false;
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

  /**
   * The image a job runs on: its environment's (packages loaded) when the environment has no prebuild
   * and its packages load quiescently, else the bare one, on which run-job loads the packages.
   */
  async function slotFor(job: GuestJob, packagesSource: string | undefined): Promise<ImageSlot> {
    const environment = job.environment;
    const names = environment?.spec['packages'];
    if (!environment || packagesSource === undefined || job.environment?.spec['prebuild'] !== undefined || !isNameList(names) || refused.has(environment.hash)) return base;
    const known = environments.get(environment.hash);
    if (known) {
      environments.delete(environment.hash);
      environments.set(environment.hash, known);
      return known;
    }
    let slot: ImageSlot;
    try {
      slot = await newSlot({ source: packagesSource, names, budgetMs: Math.max(0, job.deadline - Date.now()), memoryBytes: job.memoryBytes });
    } catch (error) {
      if (!(error instanceof PreloadRefused)) throw error;
      host.log('debug', 'quickjs: the environment is loaded per execution', { environment: environment.hash, reason: error.message });
      if (refused.size >= MAX_BUNDLES) refused.delete(refused.values().next().value as string);
      refused.add(environment.hash);
      return base;
    }
    if (environments.size >= MAX_ENVIRONMENT_IMAGES) environments.delete(environments.keys().next().value as string);
    environments.set(environment.hash, slot);
    return slot;
  }

  const driver: LaneDriver = {
    lane: 'quickjs',
    async run(job: GuestJob): Promise<GuestResult> {
      jobs++;
      const packagesSource = await packagesFor(job);
      // Normally recycle() did this while idle. Memory never shrinks: a module grown past this job's
      // cap could hand it memory beyond the cap, so it is replaced. A new slot is clean as made.
      const limitBytes = Math.min(job.memoryBytes, RECYCLE_ABOVE_BYTES);
      let slot = await slotFor(job, packagesSource);
      if (!(await makeClean(slot, limitBytes))) slot = await slotFor(job, packagesSource);
      const { capped } = slot;
      capped.setCap(job.memoryBytes);
      // A batch item's attachments, read from the blob store before its context is touched.
      const attachments: [string, Uint8Array][] = [];
      for (const attachment of job.batch?.binary ?? []) {
        if (!host.readArtifact) break;
        attachments.push([`/data/binary/${job.batch!.index}/${attachment.name}`, await host.readArtifact(attachment.storePath)]);
      }
      const prebuild = job.environment?.spec['prebuild'];
      const prepared = slot.context;
      prepared.begin();
      try {
        const loadPackages = slot === base && packagesSource !== undefined;
        const result = await runJob({ prepared, host, ...(loadPackages ? { packagesSource } : {}), ...(typeof prebuild === 'string' ? { prebuildSource: prebuild } : {}), ...(attachments.length > 0 ? { attachments } : {}) }, job);
        // After a refused heap growth, an exception is the out-of-memory error (or a failure caused by
        // it, such as describing the error itself running out of memory).
        if (capped.takeRefusal() && result.failure?.type === 'exception') {
          return { ...result, ...memoryFailure(job.memoryBytes) };
        }
        return result;
      } catch (error) {
        // A throw out of runJob means the Wasm side may be corrupt (host RangeError, trap): never reuse
        // this module, not even through its image (the JS glue may be mid-call).
        slot.healthy = false;
        throw error;
      }
    },
    async recycle() {
      for (const slot of [base, ...environments.values()]) {
        if (await makeClean(slot, RECYCLE_ABOVE_BYTES)) slot.capped.setCap(Number.POSITIVE_INFINITY);
      }
    },
    recycleIsLong: () => !base.healthy || [...environments.values()].some((slot) => !slot.healthy),
    describe: () => ({
      engine: 'quickjs-emscripten',
      variant: 'release-sync',
      jobs,
      healthy: base.healthy,
      modulesReplaced,
      heapBytes: base.capped.currentBytes(),
      imageBytes: base.context.image.storedBytes,
      lastRestoreBytes: base.context.image.lastRestoreBytes,
      environmentImages: environments.size,
    }),
    async dispose() {
      bundles.clear();
      environments.clear();
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
